"""Calls on the engine: what the caller hears and what the events say, on simulated time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.call import Call, Caller, CallOver, Engine, SimClock
from ivr.call.events import HungUp, NoInput, NoMatch, PromptPlayed, Queued, VariableSet
from ivr.call.keys import KeysSyntaxError, Step, parse_keys
from ivr.call.pacing import reading_seconds
from ivr.menu import load_menu
from ivr.menu.luhn import luhn_check_digit, luhn_ok
from ivr.source.diagnostics import MenuError
from tests.conftest import MENUS, SIMPLE, names, said, start

KARACHI = ZoneInfo("Asia/Karachi")
OPEN = SimClock(datetime(2026, 11, 24, 10, 0, tzinfo=KARACHI))  # a Tuesday morning


def play_steps(call: Call, steps: list[Step]) -> None:
    """The engine alone, with instant prompts: keys, silences and hang-ups straight onto the call."""
    for step in steps:
        if call.status != "active":
            return
        if step.kind == "keys":
            for key in step.keys:
                if call.status == "active":
                    call.press(key)
        elif step.kind == "wait":
            call.wait(step.seconds)
        else:
            call.hang_up()


def open_clock() -> SimClock:
    return SimClock(OPEN.epoch)


@pytest.fixture
def simple(write_menu: Callable[..., Path]) -> Path:
    return write_menu(SIMPLE)


def test_start_plays_the_long_prompt_and_waits(simple: Path) -> None:
    call = start(simple)
    assert names(call) == ["call_started", "node_entered", "prompt_played"]
    assert said(call) == ["For billing, press 1. For orders, press 2."]
    assert call.waiting_for_input() and call.deadline == 5.0


def test_option_sets_variables_and_queues(simple: Path) -> None:
    call = start(simple)
    call.press("1")
    assert call.status == "queued" and call.queue == "billing"
    assert next(e for e in call.transcript if isinstance(e, VariableSet)).value == "billing"
    assert isinstance(call.transcript[-1], Queued)


def test_no_input_escalates_then_routes_to_a_person(simple: Path) -> None:
    call = start(simple)
    call.wait()
    call.wait()
    call.wait()
    heard = said(call)
    assert heard[1:3] == ["Sorry, I didn't hear anything.", "Billing, press 1. Orders, press 2."]
    assert heard[3:5] == [
        "Sorry, I still didn't hear anything. Here are the choices again.",
        "Billing questions, press 1. Order questions, press 2. A person, press 0.",
    ]
    assert heard[5] == "Let me put you through to someone who can help."
    assert [e.at for e in call.transcript if isinstance(e, NoInput)] == [5.0, 10.0, 15.0]
    assert call.status == "queued" and call.queue == "general"


def test_no_input_and_no_match_count_together(write_menu: Callable[..., Path]) -> None:
    call = start(write_menu(SIMPLE.replace("defaults:\n", "defaults:\n  max_attempts: 2\n")))
    call.wait()
    call.press("7")
    assert [e.name for e in call.transcript if isinstance(e, NoInput | NoMatch)] == ["no_input", "no_match"]
    assert call.queue == "general"


def test_counters_reset_when_a_node_is_entered_again(simple: Path) -> None:
    call = start(simple)
    call.press("7")
    call.press("7")
    call.press("2")
    call.press("*")  # back to main: a fresh visit with fresh counters
    call.press("7")
    call.press("7")
    assert call.status == "active" and call.state == "main"
    assert said(call)[-1] == "Billing questions, press 1. Order questions, press 2. A person, press 0."


def test_short_prompt_on_repeat_visits_and_repeat_key_plays_long(simple: Path) -> None:
    call = start(simple)
    call.press("2")
    call.press("*")
    assert said(call)[-1] == "Billing, press 1. Orders, press 2."
    call.press("9")
    assert said(call)[-1] == "For billing, press 1. For orders, press 2."


def test_representative_key(simple: Path) -> None:
    call = start(simple)
    call.press("0")
    assert call.queue == "general"


def test_back_from_first_menu_is_a_no_match(simple: Path) -> None:
    call = start(simple)
    call.press("*")
    assert [(e.input, e.count) for e in call.transcript if isinstance(e, NoMatch)] == [("*", 1)]
    assert call.state == "main"


def test_collect_with_terminator_and_confirmation(simple: Path) -> None:
    call = start(simple)
    play_steps(call, parse_keys("2 1 12345# 1"))
    assert said(call)[-2] == "You entered 1 2 3 4 5. If correct, press 1. To re-enter, press 2."
    assert call.variables["order_id"] == "12345"
    assert call.transcript[-1] == HungUp(call.transcript[-1].at, "bye", "completed")


def test_collect_re_entry_after_no(simple: Path) -> None:
    call = start(simple)
    play_steps(call, parse_keys("2 1 1111# 2 2222# 1"))
    assert call.variables["order_id"] == "2222"
    assert call.end_reason == "completed"


def test_collect_ends_on_inter_digit_timeout(simple: Path) -> None:
    call = start(simple)
    play_steps(call, parse_keys("2 1 4321"))
    call.wait()  # the inter-digit timeout (half of 5 s) ends the entry
    assert call.elapsed == 2.5
    assert said(call)[-1].startswith("You entered 4 3 2 1.")


def test_collect_ends_at_max_digits_and_swallows_the_terminator(simple: Path) -> None:
    call = start(simple)
    play_steps(call, parse_keys("2 1 123456 # 1"))
    assert call.variables["order_id"] == "123456"
    assert call.end_reason == "completed"


def test_collect_too_short_is_a_no_match(simple: Path) -> None:
    call = start(simple)
    play_steps(call, parse_keys("2 1 12#"))
    assert [e.input for e in call.transcript if isinstance(e, NoMatch)] == ["12"]
    assert said(call)[-1] == "Enter your order number, then press hash."


def test_star_clears_digit_entry(simple: Path) -> None:
    call = start(simple)
    play_steps(call, parse_keys("2 1 99* 7777#"))
    assert call.variables["order_id"] == "7777"


def test_luhn() -> None:
    assert luhn_ok("79927398713") and luhn_ok("1234567897")
    assert not luhn_ok("79927398710") and not luhn_ok("1234567890")
    assert luhn_check_digit("7992739871") == "3" and luhn_check_digit("123456789") == "7"


def test_account_number_sub_menu_checks_luhn_and_returns(write_menu: Callable[..., Path]) -> None:
    call = Engine(load_menu(MENUS / "customer-service.yaml")).start_call(clock=open_clock())
    play_steps(call, parse_keys("1 2 2 1234567890#"))
    assert "That account number is not valid" in said(call)[-2]
    play_steps(call, parse_keys("1234567897# 1"))
    assert call.queue == "accounts"
    assert "account 1 2 3 4 5 6 7 8 9 7" in said(call)[-1]


def test_urdu_caller_hears_urdu() -> None:
    call = Engine(load_menu(MENUS / "customer-service.yaml")).start_call(clock=open_clock())
    call.press("2")
    assert call.language == "ur"
    assert said(call)[-1].startswith("شکایت کے لیے 1 دبائیں۔")
    call.press("7")
    assert said(call)[-2] == "معاف کیجیے، یہ دستیاب انتخاب میں شامل نہیں۔"


def test_branch_on_caller_tier() -> None:
    engine = Engine(load_menu(MENUS / "customer-service.yaml"))
    gold = engine.start_call(Caller(tier="gold"), open_clock())
    play_steps(gold, parse_keys("1 2 2"))
    assert gold.queue == "priority_accounts"
    plain = engine.start_call(Caller(tier="silver"), open_clock())
    play_steps(plain, parse_keys("1 2 2"))
    assert plain.state == "balance_account/enter"


@pytest.mark.parametrize(
    ("when", "first_node"),
    [
        (datetime(2026, 11, 24, 10, 0), "language"),  # Tuesday 10:00
        (datetime(2026, 11, 24, 18, 0), "closed"),  # closing time
        (datetime(2026, 11, 28, 13, 59), "language"),  # Saturday, open until 14:00
        (datetime(2026, 11, 29, 11, 0), "closed"),  # Sunday
        (datetime(2026, 12, 25, 11, 0), "closed"),  # a holiday on a Friday
    ],
)
def test_opening_hours_in_the_menus_time_zone(when: datetime, first_node: str) -> None:
    call = Engine(load_menu(MENUS / "customer-service.yaml")).start_call(clock=SimClock(when.replace(tzinfo=KARACHI)))
    entered = [e.node for e in call.transcript if e.name == "node_entered"]
    assert entered[1] == first_node


def test_out_of_hours_never_offers_a_person() -> None:
    night = SimClock(datetime(2026, 11, 24, 23, 0, tzinfo=KARACHI))
    call = Engine(load_menu(MENUS / "customer-service.yaml")).start_call(clock=night)
    call.press("0")
    assert call.status == "active" and any(isinstance(e, NoMatch) for e in call.transcript)
    call.wait(60)
    assert call.end_reason == "completed" and call.state == "goodbye"


def test_wait_for_seconds_fires_every_timeout_on_the_way(simple: Path) -> None:
    call = start(simple)
    call.wait(12)
    assert [e.at for e in call.transcript if isinstance(e, NoInput)] == [5.0, 10.0]
    assert call.elapsed == 12


def test_input_after_the_end_is_refused(simple: Path) -> None:
    call = start(simple)
    call.press("1")
    with pytest.raises(CallOver, match="queue 'billing'"):
        call.press("1")


def test_dead_end_and_loop_end_the_call_with_a_reason(write_menu: Callable[..., Path]) -> None:
    dead = start(write_menu("name: d\nstart: m\nnodes:\n  m: {type: message, prompt: Hello}\n", "d.yaml"))
    assert dead.end_reason == "dead-end"
    loop = start(
        write_menu(
            "name: l\nstart: a\nnodes:\n"
            "  a: {type: message, prompt: A, next: b}\n  b: {type: message, prompt: B, next: a}\n",
            "l.yaml",
        )
    )
    assert loop.end_reason == "loop"


def test_a_loop_ends_the_call_once_it_has_gone_round_not_a_thousand_prompts_later(
    write_menu: Callable[..., Path],
) -> None:
    """Found by CI: a message whose next is itself played for half an hour of simulated time before the
    call ended, so a floor advanced by 30 minutes still had the hang-up pending."""
    itself = start(write_menu("name: i\nstart: a\nnodes:\n  a: {type: message, prompt: A, next: a}\n", "i.yaml"))
    assert itself.end_reason == "loop" and said(itself) == ["A"]
    both = start(
        write_menu(
            "name: l\nstart: a\nnodes:\n"
            "  a: {type: message, prompt: A, next: b}\n  b: {type: message, prompt: B, next: a}\n",
            "l.yaml",
        )
    )
    assert said(both) == ["A", "B"]
    # variables that flip back and forth each time round: the same state comes back on the second round
    flip = start(
        write_menu(
            "name: f\nstart: a\nnodes:\n"
            "  a: {type: message, prompt: A, set: {x: 1}, next: b}\n"
            "  b: {type: message, prompt: B, set: {x: 2}, next: a}\n",
            "f.yaml",
        )
    )
    assert flip.end_reason == "loop" and said(flip) == ["A", "B", "A", "B"]


def test_condition_variables_cannot_name_python_internals(write_menu: Callable[..., Path]) -> None:
    text = (
        "name: v\nstart: b\nnodes:\n"
        "  b: {type: branch, cases: [{when: {var: __class__, exists: true}, goto: y}], default: n}\n"
    )
    with pytest.raises(MenuError) as caught:
        load_menu(write_menu(text + "  y: {type: hangup, reason: found}\n  n: {type: hangup, reason: absent}\n"))
    (problem,) = caught.value.diagnostics
    assert problem.line == 4 and "names starting with '__' are not allowed" in problem.message


def test_calls_share_one_machine_and_are_never_added_to_it(simple: Path) -> None:
    engine = Engine(load_menu(simple))
    first = engine.start_call()
    second = engine.start_call()
    first.press("2")
    assert first.state == "orders" and second.state == "main"
    assert engine.machine.models == []
    assert not hasattr(first, "is_main")


def test_machine_has_no_auto_transitions(simple: Path) -> None:
    engine = Engine(load_menu(simple))
    assert not any(name.startswith("to_") for name in engine.machine.events)


def test_keys_syntax() -> None:
    steps = parse_keys("1 2 wait wait:2.5s 1234# hangup")
    assert [s.kind for s in steps] == ["keys", "keys", "wait", "wait", "keys", "hangup"]
    assert steps[3].seconds == 2.5
    with pytest.raises(KeysSyntaxError, match="token 2 'x1'"):
        parse_keys("1 x1")


def test_with_speech_prompts_take_time_and_keys_barge_in(simple: Path) -> None:
    engine = Engine(load_menu(simple))
    call = engine.start_call(speech=lambda text, language, prompt_id: len(text.split()))  # a word a second
    first = said(call)[0]
    assert call.deadline == len(first.split()) + 5.0  # the timeout starts when the prompt ends
    call.wait()
    prompts = [e for e in call.transcript if e.name == "prompt_played"]
    reprompt = prompts[1]
    assert reprompt.at == call.elapsed == len(first.split()) + 5.0
    assert len(prompts) == 2  # the short prompt starts when the reprompt ends: not heard yet
    call.wait(len(reprompt.text.split()))
    short = [e for e in call.transcript if e.name == "prompt_played"][2]
    assert short.at == reprompt.at + len(reprompt.text.split())
    call.clock.advance(1.0)
    call.press("2")  # cuts the short prompt and is heard at once
    assert call.state == "orders"
    orders = [e for e in call.transcript if e.name == "prompt_played"][-1]
    assert orders.at == call.elapsed
    times = [e.at for e in call.transcript]
    assert times == sorted(times)


def test_a_key_during_a_chain_of_prompts_drops_the_unheard_ones(simple: Path) -> None:
    menu = load_menu(MENUS / "customer-service.yaml")
    call = Engine(menu).start_call(clock=open_clock(), speech=lambda text, language, prompt_id: 4.0)
    call.press("1")  # English: a greeting message, then the main menu prompt 4 s later
    assert [e.prompt_id for e in call.transcript if e.name == "prompt_played"][-1] == "greeting.prompt"
    assert call.state == "main" and call.next_time() == 4.0
    call.clock.advance(1.0)
    call.press("1")  # type-ahead during the greeting: the main menu prompt is never heard
    ids = [e.prompt_id for e in call.transcript if e.name == "prompt_played"]
    assert "main.prompt" not in ids and call.state == "complaint"
    entered = [e for e in call.transcript if e.name == "node_entered" and e.node == "main"]
    assert [e.at for e in entered] == [1.0]  # published when the caller got there, at the key


def test_the_transition_table_is_the_machine_transitions_built() -> None:
    """The hot path reads a table; every entry must be what `transitions` itself does from that node."""
    from types import SimpleNamespace

    engine = Engine(load_menu(MENUS / "customer-service.yaml"))
    checked = 0
    for trigger, moves in engine.table.items():
        for source, dest in moves.items():
            model = SimpleNamespace(state=source)
            engine.machine.events[trigger].trigger(model)
            assert model.state == (dest or source), (trigger, source)
            checked += 1
    assert checked > 100
    with pytest.raises(Exception, match="no transition 'press:7' from node 'language'"):
        engine.fire(SimpleNamespace(state="language"), "press:7")


def test_no_prompt_and_exhausted_prompts_per_target(write_menu: Callable[..., Path]) -> None:
    """`exhausted_prompt: {"*": ""}` played an empty line, and the exhausted prompt could not depend on
    where the attempts lead."""
    path = write_menu(
        """\
        name: bye-or-agent
        languages: [en, ur]
        start: main
        defaults:
          max_attempts: 1
          representative: agent
          exhausted_prompts:
            agent: { en: Let me pass you to a person., ur: آپ کو نمائندے سے ملاتے ہیں۔ }
            bye: false
        queues:
          general: {}
        nodes:
          main:
            type: menu
            prompt: { "*": "For more, press 1." }
            options: { "1": more }
          more:
            type: menu
            prompt: { "*": "To hear this again, press 1." }
            options: { "1": more }
            on_exhausted: bye
          quiet:
            type: menu
            prompt: { "*": "Press 1." }
            options: { "1": more }
            exhausted_prompt: false
          agent: { type: queue, queue: general }
          bye: { type: hangup, prompt: { "*": Goodbye. } }
        """
    )
    menu = load_menu(path)
    call = Engine(menu).start_call()
    call.wait()
    said = [e.text for e in call.transcript if isinstance(e, PromptPlayed)]
    assert said[-1] == "Let me pass you to a person."  # to the representative: what the table says for it
    call = Engine(menu).start_call()
    call.press("1")
    call.wait()
    said = [e for e in call.transcript if isinstance(e, PromptPlayed)]
    assert [e.prompt_id for e in said][-2:] == ["more.prompt", "bye.prompt"]  # nothing on the way to bye
    assert all(e.text.strip() for e in said)


def test_prompt_filters_say_values_in_the_callers_language(write_menu: Callable[..., Path]) -> None:
    """Only `{x|digits}` existed: no last four of a card, no masked number, no date or money per language."""
    path = write_menu(
        """\
        name: statement
        languages: [en, ur]
        start: say
        variables: { card: "4111 1111 1111 1234", due: "2026-12-05", balance: 1234567.5 }
        nodes:
          say:
            type: hangup
            prompt:
              en: "Card ending {card|last4} ({card|masked}): {balance|money} rupees due on {due|date}."
              ur: "کارڈ {card|last4}: {balance|money} روپے، {due|date} تک۔"
        """
    )
    engine = Engine(load_menu(path))
    english = engine.start_call()
    urdu = engine.start_call(Caller(language="ur"))
    said = {
        call.variables["language"]: next(e.text for e in call.transcript if isinstance(e, PromptPlayed))
        for call in (english, urdu)
    }
    assert said["en"] == "Card ending 1 2 3 4 (************1234): 1,234,567.50 rupees due on 5 December 2026."
    assert said["ur"] == "کارڈ 1 2 3 4: 12,34,567.50 روپے، 5 دسمبر 2026 تک۔"
    bad = write_menu("name: x\nstart: a\nnodes:\n  a: { type: hangup, prompt: '{x|shout}' }\n", "bad.yaml")
    with pytest.raises(MenuError, match="unknown filter 'shout'; the filters are: digits, last4, masked, date, money"):
        load_menu(bad)


SPLIT = """\
name: ab
start: greet
nodes:
  greet:
    type: split
    shares: { short_hello: 30, long_hello: 70 }
  short_hello: { type: hangup, prompt: Hi. }
  long_hello: { type: hangup, prompt: Hello and welcome. }
"""


def test_a_split_sends_callers_each_way_by_its_shares_and_the_same_call_the_same_way(
    write_menu: Callable[..., Path],
) -> None:
    engine = Engine(load_menu(write_menu(SPLIT)))
    at = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("UTC"))
    ways = [
        engine.start_call(Caller(number=f"+92300{n:07d}"), SimClock(at)).variables["split.greet"] for n in range(2000)
    ]
    assert set(ways) == {"short_hello", "long_hello"}
    assert 0.26 < ways.count("short_hello") / len(ways) < 0.34
    again = [
        engine.start_call(Caller(number=f"+92300{n:07d}"), SimClock(at)).variables["split.greet"] for n in range(50)
    ]
    assert again == ways[:50]  # replays and scripts are repeatable
    reseeded = Engine(
        load_menu(write_menu(SPLIT.replace("    type: split\n", "    type: split\n    seed: 7\n"), "b.yaml"))
    )
    other = [
        reseeded.start_call(Caller(number=f"+92300{n:07d}"), SimClock(at)).variables["split.greet"] for n in range(50)
    ]
    assert other != ways[:50]


def test_a_global_key_of_the_menus_own_goes_to_its_node_from_anywhere(write_menu: Callable[..., Path]) -> None:
    """There was no way to make 8 mean "emergency" everywhere."""
    path = write_menu(
        """\
        name: clinic
        start: main
        defaults:
          keys: { goto: { "8": emergency } }
        nodes:
          main:
            type: menu
            prompt: "For appointments, press 1. In an emergency, press 8 at any time."
            options: { "1": date }
          date:
            type: collect
            prompt: "Enter the day of the month, then press hash."
            variable: day
            min_digits: 1
            max_digits: 2
            next: bye
          quiet:
            type: menu
            prompt: "Press 1."
            options: { "1": bye }
            keys: { goto: {} }
          emergency: { type: hangup, prompt: "Please hang up and dial 1122." }
          bye: { type: hangup, prompt: Goodbye. }
        """
    )
    menu = load_menu(path)
    engine = Engine(menu)
    call = engine.start_call()
    call.press("8")
    assert call.state == "emergency" and call.end_reason is not None
    call = engine.start_call()
    call.press("1")
    call.press("8")  # a digit is data in digit entry: the day 8
    call.press("#")
    assert call.variables["day"] == "8" and call.state == "bye"
    assert not [e for e in menu.edges["quiet"] if e.key == "8"]  # switched off there
    clash = write_menu(path.read_text().replace('options: { "1": date }', 'options: { "1": date, "8": bye }'), "c.yaml")
    with pytest.raises(MenuError, match="option '8' clashes with the global key '8' to 'emergency'"):
        load_menu(clash)


def test_the_terminator_after_a_full_entry_does_not_cut_the_read_back() -> None:
    """`1234567897#` fills a 10-digit entry at the 7 and the # belongs to it: it was taken as a barge-in
    that cut the read-back short, so the next key could come at once and the caller never heard "If that
    is correct, press 1"."""
    from ivr.call.line import Line

    line = Line(load_menu(MENUS / "customer-service.yaml"), open_clock(), seed=1, background=False)
    live = line.dial()
    for key in "111":
        live.press_when_heard(key)
    live.listen()
    for key in "1234567897#":
        live.press(key)
    read_back = [e for e in live.call.transcript if isinstance(e, PromptPlayed)][-1]
    assert read_back.text.startswith("You entered 1 2 3 4 5 6 7 8 9 7")
    said = reading_seconds(read_back.text, "en")
    assert live.call.settled_at() - live.call.started_at >= read_back.at + said - 0.01  # still being said


def test_a_walker_whose_last_step_ends_the_call_does_not_hang_up_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by the extreme-numbers property: a background caller whose 200th step used up the attempts
    was then hung up as if still in the menu, and `ivr simulate` stopped with CallOver."""
    import random
    from datetime import datetime

    import ivr.call.callers as callers
    from ivr.call.engine import engine_for

    monkeypatch.setattr(callers, "MAX_STEPS", 1)  # every caller's one step is their last
    menu = load_menu(MENUS / "it-helpdesk.yaml")
    walker = callers.MenuWalker(engine_for(menu), random.Random(1), datetime(2026, 11, 24, 15, tzinfo=UTC))
    outcomes = {walker.walk(float(i)).outcome for i in range(300)}
    assert outcomes  # every walk returned: none raised on a call already over


def test_fuzz_callers_walk_by_the_simulated_callers_policy_with_mischief() -> None:
    """One caller policy: the random callers of `ivr fuzz` choose what the floor's simulated callers
    choose (a menu's options, valid entries), and now and then stray: silence, a hang-up, any key."""
    import random
    from collections import Counter

    from ivr.call.callers import FUZZING, CallerPolicy

    menu = load_menu(MENUS / "customer-service.yaml")
    call = Engine(menu).start_call(Caller(), SimClock(datetime(2026, 11, 24, 10, 0, tzinfo=menu.timezone)))
    assert call.node.id == "language"
    options = sorted(menu.nodes["language"].spec.options)  # type: ignore[union-attr]
    calm = CallerPolicy({}, random.Random(1))
    behaved = Counter(tuple(calm.next_actions(call)) for _ in range(2000))
    assert set(behaved) == {(key,) for key in options}  # only the menu's own choices
    fuzzing = CallerPolicy({}, random.Random(1), FUZZING)
    turns = Counter(tuple(fuzzing.next_actions(call)) for _ in range(4000))
    assert 0.09 < turns[("wait",)] / 4000 < 0.15 and 0.005 < turns[("hangup",)] / 4000 < 0.04
    strays = sum(n for (key,), n in turns.items() if key not in (*options, "wait", "hangup"))
    assert 0.15 < strays / 4000 < 0.30  # keys that mean nothing at the language menu
    assert sum(turns[(key,)] for key in options) / 4000 > 0.55  # mostly what a caller would choose
