"""The floor's books: busy and staffed time per agent, queue-length integrals, and per-interval tallies
turned into report rows once every caller of an interval has left its queue."""

from __future__ import annotations

import math
from typing import Any

from ivr.contact.metrics import Row, Tally, combine_rows
from ivr.contact.participants import Agent, Contact, QueueState
from ivr.contact.schedule import EventKind


class Accounting:
    """Bookkeeping of :class:`ivr.contact.centre.Centre`, which holds the state these methods read."""

    now: float
    start_of_day: float
    interval: float
    queues: dict[str, QueueState]
    agents: list[Agent]
    _closed: dict[str, Tally]  # each queue's intervals closed so far, folded together
    tallies: dict[tuple[str, int], Tally]
    rows: list[Row]
    _occupancy: dict[int, float]
    _accounted_at: float
    _n_busy: int
    _n_staffed: int
    _closed_until: int
    _busy: float
    _staffed: float
    _busy_total: float
    _staffed_total: float
    stopped_at: float | None

    # Provided by the centre: the heap, and whether anything is still going on.
    def _push(self, when: float, kind: int, obj: Any) -> None:
        raise NotImplementedError

    def _active(self) -> bool:
        raise NotImplementedError

    def _arrivals_left(self) -> bool:
        raise NotImplementedError

    def _account_floor(self) -> None:
        """Add the time since the floor last changed to the busy and staffed totals (from the counts of
        busy and staffed agents, so the cost does not grow with the number of agents)."""
        spent = self.now - self._accounted_at
        if spent:
            busy, staffed = self._n_busy * spent, self._n_staffed * spent
            self._busy += busy
            self._busy_total += busy
            self._staffed += staffed
            self._staffed_total += staffed
            self._accounted_at = self.now

    # -- internals: intervals ------------------------------------------------------------------------

    def _index(self, t: float) -> int:
        return int((self.start_of_day + t) // self.interval)

    def _next_boundary(self, t: float) -> float:
        return (self._index(t) + 1) * self.interval - self.start_of_day

    def _tally(self, queue: QueueState, t: float) -> Tally:
        """The tally of ``queue`` for the interval holding time ``t`` (the current one is kept at hand)."""
        if queue.tally_from <= t < queue.tally_until:
            return queue.tally
        index = self._index(t)
        key = (queue.name, index)
        tally = self.tallies.get(key)
        if tally is None:
            tally = self.tallies[key] = Tally(queue.sl_seconds)
        queue.tally = tally
        queue.tally_from = index * self.interval - self.start_of_day
        queue.tally_until = queue.tally_from + self.interval
        return tally

    def _queue_length(self, queue: QueueState, change: int) -> None:
        """Change a queue's length, adding the time at the old length to the queue-length integral.
        Every interval boundary flushes the integral, so the span never crosses one."""
        now = self.now
        area = queue.length * (now - queue.area_since)
        self._tally(queue, queue.area_since).queue_area += area
        queue.length += change
        queue.area_since = now
        tally = self._tally(queue, now)
        if queue.length > tally.max_queue:
            tally.max_queue = queue.length

    def _settle(self, contact: Contact) -> None:
        tally = contact.tally
        assert tally is not None
        tally.pending -= 1
        if tally.pending == 0 and self._index(contact.offered_at) < self._closed_until:
            self._close_intervals(final=False)

    def _close_intervals(self, final: bool) -> None:
        """Turn finished intervals into rows and forget their tallies."""
        done = [
            key
            for key, tally in self.tallies.items()
            if (key[1] < self._closed_until and tally.pending == 0) or (final and tally.pending == 0)
        ]
        for key in sorted(done, key=lambda k: k[1]):
            name, index = key
            tally = self.tallies.pop(key)
            self._closed[name].add(tally)  # the run's figures are the closed intervals' (and the open ones')
            start = index * self.interval - self.start_of_day
            occupancy = self._occupancy.get(index)
            row = tally.row(name, start, self.interval, self.queues[name].sl_fraction)
            self.rows.append(_with_occupancy(row, occupancy))

    def total_rows(self) -> list[Row]:
        """Whole-run figures per queue, then ``*`` for all queues together."""
        length = max(self.now, 1e-9)
        rows = [t.row(name, 0.0, length, self.queues[name].sl_fraction) for name, t in self.totals.items()]
        occupancy = self.occupancy_total()
        return [*rows, combine_rows(rows, "*", occupancy)]

    @property
    def totals(self) -> dict[str, Tally]:
        """Each queue's figures for the whole run so far: the intervals closed, folded in as each closed
        (see :meth:`_close_intervals`), with the intervals still open added. Keeping a second tally for
        the whole run, event by event, was a tenth of the floor's time."""
        totals: dict[str, Tally] = {}
        for (name, _), tally in self.tallies.items():
            if name not in totals:
                totals[name] = Tally(self._closed[name].sl_seconds)
                totals[name].add(self._closed[name])
            totals[name].add(tally)
        return {name: totals.get(name, closed) for name, closed in self._closed.items()}

    def _handled_so_far(self, name: str) -> tuple[int, float]:
        """Calls handled in ``name`` over the whole run, and their handle time (as :attr:`totals` counts)."""
        closed = self._closed[name]
        handled, handle_sum = closed.handled, closed.handle_sum
        for (queue, _), tally in self.tallies.items():
            if queue == name:
                handled += tally.handled
                handle_sum += tally.handle_sum
        return handled, handle_sum

    def occupancy_total(self) -> float | None:
        """Busy (talking or wrapping up) share of staffed agent time, over the whole run so far."""
        self._account_floor()
        return self._busy_total / self._staffed_total if self._staffed_total > 0 else None

    def _tick(self) -> None:
        """An interval boundary: close the occupancy and queue-length integrals of the interval ending."""
        now = self.now
        ending = self._index(now) - 1
        self._account_floor()
        self._occupancy[ending] = self._busy / self._staffed if self._staffed > 0 else math.nan
        self._busy = self._staffed = 0.0
        for queue in self.queues.values():
            area = queue.length * (now - queue.area_since)
            if queue.length or (queue.name, ending) in self.tallies:
                tally = self.tallies.setdefault((queue.name, ending), Tally(queue.sl_seconds))
                tally.queue_area += area
            queue.area_since = now
            if queue.length:
                current = self._tally(queue, now)
                current.max_queue = max(current.max_queue, queue.length)
        self._closed_until = ending + 1
        self._close_intervals(final=False)
        if self._active() or self._arrivals_left() or self.stopped_at is None or now < self.stopped_at:
            self._push(self._next_boundary(now), EventKind.TICK, None)


def _with_occupancy(row: Row, occupancy: float | None) -> Row:
    if occupancy is None or math.isnan(occupancy):
        return row
    from dataclasses import replace

    return replace(row, occupancy=occupancy)


def interval_label(start_of_day: float, start: float) -> str:
    """``"10:30"`` for an interval starting at simulated second ``start``; ``"d2 10:30"`` on later days."""
    seconds = int(start_of_day + start)
    day, rest = divmod(seconds, 86_400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return f"d{day + 1} {text}" if day else text
