"""One live call, one driver: each numbered problem of the issue, as a caller or a script meets it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr.call import CallOver, SimClock
from ivr.call.events import (
    Answered,
    CallbackOffered,
    CallbackTaken,
    HungUp,
    KeyNotUsed,
    PromptPlayed,
    QueueBusy,
    QueueOverflowed,
    QueuePosition,
    Transferred,
)
from ivr.call.line import Line
from ivr.call.pacing import reading_seconds
from ivr.contact import events as cev
from ivr.menu import load_menu
from tests.conftest import MENUS, run_ivr
from tests.test_generated_files import menu_data

CS = str(MENUS / "customer-service.yaml")

OPEN = datetime(2026, 11, 24, 11, 0, tzinfo=ZoneInfo("Asia/Karachi"))

FLOOR = """
name: floor
start: main
defaults: { representative: help_queue }
queues:
  help: { announce: { every: 20s }, callback: { after: 45s }, overflow: { after: 60s, to: spare } }
  spare: {}
  tiny: { max_length: 1 }
  nobody: {}
centre:
  handle_time: { dist: fixed, mean: 300 }
  patience: null
  wrap_up: 0
  agents:
    - { name: Ayesha, skills: { help: 1, tiny: 1 } }
    - { name: Bilal, skills: { spare: 1 } }
    - { name: Omar, skills: { nobody: 1 }, count: 1 }
nodes:
  main:
    type: menu
    prompt: For help, press 1. For the small desk, press 2. For the night desk, press 3.
    options: { "1": help_queue, "2": tiny_queue, "3": nobody_queue }
  help_queue: { type: queue, queue: help, prompt: Please hold., after: thanks }
  tiny_queue: { type: queue, queue: tiny, on_busy: sorry }
  nobody_queue: { type: queue, queue: nobody }
  sorry: { type: hangup, prompt: We will call you tomorrow., reason: busy-route }
  thanks: { type: hangup, prompt: "Your reference is {reference}. Goodbye." }
"""


@pytest.fixture
def floor_menu(write_menu: Callable[..., Path]) -> Path:
    return write_menu(FLOOR, "floor.yaml")


def busy_line(path: Path, seed: int = 3) -> Line:
    """Ayesha and Bilal each busy with a caller for 300 s; one more caller waits for Ayesha."""
    line = Line(load_menu(path), SimClock(OPEN), seed=seed, background=False)
    assert line.centre is not None
    for queue in ("help", "spare", "help"):
        line.centre.enqueue(queue, live=False)
    return line


# -- 1. prompts take simulated time ------------------------------------------------------------------


def test_prompts_take_their_time_on_a_line_with_representatives(floor_menu: Path) -> None:
    line = busy_line(floor_menu)
    live = line.dial()
    prompt = next(e for e in live.call.transcript if isinstance(e, PromptPlayed))
    speaking = reading_seconds(prompt.text, "en")
    assert live.call.deadline == pytest.approx(speaking + 5.0)  # the timeout starts when the prompt ends
    live.wait_for_timeout()
    no_input = next(e for e in live.call.transcript if e.name == "no_input")
    assert no_input.at == pytest.approx(speaking + 5.0)


def test_at_a_menu_or_a_survey_the_caller_must_act_so_speed_does_not_apply(floor_menu: Path) -> None:
    line = busy_line(floor_menu)
    live = line.dial()
    assert live.waiting_for_caller()
    live.press_when_heard("1")
    assert not live.waiting_for_caller() and live.on_hold  # in the queue: time may run fast


# -- 2 and 3. one clock, causal order ----------------------------------------------------------------


def test_time_never_goes_backwards_and_the_answer_comes_after_the_key_that_queued() -> None:
    result = run_ivr("call", CS, "--at", "2026-11-24T10:00", "--json", "--keys", "1 wait wait 0")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    times = [e["at"] for e in events]
    assert times == sorted(times)
    names = [e["event"] for e in events]
    last_key = max(i for i, n in enumerate(names) if n == "key_pressed")
    assert last_key < names.index("queued") < names.index("answered") < names.index("representative_done")


def test_the_phone_says_talking_only_once_answered(floor_menu: Path) -> None:
    line = busy_line(floor_menu)
    live = line.dial()
    live.press_when_heard("1")
    live.listen()
    assert live.answered_by is None and live.position() is not None
    line.run_until(lambda: live.answered_by is not None, 3600)
    answered = next(e for e in live.call.transcript if isinstance(e, Answered))
    floor = line.floor()
    assert floor is not None
    talking = next(a for a in floor.agents if a.contact == (live.contact.id if live.contact else None))
    assert talking.name == answered.agent


# -- 4. overflow keeps the same contact --------------------------------------------------------------


def test_after_overflow_the_position_is_known_and_a_hang_up_is_never_answered(floor_menu: Path) -> None:
    seen: list[cev.CentreEvent] = []
    line = Line(load_menu(floor_menu), SimClock(OPEN), seed=3, background=False, centre_listeners=[seen.append])
    assert line.centre is not None
    for queue in ("help", "spare", "help", "spare"):
        line.centre.enqueue(queue, live=False)
    live = line.dial()
    live.press_when_heard("1")
    line.run_until(lambda: any(isinstance(e, QueueOverflowed) for e in live.call.transcript), 600)
    moved = next(e for e in live.call.transcript if isinstance(e, QueueOverflowed))
    assert (moved.queue, moved.to) == ("help", "spare")
    assert live.contact is not None and live.contact.queue.name == "spare"
    place = live.position()
    floor = line.floor()
    assert place is not None and floor is not None
    assert place[0] == sum(w.queue == "spare" for w in floor.waiting)  # counted in its new queue
    told = [e for e in live.call.transcript if isinstance(e, QueuePosition)]
    assert told[-1].queue == "spare" and told[-1].position == place[0]
    contact = live.contact.id
    live.hang_up()
    line.advance(3600)
    assert not any(isinstance(e, cev.ContactAnswered) and e.contact == contact for e in seen)
    assert any(isinstance(e, cev.ContactAbandoned) and e.contact == contact for e in seen)
    assert not any(isinstance(e, Answered) for e in live.call.transcript)


# -- 5. a full queue, and a queue nobody serves ------------------------------------------------------


def test_a_full_queue_tells_the_caller_and_follows_its_busy_route(floor_menu: Path) -> None:
    line = busy_line(floor_menu)
    assert line.centre is not None
    line.centre.enqueue("tiny", live=False)  # Ayesha is busy: this one waits, and the queue is full
    live = line.dial()
    live.press_when_heard("2")
    live.listen()
    [busy] = [e for e in live.call.transcript if isinstance(e, QueueBusy)]
    assert (busy.queue, busy.why) == ("tiny", "full")
    ids = [e.prompt_id for e in live.call.transcript if isinstance(e, PromptPlayed)]
    assert ids[-2:] == ["tiny_queue.queue.full", "sorry.prompt"]
    assert live.call.end_reason == "busy-route"


def test_a_key_during_the_queue_prompt_of_a_full_queue_follows_the_busy_route(
    write_menu: Callable[..., Path],
) -> None:
    text = FLOOR.replace(
        "tiny_queue: { type: queue, queue: tiny, on_busy: sorry }",
        "tiny_queue: { type: queue, queue: tiny, on_busy: sorry, prompt: One moment please. }",
    )
    line = busy_line(write_menu(text, "prompted.yaml"))
    assert line.centre is not None
    line.centre.enqueue("tiny", live=False)
    live = line.dial()
    live.press_when_heard("2")  # the small desk: full
    assert live.on_hold and live.contact is None  # still hearing "One moment please"
    live.press("7")  # barges in before the caller has joined: joins, is turned away, the key goes nowhere
    live.listen()
    assert [e.why for e in live.call.transcript if isinstance(e, QueueBusy)] == ["full"]
    assert live.call.end_reason == "busy-route"


def test_a_queue_with_nobody_logged_in_says_so_and_ends(floor_menu: Path, write_menu: Callable[..., Path]) -> None:
    text = FLOOR.replace("- { name: Omar, skills: { nobody: 1 }, count: 1 }", "")
    line = Line(load_menu(write_menu(text, "empty.yaml")), SimClock(OPEN), seed=1, background=False)
    live = line.dial()
    live.press_when_heard("3")
    live.listen()
    assert [e.why for e in live.call.transcript if isinstance(e, QueueBusy)] == ["unstaffed"]
    assert "No representative is available" in [e for e in live.call.transcript if isinstance(e, PromptPlayed)][-1].text
    assert live.call.end_reason == "no-agents"


def test_replay_expects_the_busy_route(floor_menu: Path) -> None:
    script = floor_menu.parent / "busy.call.yaml"
    script.write_text(
        "menu: floor.yaml\n"
        "calls:\n"
        "  - name: the small desk is full\n"
        "    world: { waiting: { tiny: 2 } }\n"
        "    steps:\n"
        "      - press: 2\n"
        "      - expect: { busy: full, hung_up: busy-route, prompt: { id: tiny_queue.queue.full } }\n"
    )
    result = run_ivr("replay", str(script))
    assert result.returncode == 0, result.stdout


# -- 6. the queue is part of the call ----------------------------------------------------------------


def test_announcements_are_prompts_and_a_callback_is_a_key(floor_menu: Path) -> None:
    line = busy_line(floor_menu)
    live = line.dial()
    live.press_when_heard("1")
    line.run_until(lambda: any(isinstance(e, CallbackOffered) for e in live.call.transcript), 600)
    assert live.callback_open
    heard = [e.prompt_id for e in live.call.transcript if isinstance(e, PromptPlayed)]
    assert "help_queue.queue.joined" in heard and "help_queue.queue.announce" in heard
    assert "help_queue.queue.comfort" in heard
    offer = next(e for e in live.call.transcript if isinstance(e, CallbackOffered))
    assert offer.key == "1"
    live.press("5")  # not a key the queue declares
    assert [e.key for e in live.call.transcript if isinstance(e, KeyNotUsed)] == ["5"]
    live.press("9")  # the position key: the caller hears their place again
    assert [e.prompt_id for e in live.call.transcript if isinstance(e, PromptPlayed)][-1].endswith("queue.announce")
    contact = live.contact
    live.press("1")
    live.listen()
    assert any(isinstance(e, CallbackTaken) for e in live.call.transcript)
    assert live.call.end_reason == "callback"
    assert contact is not None and contact.callback  # they keep their place on the floor


def test_wait_until_answered_then_the_survey_with_a_fixed_handle_time(floor_menu: Path) -> None:
    script = floor_menu.parent / "answered.call.yaml"
    script.write_text(
        "menu: floor.yaml\n"
        "calls:\n"
        "  - name: answered, then the reference\n"
        "    world: { waiting: { help: 1 }, handle_time: { help: 2m } }\n"
        "    steps:\n"
        "      - press: 1\n"
        "      - expect: { queued: { queue: help, position: { min: 1, max: 1 } } }\n"
        "      - wait_until: { answered: true, limit: 10m }\n"
        "      - wait_until: { hung_up: completed, limit: 10m }\n"
        "      - expect: { prompt: Your reference is REF-000002 }\n"
    )
    result = run_ivr("replay", str(script), "--json")
    payload = json.loads(result.stdout)
    assert result.returncode == 0 and payload["passed"] == 1, result.stdout
    seconds = payload["calls"][0]["simulated_seconds"]
    assert 120 < seconds < 200  # the wait for Ayesha's first caller, then the fixed 2 minutes


# -- 8. one machine per menu -------------------------------------------------------------------------


def test_replay_builds_one_machine_per_menu_not_one_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    from ivr.call import engine as engine_module
    from ivr.replay.suite import run_suite

    built: list[str] = []
    original = engine_module.Engine.__init__

    def counting(self: object, menu: object) -> None:
        built.append(getattr(menu, "name", "?"))
        original(self, menu)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_module.Engine, "__init__", counting)
    engine_module._engines.clear()
    suite = run_suite([MENUS.parent / "scripts" / "customer-service"])
    assert len(suite.results) > 10 and all(r.passed for r in suite.results)
    assert built == ["customer-service"]


def test_a_hung_up_call_says_nothing_more(floor_menu: Path) -> None:
    line = busy_line(floor_menu)
    live = line.dial()
    live.press_when_heard("1")
    live.hang_up()
    ended = len(live.call.transcript)
    line.advance(3600)
    assert len(live.call.transcript) == ended and isinstance(live.call.transcript[-1], HungUp)


# -- properties over random callers ------------------------------------------------------------------

ACTIONS = st.lists(
    st.one_of(st.sampled_from(list("0123456789*#")), st.sampled_from(["wait", "hangup", "hold"])), max_size=14
)


def _drive(line: Line, actions: list[str]) -> None:
    live = line.dial()
    answered_after_hang_up = []
    for action in actions:
        if live.call.ended:
            break
        if action == "wait":
            live.wait_for_timeout()
        elif action == "hold":
            line.advance(90)
        elif action == "hangup":
            live.hang_up()
        else:
            try:
                live.press_when_heard(action)
            except CallOver:  # the call ended while the caller listened (a busy queue, a goodbye)
                assert live.call.ended
                break
        moved = any(isinstance(e, QueueOverflowed) for e in live.call.transcript)
        if moved and live.on_hold and live.answered_by is None:
            assert live.position() is not None  # a queued caller's place is known after overflow
    if not live.call.ended:
        live.hang_up()
    line.advance(1800)
    transcript = live.call.transcript
    times = [e.at for e in transcript]
    assert times == sorted(times)  # one clock: never backwards
    ends = [i for i, e in enumerate(transcript) if isinstance(e, HungUp | Transferred)]
    assert len(ends) == 1 and ends[0] == len(transcript) - 1  # nothing after the end of the call
    answered_after_hang_up = [e for e in transcript[ends[0] :] if isinstance(e, Answered)]
    assert not answered_after_hang_up


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS, seed=st.integers(0, 1000))
def test_random_callers_on_the_busy_bundled_line(actions: list[str], seed: int) -> None:
    line = Line(load_menu(MENUS / "customer-service.yaml"), SimClock(OPEN), seed=seed)
    line.advance(600)  # a floor already busy with background callers
    _drive(line, actions)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS, seed=st.integers(0, 1000), waiting=st.integers(0, 4))
def test_random_callers_on_a_floor_with_overflow_and_small_queues(
    floor_menu: Path, actions: list[str], seed: int, waiting: int
) -> None:
    line = Line(load_menu(floor_menu), SimClock(OPEN), seed=seed, background=False)
    assert line.centre is not None
    for i in range(waiting):
        line.centre.enqueue(("help", "spare", "tiny")[i % 3], live=False)
    _drive(line, actions)


@st.composite
def menu_with_centre(draw: st.DrawFn) -> dict[str, object]:
    """A generated valid menu with a floor: teams with some of its queues' skills, and queues that may be
    small, overflow to another queue, announce and offer callbacks."""
    data = draw(menu_data())
    queues = list(data["queues"])  # type: ignore[call-overload]
    specs: dict[str, object] = {}
    for name in queues:
        spec: dict[str, object] = {}
        if draw(st.booleans()):
            spec["max_length"] = draw(st.integers(0, 3))
        if len(queues) > 1 and draw(st.booleans()):
            spec["overflow"] = {"after": draw(st.integers(1, 60)), "to": draw(st.sampled_from(queues))}
        if draw(st.booleans()):
            spec["announce"] = {"every": draw(st.integers(5, 60))}
        if draw(st.booleans()):
            spec["callback"] = {"after": draw(st.integers(1, 120))}
        specs[name] = spec
    data["queues"] = specs
    teams = [
        {
            "name": f"team{i}",
            "count": draw(st.integers(1, 3)),
            "skills": {q: 1 for q in draw(st.sets(st.sampled_from(queues), min_size=1))},
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    data["centre"] = {"handle_time": draw(st.integers(10, 400)), "patience": None, "agents": teams}
    return data


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=menu_with_centre(), actions=ACTIONS, seed=st.integers(0, 1000), waiting=st.integers(0, 4))
def test_random_callers_on_generated_menus_with_floors(
    tmp_path: Path, data: dict[str, object], actions: list[str], seed: int, waiting: int
) -> None:
    path = tmp_path / "generated.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    line = Line(load_menu(path), SimClock(OPEN), seed=seed, background=False)
    assert line.centre is not None
    queues = list(line.menu.queues)
    for i in range(waiting):
        line.centre.enqueue(queues[i % len(queues)], live=False)
    _drive(line, actions)


# -- role play: hold and transfer (issue "a trainer in front of a class") -----------------------------


def test_role_play_hold_then_transfer_to_another_queue_where_the_floor_answers(floor_menu: Path) -> None:
    line = Line(load_menu(floor_menu), SimClock(OPEN), seed=3, background=False)
    live = line.dial(to_floor=False)  # the user is the representative
    live.press_when_heard("1")
    live.listen()
    live.take_seat("you")
    line.advance(30)
    live.hold(True)
    live.listen()
    live.press("5")  # the caller on hold: the key does nothing, and they are told why
    live.hold(False)
    with pytest.raises(ValueError, match=r"no queue .sales.*help, nobody, spare, tiny"):
        live.hand_over("sales")
    live.hand_over("spare")  # Bilal's queue: the floor answers now, not the user
    line.run_until(lambda: live.call.ended, 3600)
    names = [e.name for e in live.call.transcript]
    said = [e.text for e in live.call.transcript if isinstance(e, PromptPlayed)]
    assert "Please hold for a moment while I check that for you." in said
    assert "Please hold while I transfer your call to the right team." in said
    unused = next(e for e in live.call.transcript if e.name == "key_not_used")
    assert unused.why == "the representative has put you on hold"
    held = [e.on for e in live.call.transcript if e.name == "held"]
    assert held == [True, False]
    over = next(e for e in live.call.transcript if e.name == "handed_over")
    assert (over.agent, over.queue, over.to) == ("you", "help", "spare")
    answers = [e for e in live.call.transcript if isinstance(e, Answered)]
    assert [a.agent for a in answers] == ["you", "Bilal"]
    assert names.index("handed_over") < names.index("representative_done")
    assert live.call.end_reason == "completed"
    said_after = said[-1]
    assert said_after.startswith("Your reference is REF-")  # Bilal's reference, read back after his call
    times = [e.at for e in live.call.transcript]
    assert times == sorted(times)


def test_hold_and_transfer_need_a_caller_talking_to_the_representative(floor_menu: Path) -> None:
    line = Line(load_menu(floor_menu), SimClock(OPEN), seed=3, background=False)
    live = line.dial(to_floor=False)
    with pytest.raises(CallOver, match="on hold"):
        live.hold(True)
    live.press_when_heard("1")
    live.listen()
    with pytest.raises(CallOver, match="transferred"):
        live.hand_over("spare")  # queued, but nobody has answered yet


def test_a_caller_waiting_for_a_person_hears_the_comfort_message(floor_menu: Path) -> None:
    line = Line(load_menu(floor_menu), SimClock(OPEN), seed=3, background=False)
    live = line.dial(to_floor=False)
    live.press_when_heard("1")
    live.comfort()
    live.listen()
    said = [e.text for e in live.call.transcript if isinstance(e, PromptPlayed)]
    assert said[-1] == "Thank you for holding. Your call is important to us."
    live.take_seat("Trainee 1")
    with pytest.raises(CallOver, match="still waiting"):
        live.comfort()  # talking to the trainee now
