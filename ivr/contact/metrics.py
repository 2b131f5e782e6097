"""Queue metrics per interval, kept in constant memory however many calls pass (see docs/metrics.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

SHORT_ABANDON = 5.0  # seconds: abandons this quick are reported apart and left out of the service level
_FINE = 600  # 1-second bins below this many seconds, 10-second bins above, up to _TOP
_TOP = 7200
_BINS = _FINE + (_TOP - _FINE) // 10 + 1


def bin_of(wait: float) -> int:
    """Histogram bin of a wait in seconds."""
    if wait < _FINE:
        return int(wait)
    return min(_FINE + int((wait - _FINE) // 10), _BINS - 1)


def _bin_upper(index: int) -> float:
    return float(index + 1) if index < _FINE else float(_FINE + (index - _FINE + 1) * 10)


@dataclass(slots=True)
class Tally:
    """Counts and sums for one queue over one interval (or over the whole run)."""

    sl_seconds: float
    offered: int = 0
    answered: int = 0
    answered_within: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    blocked: int = 0
    overflowed: int = 0
    callbacks: int = 0
    waited: int = 0  # calls that left the queue (answered or abandoned)
    wait_sum: float = 0.0
    answered_wait_sum: float = 0.0
    longest_wait: float = 0.0
    handled: int = 0
    handle_sum: float = 0.0
    resolved: int = 0
    queue_area: float = 0.0  # integral of queue length over time
    max_queue: int = 0
    pending: int = 0  # calls offered here whose outcome is not known yet
    histogram: list[int] = field(default_factory=lambda: [0] * _BINS)

    def left_queue(self, wait: float, answered: bool) -> None:
        self.waited += 1
        self.wait_sum += wait
        self.histogram[bin_of(wait)] += 1
        if wait > self.longest_wait:
            self.longest_wait = wait
        if answered:
            self.answered += 1
            self.answered_wait_sum += wait
            if wait <= self.sl_seconds:
                self.answered_within += 1
        else:
            self.abandoned += 1
            if wait <= SHORT_ABANDON:
                self.short_abandoned += 1

    def add(self, other: Tally) -> None:
        """Fold another tally (of the same queue) into this one."""
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.longest_wait = max(self.longest_wait, other.longest_wait)
        self.max_queue = max(self.max_queue, other.max_queue)
        self.histogram = [a + b for a, b in zip(self.histogram, other.histogram, strict=True)]

    def percentile_wait(self, fraction: float) -> float:
        """The wait below which ``fraction`` of calls that left the queue fell (bin upper edge)."""
        if not self.waited:
            return 0.0
        rank = math.ceil(fraction * self.waited)
        seen = 0
        for index, count in enumerate(self.histogram):
            seen += count
            if seen >= rank:
                return min(_bin_upper(index), self.longest_wait)
        return self.longest_wait

    def row(self, queue: str, start: float, length: float, target: float) -> Row:
        base = self.offered - self.short_abandoned
        return Row(
            queue=queue,
            start=start,
            offered=self.offered,
            answered=self.answered,
            abandoned=self.abandoned,
            short_abandoned=self.short_abandoned,
            blocked=self.blocked,
            overflowed=self.overflowed,
            callbacks=self.callbacks,
            service_level=self.answered_within / base if base > 0 else None,
            service_level_offered=self.answered_within / self.offered if self.offered else None,
            service_level_target=target,
            asa=self.answered_wait_sum / self.answered if self.answered else None,
            average_wait=self.wait_sum / self.waited if self.waited else None,
            p90_wait=self.percentile_wait(0.9) if self.waited else None,
            longest_wait=self.longest_wait,
            aht=self.handle_sum / self.handled if self.handled else None,
            fcr=self.resolved / self.handled if self.handled else None,
            average_queue=self.queue_area / length if length > 0 else 0.0,
            max_queue=self.max_queue,
        )


_SUMMED = (
    "offered",
    "answered",
    "answered_within",
    "abandoned",
    "short_abandoned",
    "blocked",
    "overflowed",
    "callbacks",
    "waited",
    "wait_sum",
    "answered_wait_sum",
    "handled",
    "handle_sum",
    "resolved",
    "queue_area",
)


@dataclass(frozen=True, slots=True)
class Row:
    """Finished figures for one queue (or ``*`` for all) over one interval (or the whole run)."""

    queue: str
    start: float  # simulated seconds
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    blocked: int
    overflowed: int
    callbacks: int
    service_level: float | None
    service_level_target: float
    asa: float | None
    average_wait: float | None
    p90_wait: float | None
    longest_wait: float
    aht: float | None
    fcr: float | None
    average_queue: float
    max_queue: int
    occupancy: float | None = None
    service_level_offered: float | None = None  # answered within target ÷ every call offered (Erlang's)

    @property
    def met(self) -> bool | None:
        return None if self.service_level is None else self.service_level >= self.service_level_target

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__} | {"met": self.met}


def combine_rows(rows: list[Row], name: str, occupancy: float | None) -> Row:
    """All queues together: sums, and averages weighted by the calls behind them."""
    offered = sum(r.offered for r in rows)
    answered = sum(r.answered for r in rows)
    short = sum(r.short_abandoned for r in rows)
    within = sum((r.service_level or 0) * (r.offered - r.short_abandoned) for r in rows)
    busy = [r for r in rows if r.offered]
    target = (
        sum(r.service_level_target * r.offered for r in busy) / sum(r.offered for r in busy)
        if busy
        else max((r.service_level_target for r in rows), default=0.9)
    )

    def weighted(attr: str, weight: str) -> float | None:
        total = sum(getattr(r, weight) for r in rows if getattr(r, attr) is not None)
        if not total:
            return None
        return sum(getattr(r, attr) * getattr(r, weight) for r in rows if getattr(r, attr) is not None) / total

    return Row(
        queue=name,
        start=rows[0].start if rows else 0.0,
        offered=offered,
        answered=answered,
        abandoned=sum(r.abandoned for r in rows),
        short_abandoned=short,
        blocked=sum(r.blocked for r in rows),
        overflowed=sum(r.overflowed for r in rows),
        callbacks=sum(r.callbacks for r in rows),
        service_level=within / (offered - short) if offered - short > 0 else None,
        service_level_offered=within / offered if offered else None,
        service_level_target=target,
        asa=weighted("asa", "answered"),
        average_wait=weighted("average_wait", "offered"),
        p90_wait=max((r.p90_wait for r in rows if r.p90_wait is not None), default=None),
        longest_wait=max((r.longest_wait for r in rows), default=0.0),
        aht=weighted("aht", "answered"),
        fcr=weighted("fcr", "answered"),
        average_queue=sum(r.average_queue for r in rows),
        max_queue=max((r.max_queue for r in rows), default=0),
        occupancy=occupancy,
    )
