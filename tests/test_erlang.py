"""Erlang C and A: known values, stability at scale, and agreement with the simulation."""

from __future__ import annotations

import math
import random

import pytest

from ivr.contact.centre import Centre
from ivr.contact.erlang import (
    agents_needed,
    erlang_a_staffing,
    erlang_b,
    erlang_c,
    erlang_c_staffing,
    parse_target,
)
from ivr.contact.traffic import PoissonArrivals, by_share
from ivr.menu.centre_model import CentreSpec, QueueSpec, Traffic


def test_textbook_erlang_c() -> None:
    # 100 calls in 30 minutes, 180 s AHT: 10 erlangs; the classic answer is 14 agents for 80/20.
    rate = 100 / 1800
    assert agents_needed(rate, 180, 0.8, 20) == 14
    s13 = erlang_c_staffing(13, rate, 180, 20)
    assert s13.service_level == pytest.approx(0.7956, abs=1e-4)
    assert s13.probability_wait == pytest.approx(0.2853, abs=1e-4)
    assert s13.asa_seconds == pytest.approx(17.12, abs=0.01)
    assert s13.occupancy == pytest.approx(10 / 13)


def test_erlang_b_small_cases() -> None:
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)  # (1/2) / (1 + 1 + 1/2)


def test_erlang_c_is_stable_for_10000_agents() -> None:
    c = erlang_c(10_000, 9_900.0)
    assert 0 < c < 1 and math.isfinite(c)
    s = erlang_c_staffing(10_000, 9_900 / 180, 180, 20)
    assert 0.99 < s.service_level <= 1 and math.isfinite(s.asa_seconds)


def test_overloaded_queue() -> None:
    s = erlang_c_staffing(9, 10 / 180, 180, 20)
    assert s.service_level == 0 and s.asa_seconds == math.inf and erlang_c(9, 10.0) == 1.0


def test_erlang_a_approaches_erlang_c_as_patience_grows() -> None:
    rate = 10 / 180
    a = erlang_a_staffing(13, rate, 180, 20, patience=1e7)
    c = erlang_c_staffing(13, rate, 180, 20)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-3)
    assert a.probability_wait == pytest.approx(c.probability_wait, abs=1e-3)
    assert a.asa_seconds == pytest.approx(c.asa_seconds, rel=1e-2)


def test_erlang_a_impatience_shortens_waits_and_loses_calls() -> None:
    rate = 10 / 180
    a = erlang_a_staffing(11, rate, 180, 20, patience=60)
    c = erlang_c_staffing(11, rate, 180, 20)
    assert a.asa_seconds < c.asa_seconds
    assert 0 < a.abandon_rate < 0.2
    assert agents_needed(rate, 180, 0.8, 20, patience=60) <= agents_needed(rate, 180, 0.8, 20)


def test_parse_target() -> None:
    assert parse_target("80/20") == (0.8, 20.0)
    with pytest.raises(ValueError, match="PERCENT/SECONDS"):
        parse_target("eighty")


def simulate_mmc(agents: int, erlangs: float, calls: int, target: float, seed: int) -> tuple[float, float]:
    """Service level and ASA of the centre simulation on a plain M/M/c queue (no abandonment)."""
    aht = 180.0
    spec = CentreSpec.model_validate(
        {
            "agents": [{"name": "agent", "count": agents, "skills": {"q": 1}}],
            "wrap_up": 0,
            "handle_time": aht,
            "patience": None,
            "interval": "60m",
        }
    )
    centre = Centre(spec, {"q": QueueSpec(service_level=f"80/{target}")}, seed=seed, start_of_day=0)
    rng = random.Random(seed + 1)
    rate = erlangs / aht
    centre.add_source(PoissonArrivals(Traffic(calls_per_hour=rate * 3600), rng, 0, by_share({"q": 1}, rng)))
    end = calls / rate
    centre.stop_arrivals(end)
    centre.advance_to(end)
    centre.drain()
    total = centre.total_rows()[0]
    assert total.service_level is not None and total.asa is not None
    return total.service_level, total.asa


@pytest.mark.slow
@pytest.mark.parametrize(
    ("agents", "erlangs", "target"),
    [(12, 9.0, 20.0), (30, 24.0, 20.0), (100, 91.0, 60.0)],  # 75 %, 80 % and 91 % occupancy
)
def test_simulation_agrees_with_erlang_c(agents: int, erlangs: float, target: float) -> None:
    """Service level within 1 percentage point; ASA within 1 % of the handle time (1.8 s)."""
    service_level, asa = simulate_mmc(agents, erlangs, calls=400_000, target=target, seed=7)
    expected = erlang_c_staffing(agents, erlangs / 180, 180, target)
    assert abs(service_level - expected.service_level) <= 0.01
    assert abs(asa - expected.asa_seconds) <= 1.8


@pytest.mark.slow
@pytest.mark.parametrize(("agents", "erlangs"), [(20, 19.0), (50, 52.0)])  # 95 % and 104 % load
def test_erlang_a_and_a_long_simulation_agree_under_each_named_definition(agents: int, erlangs: float) -> None:
    """`ivr staff --patience` and `ivr simulate` on the same M/M/n+M model: each service level within
    1 point, ASA and mean wait within 1 % of the handle time, the abandon rate within 1 point."""
    from ivr.contact.fifo import FifoCentre

    aht, patience, target = 180.0, 120.0, 20.0
    spec = CentreSpec.model_validate(
        {
            "agents": [{"name": "agent", "count": agents, "skills": {"q": 1}}],
            "wrap_up": 0,
            "handle_time": aht,
            "patience": patience,
            "interval": "60m",
            "traffic": {"calls_per_hour": erlangs / aht * 3600, "queues": {"q": 1}},
        }
    )
    centre = FifoCentre(spec, {"q": QueueSpec(service_level=f"80/{target:g}")}, seed=3, start_of_day=0)
    centre.run(400_000 / (erlangs / aht))
    simulated = centre.total_rows()[0]
    expected = erlang_a_staffing(agents, erlangs / aht, aht, target, patience)
    assert simulated.service_level is not None and simulated.service_level_offered is not None
    assert simulated.asa is not None and simulated.average_wait is not None
    assert abs(simulated.service_level_offered - expected.service_level) <= 0.01
    assert abs(simulated.service_level - expected.service_level_short_out) <= 0.01
    assert abs(simulated.asa - expected.asa_seconds) <= 0.01 * aht
    assert abs(simulated.average_wait - expected.wait_seconds) <= 0.01 * aht
    assert abs(simulated.abandoned / simulated.offered - expected.abandon_rate) <= 0.01


def test_staffing_with_patience_tries_fewer_agents_than_the_load_in_erlangs() -> None:
    """2,000 calls an hour at 300 s AHT is 166.7 erlangs; with 180 s patience 164 agents meet 80/20 by
    Erlang A, and 163 do not: the search no longer starts at 166."""
    needed = agents_needed(2000 / 3600, 300, 0.8, 20, patience=180)
    assert erlang_a_staffing(needed, 2000 / 3600, 300, 20, 180).service_level >= 0.8
    assert erlang_a_staffing(needed - 1, 2000 / 3600, 300, 20, 180).service_level < 0.8
    assert needed < 166
