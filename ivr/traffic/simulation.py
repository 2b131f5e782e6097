"""Run a line headless for some hours of simulated time and collect its report."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ivr.call.clock import SimClock
from ivr.call.line import Line, start_of_day
from ivr.contact.accounting import interval_label
from ivr.contact.fifo import FifoCentre, why_not_fifo
from ivr.contact.metrics import Row
from ivr.menu.compiled import Menu
from ivr.records.cdr import SimulationRecorder
from ivr.records.store import CallRecord


@dataclass
class SimulationResult:
    """Per-interval and whole-run figures of one simulated stretch of time."""

    menu: str
    start: datetime
    hours: float
    seed: int | None
    rows: list[Row]  # per queue per interval, in time order
    totals: list[Row]  # per queue, then "*" for all
    menu_outcomes: dict[str, int]
    interval: float
    labels: dict[float, str] = field(default_factory=dict)
    wall_seconds: float = 0.0
    engine: str = "events"  # "fifo" when the fast path applied (ivr.contact.fifo)

    @property
    def calls(self) -> int:
        return sum(self.menu_outcomes.values())


def simulate(
    menu: Menu,
    hours: float,
    seed: int | None,
    start: datetime,
    progress: Callable[[float], None] | None = None,
    record: Callable[[CallRecord], None] | None = None,
    references: Callable[[str], str] | None = None,
) -> SimulationResult:
    """Simulate ``hours`` of background traffic on ``menu`` from ``start`` (an aware datetime).

    With ``record``, every call's record is handed to it as the call ends (this needs the event
    simulation, so the FIFO fast path is not used)."""
    started = time.perf_counter()
    assert menu.centre is not None
    end = hours * 3600
    day = start_of_day(start, menu)
    if record is None and why_not_fifo(menu.centre, menu.queues) is None:
        fast = FifoCentre(menu.centre, menu.queues, seed, day)
        fast.run(end)
        if progress is not None:
            progress(1.0)
        return SimulationResult(
            menu=menu.name,
            start=start,
            hours=hours,
            seed=seed,
            rows=fast.rows,
            totals=fast.total_rows(),
            menu_outcomes=fast.menu_outcomes,
            interval=fast.interval,
            labels={r.start: interval_label(day, r.start) for r in fast.rows},
            wall_seconds=time.perf_counter() - started,
            engine="fifo",
        )
    listeners = []
    if record is not None:
        listeners.append(SimulationRecorder(menu, start, record, run_id=uuid.uuid4().hex[:8], seed=seed))
    line = Line(menu, SimClock(start), seed=seed, centre_listeners=listeners, references=references)
    centre = line.centre
    assert centre is not None  # the menu has a centre (checked above)
    centre.stop_arrivals(end)
    step = centre.interval
    t = 0.0
    while t < end:
        t = min(t + step, end)
        centre.advance_to(t)
        if progress is not None:
            progress(t / end)
    centre.drain()
    rows = sorted(centre.rows, key=lambda r: (r.start, r.queue))
    labels = {r.start: interval_label(day, r.start) for r in rows}
    return SimulationResult(
        menu=menu.name,
        start=start,
        hours=hours,
        seed=seed,
        rows=rows,
        totals=centre.total_rows(),
        menu_outcomes=dict(sorted(centre.menu_outcomes.items())),
        interval=centre.interval,
        labels=labels,
        wall_seconds=time.perf_counter() - started,
        engine="events",
    )
