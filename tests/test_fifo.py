"""The FIFO fast path gives the same figures as the general event simulation where both apply."""

from __future__ import annotations

import random

import pytest

from ivr.contact.centre import Centre
from ivr.contact.fifo import FifoCentre, why_not_fifo
from ivr.contact.traffic import PoissonArrivals, by_share
from ivr.menu.centre_model import CentreSpec, QueueSpec

SPEC = {
    "agents": [
        {"name": "Sales", "count": 20, "skills": {"sales": 1}},
        {"name": "Help", "count": 8, "skills": {"help": 1}, "wrap_up": "20s"},
    ],
    "handle_time": {"dist": "lognormal", "mean": 200, "sd": 120},
    "patience": 150,
    "wrap_up": 10,
    "interval": "60m",
    "traffic": {"calls_per_hour": 480, "queues": {"sales": 0.7, "help": 0.3}},
}
QUEUES = {"sales": QueueSpec(service_level="80/20"), "help": QueueSpec(service_level="90/60")}


@pytest.mark.slow
def test_fast_path_agrees_with_the_event_simulation() -> None:
    spec = CentreSpec.model_validate(SPEC)
    end = 300 * 3600.0  # about 144,000 calls
    fast = FifoCentre(spec, QUEUES, seed=1, start_of_day=0)
    fast.run(end)
    events = Centre(spec, QUEUES, seed=2, start_of_day=0)
    rng = random.Random(3)
    assert spec.traffic is not None and spec.traffic.queues is not None
    events.add_source(PoissonArrivals(spec.traffic, rng, 0, by_share(spec.traffic.queues, rng)))
    events.stop_arrivals(end)
    events.advance_to(end)
    events.drain()
    for a, b in zip(fast.total_rows(), events.total_rows(), strict=True):
        assert a.queue == b.queue
        assert a.offered == pytest.approx(b.offered, rel=0.01)
        assert a.service_level == pytest.approx(b.service_level, abs=0.01)
        assert a.abandoned / a.offered == pytest.approx(b.abandoned / b.offered, abs=0.005)
        assert a.asa == pytest.approx(b.asa, abs=1.5)
        assert a.aht == pytest.approx(b.aht, rel=0.01)
        assert a.fcr == pytest.approx(b.fcr, abs=0.01)
        assert a.average_queue == pytest.approx(b.average_queue, rel=0.05, abs=0.02)
    assert fast.total_rows()[-1].occupancy == pytest.approx(events.total_rows()[-1].occupancy, abs=0.01)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"traffic": {"calls_per_hour": 10}}, "callers walk the menu"),
        ({"agents": [{"name": "Both", "skills": {"sales": 1, "help": 1}}]}, "serve several queues"),
        (
            {"agents": [{"name": "S", "skills": {"sales": 1}, "breaks": [{"at": "12:00", "length": "30m"}]}]},
            "take breaks",
        ),
    ],
)
def test_fast_path_only_where_it_is_the_same_model(change: dict[str, object], reason: str) -> None:
    spec = CentreSpec.model_validate({**SPEC, **change})
    assert reason in (why_not_fifo(spec, QUEUES) or "")
    assert why_not_fifo(CentreSpec.model_validate(SPEC), QUEUES) is None
    overflowing = {**QUEUES, "sales": QueueSpec(overflow={"after": 60, "to": "help"})}
    assert "overflows" in (why_not_fifo(CentreSpec.model_validate(SPEC), overflowing) or "")
