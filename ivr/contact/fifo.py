"""A fast path for the common case: each queue a plain first-come-first-served queue of alike agents.

When every representative serves exactly one queue and nothing routes calls between queues (no overflow,
callbacks, length limits, breaks or retrials) and callers go straight to queues by share, each queue is
an independent multi-server FIFO queue with impatient callers. Then a caller's fate is fixed the moment
they arrive: they reach the first agent to come free, at the earliest of the agents' free times, unless
their patience runs out first (the Kiefer-Wolfowitz recursion). One heap of free times per queue replaces
the event list, which is what makes this path many times faster than a general event simulation.
``Centre`` remains the reference: a test checks that both agree.

Queue length is followed with one more heap per queue (when each waiting caller leaves the queue), for the
longest queue; the average queue comes from Little's law (time waited in the interval / its length).
"""

from __future__ import annotations

import bisect
import heapq
import math
import random

from ivr.contact.distributions import sampler
from ivr.contact.metrics import Row, Tally, combine_rows
from ivr.contact.traffic import PoissonArrivals
from ivr.menu.centre_model import CentreSpec, QueueSpec


def why_not_fifo(spec: CentreSpec, queues: dict[str, QueueSpec]) -> str | None:
    """None when the fast path gives the same model as the general simulation, else the reason not."""
    traffic = spec.traffic
    if traffic is None or not traffic.queues:
        return "callers walk the menu"
    if traffic.retrial is not None:
        return "abandoned callers retry"
    skill_of = {name: q.skill or name for name, q in queues.items()}
    if len(set(skill_of.values())) != len(skill_of):
        return "queues share a skill"
    for name, q in queues.items():
        if q.overflow or q.callback or q.max_length is not None:
            return f"queue {name!r} overflows, offers callbacks or has a length limit"
    for team in spec.agents:
        if team.breaks or len(team.skills) != 1:
            return f"agents {team.name!r} take breaks or serve several queues"
    return None


class FifoCentre:
    """Independent FIFO queues with impatient callers; same figures as :class:`Centre` reports."""

    def __init__(self, spec: CentreSpec, queues: dict[str, QueueSpec], seed: int | None, start_of_day: float) -> None:
        reason = why_not_fifo(spec, queues)
        if reason is not None:
            raise ValueError(f"the FIFO fast path does not apply: {reason}")
        self.spec = spec
        self.queues = queues
        self.rng = random.Random(seed)
        self.start_of_day = start_of_day
        self.interval = spec.interval
        self.rows: list[Row] = []
        self.menu_outcomes: dict[str, int] = {}
        self.totals: dict[str, Tally] = {}
        self.busy_total = 0.0
        self.staffed_total = 0.0
        self.length = 0.0

    def run(self, end: float) -> None:
        """Simulate arrivals in [0, end) and every call they bring to its end."""
        spec, rng = self.spec, self.rng
        assert spec.traffic is not None and spec.traffic.queues is not None
        names = list(spec.traffic.queues)
        weights = [spec.traffic.queues[n] for n in names]
        cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]
        total_weight = cumulative[-1]
        agents = {n: 0 for n in names}
        wrap = {n: spec.wrap_up for n in names}
        for team in spec.agents:
            (skill,) = team.skills
            for name in names:
                if (self.queues[name].skill or name) == skill:
                    agents[name] += team.count
                    if team.wrap_up is not None:
                        wrap[name] = team.wrap_up
        free = {n: [0.0] * agents[n] for n in names}
        leaving: dict[str, list[float]] = {n: [] for n in names}  # when each caller now waiting leaves
        heappush, heappop = heapq.heappush, heapq.heappop
        handle = {n: sampler(self.queues[n].handle_time or spec.handle_time, rng) for n in names}
        patience_spec = {n: self.queues[n].patience or spec.patience for n in names}
        patience = {n: sampler(p, rng) if p is not None else None for n, p in patience_spec.items()}
        resolution = {
            n: spec.resolution_rate if self.queues[n].resolution_rate is None else self.queues[n].resolution_rate
            for n in names
        }
        self.totals = {n: Tally(self.queues[n].service_level.seconds) for n in names}
        tallies: dict[tuple[str, int], Tally] = {}
        busy: dict[int, float] = {}
        staffed_agents = sum(agents.values())
        arrivals = PoissonArrivals(spec.traffic, rng, self.start_of_day, lambda t: None)  # type: ignore[arg-type,return-value]
        heapreplace, uniform, bisect_right = heapq.heapreplace, rng.random, bisect.bisect_right
        interval, day_start = self.interval, self.start_of_day
        t = 0.0
        calls = 0
        while True:
            rate, change = arrivals.rate_at(t)
            if rate <= 0:
                if change >= end:
                    break
                t = change
                continue
            t += rng.expovariate(rate)
            if t >= change:
                t = change
                continue
            if t >= end:
                break
            calls += 1
            name = names[bisect_right(cumulative, uniform() * total_weight)] if len(names) > 1 else names[0]
            index = int((day_start + t) // interval)
            key = (name, index)
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = Tally(self.totals[name].sl_seconds)
            total = self.totals[name]
            tally.offered += 1
            total.offered += 1
            servers = free[name]
            if not servers:
                wait = patience[name]() if patience[name] is not None else math.inf
                tally.left_queue(wait, False)
                total.left_queue(wait, False)
                continue
            first = servers[0]
            if first <= t:
                start = t
            else:
                queue = leaving[name]
                while queue and queue[0] <= t:
                    heappop(queue)
                if len(queue) + 1 > tally.max_queue:
                    tally.max_queue = len(queue) + 1
                    total.max_queue = max(total.max_queue, tally.max_queue)
                limit = patience[name]
                if limit is not None:
                    give_up = limit()
                    if first - t > give_up:
                        heappush(queue, t + give_up)
                        tally.left_queue(give_up, False)
                        total.left_queue(give_up, False)
                        continue
                heappush(queue, first)
                start = first
            talk = handle[name]()
            work = talk + wrap[name]
            heapreplace(servers, start + work)
            wait = start - t
            tally.left_queue(wait, True)
            total.left_queue(wait, True)
            resolved = uniform() < resolution[name]
            for target in (tally, total):
                target.handled += 1
                target.handle_sum += work
                target.resolved += resolved
            answered_index = int((day_start + start) // interval)
            busy[answered_index] = busy.get(answered_index, 0.0) + work
        self.menu_outcomes = {"queued": calls} if calls else {}
        last = max(max((max(s) if s else 0.0) for s in free.values()), end)
        self.length = last
        self.busy_total = sum(busy.values())
        self.staffed_total = staffed_agents * last
        for tally in (*tallies.values(), *self.totals.values()):
            tally.queue_area = tally.wait_sum  # Little's law: time waited / time = average queue
        for (name, index), tally in sorted(tallies.items(), key=lambda item: (item[0][1], item[0][0])):
            start = index * interval - day_start
            row = tally.row(name, start, interval, self.queues[name].service_level.percent / 100)
            occupancy = min(busy.get(index, 0.0) / (staffed_agents * interval), 1.0) if staffed_agents else None
            self.rows.append(_with(row, occupancy))

    def total_rows(self) -> list[Row]:
        length = max(self.length, 1e-9)
        rows = [t.row(n, 0.0, length, self.queues[n].service_level.percent / 100) for n, t in self.totals.items()]
        occupancy = self.busy_total / self.staffed_total if self.staffed_total else None
        return [*rows, combine_rows(rows, "*", occupancy)]


def _with(row: Row, occupancy: float | None) -> Row:
    from dataclasses import replace

    return replace(row, occupancy=occupancy)
