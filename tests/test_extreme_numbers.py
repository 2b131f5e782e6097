"""Generated menus with extreme numbers everywhere a user can write one (issue 12).

Every number is drawn from 0, negatives, NaN, infinities, huge values and ordinary ones. A menu either is
refused with a `file:line` message (never a traceback), or it loads, and then random callers and a
simulated hour of its floor end within a bounded number of steps: counted, so that a spin fails the test
instead of hanging it.
"""

from __future__ import annotations

import math
import tempfile
import weakref
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from ivr.call.session import Call
from ivr.contact.centre import Centre
from ivr.menu import load_menu
from ivr.source.diagnostics import IvrError
from ivr.traffic.fuzz import fuzz
from ivr.traffic.simulation import simulate
from tests.test_generated_files import menu_data

pytestmark = pytest.mark.slow

AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
FLOOR_STEPS_PER_HOUR = 400_000  # floor events in one simulated hour; ordinary ones take a few thousand
STEPS_PER_CALL = 20_000  # events one call publishes; a walker's 200 steps of 32 digits stay under 10,000

EXTREME = [0, -1, 0.5, math.nan, math.inf, -math.inf, 1e308, 10**12, 2**63]


def number(ordinary: list[Any]) -> st.SearchStrategy[Any]:
    """An ordinary value most of the time, an extreme one often enough to meet every slot."""
    return st.integers(0, 24).flatmap(lambda roll: st.sampled_from(EXTREME) if roll == 0 else st.sampled_from(ordinary))


@st.composite
def extreme_menu(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(menu_data())
    queues = list(data["queues"])
    for node in data["nodes"].values():
        if node["type"] in ("menu", "collect") and draw(st.booleans()):
            node["timeout"] = draw(number([0, 1, 5]))
        if node["type"] == "menu" and draw(st.booleans()):
            node["max_attempts"] = draw(number([1, 3]))
    specs: dict[str, Any] = {}
    for name in queues:
        spec: dict[str, Any] = {}
        if draw(st.booleans()):
            spec["max_length"] = draw(number([0, 2, 10]))
        if draw(st.booleans()):
            spec["overflow"] = {"after": draw(number([0, 30, 90])), "to": draw(st.sampled_from(queues))}
        if draw(st.booleans()):
            spec["announce"] = {"every": draw(number([10, 60]))}
        if draw(st.booleans()):
            spec["callback"] = {"after": draw(number([0, 60]))}
        if draw(st.booleans()):
            spec["handle_time"] = {"mean": draw(number([60, 240])), "sd": draw(number([0, 30]))}
        specs[name] = spec
    data["queues"] = specs
    agents = []
    for i in range(draw(st.integers(0, 3))):
        team: dict[str, Any] = {
            "name": f"team{i}",
            "count": draw(number([1, 3, 8])),
            "skills": {q: 1 for q in draw(st.sets(st.sampled_from(queues), min_size=1))},
        }
        if draw(st.booleans()):
            team["breaks"] = [{"at": "10:15", "length": draw(number([60, 900]))}]
        agents.append(team)
    centre: dict[str, Any] = {
        "handle_time": {"mean": draw(number([30, 240])), "sd": draw(number([0, 60]))},
        "patience": draw(st.one_of(st.none(), st.builds(lambda m: {"mean": m}, number([20, 180])))),
        "wrap_up": draw(number([0, 30])),
        "agents": agents,
    }
    if draw(st.booleans()):
        traffic: dict[str, Any] = {"calls_per_hour": draw(number([0, 30, 300]))}
        if draw(st.booleans()):
            traffic["queues"] = {q: draw(number([0, 1, 3])) for q in queues}
        else:
            start = data["start"]
            if data["nodes"][start]["type"] == "menu":
                keys = list(data["nodes"][start]["options"])
                traffic["choices"] = {start: {k: draw(number([0, 1, 2])) for k in [*keys, "wait"]}}
        centre["traffic"] = traffic
    data["centre"] = centre
    return data


class StepLimit(Exception):
    pass


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count every floor event handled in the hour, and every event each call publishes; past either limit,
    stop with an error. Each call is bounded on its own: a simulated caller in a menu loop with no way
    out walks at most its 200 steps, so an hour of them is bounded by the call rate, not by one total."""
    floor_steps = [0]
    per_call: weakref.WeakKeyDictionary[Call, int] = weakref.WeakKeyDictionary()
    table, arrive, publish = Centre._dispatch_table, Centre._arrive, Call._publish

    def step() -> None:
        floor_steps[0] += 1
        if floor_steps[0] > FLOOR_STEPS_PER_HOUR:
            raise StepLimit(f"the floor handled more than {FLOOR_STEPS_PER_HOUR:,} events")

    def counting(handler: Any) -> Any:
        def handled(obj: Any) -> None:
            step()
            handler(obj)

        return handled

    def counted_table(self: Centre) -> tuple[Any, ...]:  # every event on the heap goes through the table
        return tuple(counting(handler) for handler in table(self))

    def counted_arrive(self: Centre, arrival: Any) -> None:  # background arrivals are kept off the heap
        step()
        arrive(self, arrival)

    def counted_publish(self: Call, event: Any) -> None:
        published = per_call[self] = per_call.get(self, 0) + 1
        if published > STEPS_PER_CALL:
            raise StepLimit(f"a call published more than {STEPS_PER_CALL:,} events")
        publish(self, event)

    monkeypatch.setattr(Centre, "_dispatch_table", counted_table)
    monkeypatch.setattr(Centre, "_arrive", counted_arrive)
    monkeypatch.setattr(Call, "_publish", counted_publish)
    return floor_steps


# Found by this test: every background caller loops in a collect node with `timeout: 0` and no way out,
# so an hour of 300 calls/h publishes over 600,000 events, each call bounded by its walker's 200 steps.
LOOPING_COLLECT = {
    "name": "generated",
    "start": "n0",
    "queues": {"billing": {"max_length": 0}},
    "nodes": {
        "n0": {"type": "collect", "prompt": "m", "variable": "entry", "min_digits": 4, "max_digits": 11,
               "next": "n0", "timeout": 0},
    },
    "centre": {"handle_time": {"mean": 240}, "patience": {"mean": 20}, "wrap_up": 0,
               "agents": [{"name": "team0", "count": 8, "skills": {"billing": 1}}],
               "traffic": {"calls_per_hour": 300}},
}  # fmt: skip


# Found by this test: with no representatives and no patience, the fast path's callers waited for ever
# (an infinite wait, and a crash on the histogram) instead of giving up when the run ends.
NOBODY_TO_ANSWER = {
    "name": "generated",
    "start": "n0",
    "queues": {"billing": {}},
    "nodes": {"n0": {"type": "menu", "prompt": "0", "options": {"1": "n0"}}},
    "centre": {"handle_time": {"mean": 30, "sd": 0}, "patience": None, "wrap_up": 0, "agents": [],
               "traffic": {"calls_per_hour": 30, "queues": {"billing": 0.5}}},
}  # fmt: skip


@example(data=LOOPING_COLLECT, seed=999)
@example(data=NOBODY_TO_ANSWER, seed=0)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=extreme_menu(), seed=st.integers(0, 1000))
def test_extreme_numbers_are_refused_or_every_call_and_hour_ends(
    counted: list[int], data: dict[str, Any], seed: int
) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "menu.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            menu = load_menu(path)
        except IvrError as error:
            event("refused: " + error.diagnostics[0].message.split(":")[0][:50])
            for problem in error.diagnostics:
                assert problem.line >= 1 and problem.col >= 1 and problem.message
            return
    event("loaded")
    counted[0] = 0
    report = fuzz(menu, calls=20, seed=seed, at=AT)
    broken = {key: f.detail for key, f in report.findings.items() if f.kind in ("crash", "never-ends")}
    assert not broken, broken
    counted[0] = 0
    result = simulate(menu, hours=1, seed=seed, start=AT)
    assert result.calls >= 0 and counted[0] <= FLOOR_STEPS_PER_HOUR
    if result.engine != "fifo" and result.calls:
        assert counted[0] > 0  # the count sees the floor's events (a hook that saw none would prove nothing)
