"""Generated menus with extreme numbers everywhere a user can write one (issue 12).

Every number is drawn from 0, negatives, NaN, infinities, huge values and ordinary ones. A menu either is
refused with a `file:line` message (never a traceback), or it loads, and then random callers and a
simulated hour of its floor end within a bounded number of steps: counted, so that a spin fails the test
instead of hanging it.
"""

from __future__ import annotations

import math
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
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
STEPS_PER_HOUR = 400_000  # floor events and call events in one simulated hour; ordinary ones take ~20,000

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
    """Count every floor event handled and every call event published; past the limit, stop with an error."""
    steps = [0]
    handle, publish = Centre._handle, Call._publish

    def tick() -> None:
        steps[0] += 1
        if steps[0] > STEPS_PER_HOUR:
            raise StepLimit(f"more than {STEPS_PER_HOUR:,} steps")

    def counted_handle(self: Centre, kind: int, obj: Any) -> None:
        tick()
        handle(self, kind, obj)

    def counted_publish(self: Call, event: Any) -> None:
        tick()
        publish(self, event)

    monkeypatch.setattr(Centre, "_handle", counted_handle)
    monkeypatch.setattr(Call, "_publish", counted_publish)
    return steps


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
    assert result.calls >= 0 and counted[0] <= STEPS_PER_HOUR
