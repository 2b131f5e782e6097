"""Property tests: whatever a caller presses, on any bundled menu, a call behaves like a call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import generate_menu
from ivr.call import Engine, SimClock
from ivr.call.events import HungUp, Queued, Transferred
from ivr.menu import load_menu
from ivr.menu.lint import lint_menu
from tests.conftest import MENUS

ENGINES = {name: Engine(load_menu(MENUS / name)) for name in ("customer-service.yaml", "it-helpdesk.yaml")}
inputs = st.lists(st.one_of(st.sampled_from(list("0123456789*#")), st.none(), st.floats(0.1, 30)), max_size=40)
moments = st.integers(0, 14 * 24 * 60).map(lambda m: datetime(2026, 11, 23, tzinfo=UTC) + timedelta(minutes=m))


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(ENGINES)), steps=inputs, when=moments, tier=st.sampled_from([None, "gold"]))
def test_any_input_gives_a_well_formed_call(
    name: str, steps: list[str | float | None], when: datetime, tier: str | None
) -> None:
    from ivr.call import Caller

    call = ENGINES[name].start_call(Caller(tier=tier), SimClock(when))
    for step in steps:
        if call.status != "active":
            break
        if isinstance(step, str):
            call.press(step)
        else:
            call.wait(step)
    times = [e.at for e in call.transcript]
    assert times == sorted(times)
    assert call.transcript[0].name == "call_started"
    if call.status != "active":
        assert isinstance(call.transcript[-1], HungUp | Queued | Transferred)
    else:
        assert call.deadline is not None  # an active call always waits for something


@settings(max_examples=50, deadline=None)
@given(name=st.sampled_from(sorted(ENGINES)), when=moments)
def test_a_silent_caller_always_reaches_an_end(name: str, when: datetime) -> None:
    call = ENGINES[name].start_call(clock=SimClock(when))
    for _ in range(100):
        if call.status != "active":
            break
        call.wait()
    assert call.status != "active"
    assert call.end_reason not in ("dead-end", "loop", "max-attempts")


@pytest.mark.parametrize("size", [10, 100, 1000])
def test_generated_benchmark_menus_are_valid_and_clean(tmp_path: Path, size: int) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(generate_menu(size), encoding="utf-8")
    menu = load_menu(path)
    assert 0.75 * size <= len(menu.nodes) <= 1.3 * size
    assert lint_menu(menu) == []
