"""A line: the menu and the floor on one clock, with a live caller among background callers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ivr.call import SimClock
from ivr.call.callers import MenuWalker
from ivr.call.keys import parse_keys, play_steps
from ivr.call.line import Line
from ivr.call.pacing import reading_seconds
from ivr.contact import events as ev
from ivr.menu import load_menu
from tests.conftest import MENUS

OPEN = datetime(2026, 11, 24, 11, 0, tzinfo=ZoneInfo("Asia/Karachi"))


SMALL = """
name: small
start: main
defaults: { representative: main_queue }
queues:
  main_queue: { announce: { every: 20s } }
centre:
  handle_time: { dist: fixed, mean: 120 }
  patience: null
  wrap_up: 0
  agents: [{ name: Ayesha, skills: { main_queue: 1 } }]
nodes:
  main:
    type: menu
    prompt: For help, press 1.
    options: { "1": main_queue }
  main_queue: { type: queue, queue: main_queue }
"""


def test_live_caller_waits_hears_position_and_is_answered(write_menu: Callable[..., Path]) -> None:
    seen: list[ev.CentreEvent] = []
    line = Line(load_menu(write_menu(SMALL)), SimClock(OPEN), seed=4, centre_listeners=[seen.append])
    line.centre.enqueue("main_queue", live=False)  # Ayesha is busy until 120 s
    line.advance(30)
    live = line.dial()
    live.press("1")  # barges in at 30 s: the queue node has no prompt, so the caller joins at once
    assert live.status == "queued" and live.position() == (1, 90.0)
    line.advance(45)
    contact = live.contact
    assert contact is not None
    assert [(e.at, e.position) for e in seen if isinstance(e, ev.Announcement)] == [(50.0, 1), (70.0, 1)]
    line.advance(60)
    answered = [e for e in seen if isinstance(e, ev.ContactAnswered) and e.contact == contact.id]
    assert [(a.at, a.agent, a.wait, a.live) for a in answered] == [(120.0, "Ayesha", 90.0, True)]
    assert live.position() is None
    floor = line.floor()
    assert floor is not None and floor.agents[0].contact == contact.id


def test_live_caller_in_the_busy_bundled_line() -> None:
    seen: list[ev.CentreEvent] = []
    line = Line(load_menu(MENUS / "customer-service.yaml"), SimClock(OPEN), seed=4, centre_listeners=[seen.append])
    line.advance(1800)
    assert sum(isinstance(e, ev.ContactAnswered) for e in seen) > 20  # background callers were served
    live = line.dial()
    play_steps(live, parse_keys("1 4 3"))  # English, technical service, mobile; waits out the queue
    contact = live.contact
    assert contact is not None and contact.live and contact.queue.name == "tech_mobile"
    assert any(isinstance(e, ev.ContactEnded) and e.contact == contact.id and e.live for e in seen)


def test_live_timeouts_fire_as_the_line_advances() -> None:
    line = Line(load_menu(MENUS / "customer-service.yaml"), SimClock(OPEN), seed=1, background=False)
    call = line.dial().call
    line.advance(30)
    heard = [e for e in call.transcript if e.name in ("prompt_played", "no_input")]
    first = reading_seconds(heard[0].text, "en")  # the welcome, then the timeout of 5 s
    sorry = reading_seconds(heard[2].text, "en")
    again = reading_seconds(heard[3].text, "en")
    assert [round(e.at, 6) for e in heard if e.name == "no_input"] == [
        round(first + 5, 6),
        round(first + 5 + sorry + again + 5, 6),
    ]


def test_background_callers_follow_the_choice_weights(write_menu: Callable[..., Path]) -> None:
    text = (MENUS / "customer-service.yaml").read_text(encoding="utf-8")
    path = write_menu(text, "cs.yaml")
    (path.parent / "account-number.yaml").write_text((MENUS / "account-number.yaml").read_text(encoding="utf-8"))
    menu = load_menu(path)
    assert menu.centre is not None
    import random

    from ivr.call.engine import Engine

    walker = MenuWalker(Engine(menu), random.Random(1), OPEN)
    walker.policy.choices = {"language": {"1": 1.0}, "main": {"3": 1.0}}  # everyone leaves a suggestion
    arrivals = [walker.walk(float(t)) for t in range(20)]
    assert {a.outcome for a in arrivals} == {"transferred"}
    assert all(a.delay > reading_seconds("Welcome to Roshan Telecom.", "en") for a in arrivals)
    walker.policy.choices = {"language": {"2": 1.0}, "main": {"4": 1.0}, "technical": {"2": 1.0}}
    cable = walker.walk(0.0)
    assert cable.queue == "tech_cable" and cable.data["variables"]["language"] == "ur"
    assert cable.data["path"][:3] == ["opening_hours", "language", "greeting"]


def test_walkers_type_valid_account_numbers() -> None:
    import random

    from ivr.call.engine import Engine

    menu = load_menu(MENUS / "customer-service.yaml")
    walker = MenuWalker(Engine(menu), random.Random(2), OPEN)
    walker.policy.choices = {"language": {"1": 1.0}, "main": {"2": 1.0}, "doubt": {"2": 1.0}}
    arrival = walker.walk(0.0)
    assert arrival.queue == "accounts"
    from ivr.menu.luhn import luhn_ok

    assert luhn_ok(arrival.data["variables"]["account_number"])
