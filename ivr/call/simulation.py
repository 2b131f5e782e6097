"""Run a line headless for some hours of simulated time and collect its report."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ivr.call.clock import SimClock
from ivr.call.line import Line
from ivr.contact.metrics import Row
from ivr.menu.compiled import Menu


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

    @property
    def calls(self) -> int:
        return sum(self.menu_outcomes.values())


def simulate(
    menu: Menu,
    hours: float,
    seed: int | None,
    start: datetime,
    progress: Callable[[float], None] | None = None,
) -> SimulationResult:
    """Simulate ``hours`` of background traffic on ``menu`` from ``start`` (an aware datetime)."""
    started = time.perf_counter()
    line = Line(menu, SimClock(start), seed=seed)
    centre = line.centre
    end = hours * 3600
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
    labels = {r.start: centre.interval_label(r.start) for r in rows}
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
    )
