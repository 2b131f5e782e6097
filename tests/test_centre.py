"""The representatives' floor: routing, priorities, abandonment, overflow, callbacks, breaks, metrics."""

from __future__ import annotations

from typing import Any

import pytest

from ivr.contact import events as ev
from ivr.contact.centre import Centre
from ivr.contact.participants import WAITING
from ivr.menu.centre_model import CentreSpec, QueueSpec


def make(agents: list[dict[str, Any]], queues: dict[str, dict[str, Any]], **centre: Any) -> tuple[Centre, list[Any]]:
    spec = CentreSpec.model_validate(
        {"agents": agents, "wrap_up": 0, "handle_time": {"dist": "fixed", "mean": 10}, "patience": None, **centre}
    )
    seen: list[Any] = []
    built = Centre(spec, {n: QueueSpec.model_validate(q) for n, q in queues.items()}, seed=3, listeners=[seen.append])
    return built, seen


def answered_by(seen: list[Any]) -> list[str]:
    return [e.agent for e in seen if isinstance(e, ev.ContactAnswered)]


def test_longest_idle_agent_answers() -> None:
    centre, seen = make([{"name": "A", "count": 3, "skills": {"q": 1}}], {"q": {}})
    for t in (0, 1, 2):  # each agent takes one call, then they free up at 10, 11, 12
        centre.advance_to(t)
        centre.enqueue("q", live=False)
    centre.advance_to(20)
    centre.enqueue("q", live=False)
    assert answered_by(seen) == ["A 1", "A 2", "A 3", "A 1"]


def test_round_robin_rotates() -> None:
    centre, seen = make([{"name": "A", "count": 3, "skills": {"q": 1}}], {"q": {"routing": "round-robin"}})
    for t in (0, 20, 40, 60):
        centre.advance_to(t)
        centre.enqueue("q", live=False)
    assert answered_by(seen) == ["A 1", "A 2", "A 3", "A 1"]


def test_fewest_calls_and_skill_level() -> None:
    centre, seen = make(
        [{"name": "Expert", "skills": {"q": 1}}, {"name": "Backup", "skills": {"q": 3}}],
        {"q": {"routing": "skill-level"}},
    )
    for t in (0, 20, 40):
        centre.advance_to(t)
        centre.enqueue("q", live=False)
    assert answered_by(seen) == ["Expert", "Expert", "Expert"]
    centre2, seen2 = make([{"name": "A", "count": 2, "skills": {"q": 1}}], {"q": {"routing": "fewest-calls"}})
    for t in (0, 1, 30):
        centre2.advance_to(t)
        centre2.enqueue("q", live=False)
    assert answered_by(seen2) == ["A 1", "A 2", "A 1"]


def test_priority_queue_is_served_first() -> None:
    centre, seen = make([{"name": "A", "skills": {"normal": 1, "vip": 1}}], {"normal": {}, "vip": {"priority": 5}})
    centre.enqueue("normal", live=False)  # answered at once, agent busy until 10
    centre.advance_to(1)
    first = centre.enqueue("normal", live=False)
    centre.advance_to(2)
    vip = centre.enqueue("vip", live=False)
    centre.advance_to(10)
    answers = [e.contact for e in seen if isinstance(e, ev.ContactAnswered)]
    assert answers[1] == vip.id and first.id not in answers


def test_full_queue_refuses_callers() -> None:
    centre, seen = make([{"name": "A", "skills": {"q": 1}}], {"q": {"max_length": 1}})
    for _ in range(3):
        centre.enqueue("q", live=False)
    assert [e.name for e in seen if isinstance(e, ev.QueueFull)] == ["queue_full"]
    assert centre.totals["q"].blocked == 1


def test_abandonment_and_short_abandons() -> None:
    centre, seen = make(
        [{"name": "A", "skills": {"q": 1}}],
        {"q": {}},
        patience={"dist": "fixed", "mean": 3},
        handle_time={"dist": "fixed", "mean": 100},
    )
    centre.enqueue("q", live=False)
    centre.enqueue("q", live=False)
    centre.advance_to(50)
    total = centre.total_rows()[0]
    assert total.abandoned == 1 and total.short_abandoned == 1
    assert [e.wait for e in seen if isinstance(e, ev.ContactAbandoned)] == [3.0]
    assert total.service_level == 1.0  # the short abandon is left out of the denominator


def test_overflow_moves_the_caller() -> None:
    centre, seen = make(
        [{"name": "Busy", "skills": {"first": 1}}, {"name": "Spare", "skills": {"second": 1}}],
        {"first": {"overflow": {"after": 5, "to": "second"}}, "second": {}},
        handle_time={"dist": "fixed", "mean": 100},
    )
    centre.enqueue("first", live=False)
    centre.advance_to(0)
    centre.enqueue("second", live=False)  # Spare is busy until 100 too
    centre.advance_to(1)
    moved = centre.enqueue("first", live=False)
    centre.advance_to(150)
    overflow = [e for e in seen if isinstance(e, ev.Overflowed)]
    assert [(e.contact, e.queue, e.to) for e in overflow] == [(moved.id, "first", "second")]
    assert centre.totals["first"].overflowed == 1 and centre.totals["second"].offered == 2


def test_callback_keeps_the_place_and_never_abandons() -> None:
    centre, seen = make(
        [{"name": "A", "skills": {"q": 1}}],
        {"q": {"callback": {"after": 10, "accept_rate": 1.0}}},
        patience={"dist": "fixed", "mean": 30},
        handle_time={"dist": "fixed", "mean": 100},
    )
    centre.enqueue("q", live=False)
    waiting = centre.enqueue("q", live=False)
    centre.advance_to(200)
    assert [e.contact for e in seen if isinstance(e, ev.CallbackAccepted)] == [waiting.id]
    assert not [e for e in seen if isinstance(e, ev.ContactAbandoned)]
    answered = [e for e in seen if isinstance(e, ev.ContactAnswered) and e.contact == waiting.id]
    assert answered[0].callback and answered[0].wait == 100
    assert centre.totals["q"].callbacks == 1


def test_live_caller_hears_announcements_and_can_hang_up() -> None:
    centre, seen = make(
        [{"name": "A", "skills": {"q": 1}}],
        {"q": {"announce": {"every": 30}}},
        handle_time={"dist": "fixed", "mean": 1000},
    )
    centre.enqueue("q", live=False)
    me = centre.enqueue("q", live=True)
    centre.advance_to(95)
    announcements = [(e.at, e.position) for e in seen if isinstance(e, ev.Announcement)]
    assert announcements == [(30.0, 1), (60.0, 1), (90.0, 1)]
    assert centre.position(me) == 1 and centre.estimated_wait(me.queue, 1) == 905  # 1000 s call, 95 s in
    centre.hang_up(me)
    gone = [e for e in seen if isinstance(e, ev.ContactAbandoned)]
    assert gone[0].live and gone[0].wait == 95


def test_breaks_take_agents_off_the_floor() -> None:
    centre, seen = make([{"name": "A", "skills": {"q": 1}, "breaks": [{"at": "09:01", "length": "2m"}]}], {"q": {}})
    centre.advance_to(61)
    assert centre.floor().agents[0].state == "break"
    waiting = centre.enqueue("q", live=False)
    centre.advance_to(179)
    assert centre.floor().waiting[0].contact == waiting.id
    centre.advance_to(181)
    assert [e.wait for e in seen if isinstance(e, ev.ContactAnswered)] == [119.0]


def test_outcomes_references_and_resolution() -> None:
    centre, seen = make([{"name": "A", "skills": {"q": 1}}], {"q": {"resolution_rate": 1.0}})
    for t in (0, 20):
        centre.advance_to(t)
        centre.enqueue("q", live=False)
    centre.advance_to(40)
    ended = [e for e in seen if isinstance(e, ev.ContactEnded)]
    assert [e.reference for e in ended] == ["REF-000001", "REF-000002"]
    assert all(e.resolved for e in ended)
    assert centre.total_rows()[0].fcr == 1.0


def test_floor_shows_agents_and_waiting_callers() -> None:
    centre, _ = make([{"name": "A", "skills": {"q": 1}}], {"q": {}}, handle_time={"dist": "fixed", "mean": 60})
    first = centre.enqueue("q", live=False)
    centre.advance_to(5)
    second = centre.enqueue("q", live=True)
    centre.advance_to(25)
    floor = centre.floor()
    assert [(a.name, a.state, a.contact) for a in floor.agents] == [("A", "talking", first.id)]
    assert [(w.contact, w.wait, w.live) for w in floor.waiting] == [(second.id, 20.0, True)]


def test_interval_rows_and_occupancy() -> None:
    centre, _ = make(
        [{"name": "A", "skills": {"q": 1}}], {"q": {}}, interval="15m", handle_time={"dist": "fixed", "mean": 450}
    )
    centre.enqueue("q", live=False)
    centre.stop_arrivals(0)
    centre.advance_to(1800)
    centre.drain()
    first = [r for r in centre.rows if r.start == 0.0]
    assert len(first) == 1 and first[0].offered == 1 and first[0].occupancy == pytest.approx(0.5)
    assert centre.tallies == {}  # finished intervals are not kept


def test_same_seed_same_day() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from ivr.menu import load_menu
    from ivr.traffic.simulation import simulate
    from tests.conftest import MENUS

    menu = load_menu(MENUS / "customer-service.yaml")
    start = datetime(2026, 11, 24, 9, tzinfo=ZoneInfo("Asia/Karachi"))
    one = simulate(menu, 2, 5, start)
    two = simulate(menu, 2, 5, start)
    other = simulate(menu, 2, 6, start)
    assert one.totals == two.totals and one.rows == two.rows
    assert one.totals != other.totals


def test_an_overflow_ring_with_no_wait_cannot_spin() -> None:
    """A file cannot reach this (`ivr check` refuses the ring), but the floor must stop on its own too."""
    centre, seen = make(
        [{"name": "A", "skills": {"x": 1}}],
        {
            "a": {"skill": "x", "overflow": {"after": 0, "to": "b"}},
            "b": {"skill": "x", "overflow": {"after": 0, "to": "a"}},
        },
    )
    centre.enqueue("a", live=False)  # A answers this one
    contact = centre.enqueue("a", live=False)
    centre.advance_to(5.0)
    moves = [e for e in seen if isinstance(e, ev.Overflowed)]
    assert len(moves) == 100 and contact.moves == 100
    centre.advance_to(60.0)  # answered in the end, in the queue it stopped in
    assert any(isinstance(e, ev.ContactAnswered) and e.contact == contact.id for e in seen)


def test_a_trainer_logs_representatives_in_and_out_and_sends_a_team_on_a_break() -> None:
    """There was no way to stage a busy floor: no adding or removing representatives, no team break."""
    centre, seen = make([{"name": "A", "count": 1, "skills": {"q": 1}}, {"name": "B", "skills": {"z": 1}}], {"q": {}})
    first = centre.enqueue("q", live=False)  # A 1 takes it; the next waits
    waiting = centre.enqueue("q", live=False)
    assert centre.floor().waiting[0].contact == waiting.id
    added = centre.log_in("A")  # a new representative takes the waiting caller at once
    assert added.name == "A 2" and answered_by(seen)[-1] == "A 2" and not centre.floor().waiting
    assert centre.logged_in("q") == 2
    gone = centre.log_out("A")  # both busy: the last one goes once their call is over
    assert gone is added and added.state == "talking"
    centre.advance_to(10)
    states = {a.name: a.state for a in centre.floor().agents}
    assert states["A 2"] == "logged out" and states["A"] == "available"
    assert first.state.name == "GONE"
    assert centre.team_break("A", 120) == 1  # A is free: on a break now
    late = centre.enqueue("q", live=False)
    centre.advance_to(129)
    assert centre.floor().waiting[0].contact == late.id
    back = centre.log_in("A")  # the one logged out comes back rather than a third
    assert back is added and answered_by(seen)[-1] == "A 2"
    with pytest.raises(ValueError, match="no team 'C'; the teams are A, B"):
        centre.log_in("C")
    with pytest.raises(ValueError, match="a break must be more than 0 s"):
        centre.team_break("A", 0)
    centre.reset(3, 9 * 3600)  # a new day: the menu's teams again
    assert [a.name for a in centre.floor().agents] == ["A", "B"]


def test_a_surge_brings_callers_faster_and_a_lull_slower() -> None:
    from ivr.contact.traffic import PoissonArrivals, by_share

    def offered(pace: float) -> int:
        centre, _ = make([{"name": "A", "count": 50, "skills": {"q": 1}}], {"q": {}}, traffic={"calls_per_hour": 600})
        import random

        rng = random.Random(1)
        assert centre.spec.traffic is not None
        centre.add_source(PoissonArrivals(centre.spec.traffic, rng, 9 * 3600, by_share({"q": 1}, rng)))
        centre.advance_to(1800)  # half an hour at the menu's pace
        centre.set_pace(pace)
        centre.advance_to(3600)
        return centre.totals["q"].offered

    normal, surge, lull = offered(1.0), offered(2.0), offered(0.5)
    assert 0.85 * 600 < normal < 1.15 * 600
    assert 1.3 * normal < surge < 1.7 * normal  # the second half hour at twice the rate
    assert 0.6 * normal < lull < 0.9 * normal
    centre, _ = make([{"name": "A", "skills": {"q": 1}}], {"q": {}})
    with pytest.raises(ValueError, match="the pace must be more than 0 and at most 10"):
        centre.set_pace(float("nan"))


def test_places_follow_every_way_of_leaving_a_queue() -> None:
    """A caller's place counts those still waiting ahead of them in the same queue, whoever left before
    (answered from the head, gave up from the middle, moved on to another queue), through many joins."""
    import random

    centre, _ = make(
        [{"name": "A", "count": 2, "skills": {"q": 1, "r": 1}}],
        {"q": {"overflow": {"after": 40, "to": "r"}}, "r": {}},
        patience={"dist": "exponential", "mean": 60},
        handle_time={"dist": "exponential", "mean": 30},
    )
    rng = random.Random(7)
    contacts = []
    for step in range(400):
        centre.advance_to(step * 2.0)
        contacts.append(centre.enqueue(rng.choice("qr"), live=rng.random() < 0.5))
        for contact in contacts[-60:]:
            if rng.random() < 0.02:
                centre.hang_up(contact)
        for contact in contacts[-60:]:
            queue = contact.queue
            ahead = [c for c in queue.waiting if c.state == WAITING and c.queue is queue]
            expected = ahead.index(contact) + 1 if contact in ahead else 0
            assert centre.position(contact) == expected, (step, contact.id)
    assert min(q.places.joined for q in centre.queues.values()) > 64  # past the places' first size
    assert max(centre.position(c) for c in contacts) > 1


def test_a_reset_day_runs_exactly_as_the_first_even_after_the_floor_was_changed() -> None:
    """A replay resets one floor per call; the day it resets to is kept and put back rather than worked
    out again, and must be the very same day: the same answers, breaks and draws, event for event."""
    centre, seen = make(
        [
            {"name": "A", "count": 3, "skills": {"q": 1}, "breaks": [{"at": "09:01", "length": 120}]},
            {"name": "B", "count": 2, "skills": {"q": 2, "r": 1}},
        ],
        {"q": {"routing": "longest-idle"}, "r": {"routing": "round-robin"}},
        handle_time={"dist": "exponential", "mean": 40},
        patience={"dist": "exponential", "mean": 90},
    )

    def day() -> list[str]:
        seen.clear()
        for step in range(60):
            centre.advance_to(step * 4.0)
            centre.enqueue("qr"[step % 2], live=step % 3 == 0)
        centre.advance_to(900)
        return [repr(event) for event in seen]

    first = day()
    assert any(isinstance(e, ev.AgentStateChanged) and e.state == "break" for e in seen), "no break was taken"
    for _ in range(2):
        centre.reset(3, 9 * 3600)
        assert day() == first
    centre.log_in("A")  # a trainer's change: the next day is the menu's own again
    centre.reset(3, 9 * 3600)
    assert day() == first


def test_the_whole_runs_figures_match_the_floors_events_at_any_moment() -> None:
    """The run's figures are the closed intervals' folded together plus the open ones' (they used to be kept
    a second time, event by event). Read mid-run, as the TUI reads them every tick, and after the drain,
    each queue's answered, abandoned, blocked, overflowed and handled calls are those the floor's events
    told, and every call offered is one of those or still waiting."""
    import random

    centre, seen = make(
        [{"name": "A", "count": 2, "skills": {"q": 1}}, {"name": "B", "count": 1, "skills": {"r": 1}}],
        {"q": {"overflow": {"after": 40, "to": "r"}, "max_length": 4}, "r": {}},
        patience={"dist": "exponential", "mean": 60},
        interval="15m",
    )
    draw = random.Random(7)
    t = 0.0

    def check() -> None:
        totals = centre.totals
        for name in ("q", "r"):
            told = {
                kind: sum(1 for e in seen if isinstance(e, event) and e.queue == name)
                for kind, event in (
                    ("answered", ev.ContactAnswered),
                    ("abandoned", ev.ContactAbandoned),
                    ("blocked", ev.QueueFull),
                    ("overflowed", ev.Overflowed),
                    ("handled", ev.ContactEnded),
                )
            }
            tally = totals[name]
            assert {kind: getattr(tally, kind) for kind in told} == told, (centre.now, name)
            waiting = sum(1 for c in centre.queues[name].waiting if c.state == WAITING and c.queue.name == name)
            assert tally.offered == sum(told[k] for k in ("answered", "abandoned", "blocked", "overflowed")) + waiting

    for hour in range(1, 4):
        while t < hour * 3600:
            t += draw.expovariate(1 / 8)
            centre.advance_to(t)
            centre.enqueue(draw.choice("qqr"), live=False)
        check()  # mid-run: some intervals closed, the current one open
    centre.drain()
    check()
    assert len(centre.rows) >= 12  # three hours of 15-minute intervals, closed
    assert sum(r.offered for r in centre.rows if r.queue == "q") == centre.totals["q"].offered
