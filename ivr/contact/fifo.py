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

from ivr.contact.distributions import QueueDraws
from ivr.contact.metrics import Row, Tally, bin_of, combine_rows
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
        lanes = {name: _Lane(name, self.queues[name], spec, rng) for name in names}
        for team in spec.agents:
            (skill,) = team.skills
            for lane in lanes.values():
                if lane.skill == skill:
                    lane.servers.extend([0.0] * team.count)
                    if team.wrap_up is not None:
                        lane.wrap = team.wrap_up
        staffed_agents = sum(len(lane.servers) for lane in lanes.values())
        order = [lanes[n] for n in names]
        single = order[0] if len(order) == 1 else None
        total_weight = cumulative[-1]
        arrivals = PoissonArrivals(spec.traffic, rng, self.start_of_day, lambda t: None)  # type: ignore[arg-type,return-value]
        heapreplace, heappush, heappop = heapq.heapreplace, heapq.heappush, heapq.heappop
        uniform, bisect_right, log = rng.random, bisect.bisect_right, math.log
        interval, day_start = self.interval, self.start_of_day
        self.totals = {n: Tally(lanes[n].sl_seconds) for n in names}
        busy = 0.0  # agent-seconds of work brought by the calls of the current interval
        index, boundary = -1, -math.inf
        current: dict[str, Tally] = {}
        calls = 0
        t = 0.0
        while t < end:
            rate, change = arrivals.rate_at(t)
            limit = min(change, end)
            if rate <= 0:
                t = limit
                continue
            while True:
                t += -log(1.0 - uniform()) / rate  # rng.expovariate(rate), inlined: the same draw
                if t >= limit:
                    break
                calls += 1
                if t >= boundary:
                    self._close(index, current, busy, staffed_agents, lanes)
                    busy = 0.0
                    index = int((day_start + t) // interval)
                    boundary = (index + 1) * interval - day_start
                    current = {}
                    for lane in order:
                        lane.tally = None
                lane = single or order[bisect_right(cumulative, uniform() * total_weight)]
                tally = lane.tally
                if tally is None:
                    tally = lane.tally = current[lane.name] = Tally(lane.sl_seconds)
                tally.offered += 1
                servers = lane.servers
                if not servers:  # nobody can answer: everyone gives up, at the latest when the run ends
                    tally.left_queue(lane.patience() if lane.patience else end - t, False)
                    continue
                first = servers[0]
                if first <= t:
                    start = t
                else:
                    waiting = lane.leaving
                    while waiting and waiting[0] <= t:
                        heappop(waiting)
                    if len(waiting) >= tally.max_queue:
                        tally.max_queue = len(waiting) + 1
                    if lane.patience is not None:
                        give_up = lane.patience()
                        if first - t > give_up:
                            heappush(waiting, t + give_up)
                            tally.left_queue(give_up, False)
                            continue
                    heappush(waiting, first)
                    start = first
                rate_of_handle = lane.handle_rate
                if rate_of_handle:  # exponential handle times: rng.expovariate, inlined
                    work = -log(1.0 - uniform()) / rate_of_handle + lane.wrap
                else:
                    work = lane.handle() + lane.wrap
                heapreplace(servers, start + work)
                wait = start - t
                # Tally.left_queue(wait, answered=True), inlined: this loop is the hot path.
                tally.waited += 1
                tally.answered += 1
                tally.wait_sum += wait
                tally.answered_wait_sum += wait
                tally.histogram[int(wait) if wait < 600 else bin_of(wait)] += 1
                if wait > tally.longest_wait:
                    tally.longest_wait = wait
                if wait <= lane.sl_seconds:
                    tally.answered_within += 1
                tally.handled += 1
                tally.handle_sum += work
                if uniform() < lane.resolution:
                    tally.resolved += 1
                busy += work
            t = limit
        self._close(index, current, busy, staffed_agents, lanes)
        self.menu_outcomes = {"queued": calls} if calls else {}
        last = max(max((max(lane.servers, default=0.0) for lane in order), default=0.0), end)
        self.length = last
        self.staffed_total = staffed_agents * last
        self.rows.sort(key=lambda r: (r.start, r.queue))

    def _close(self, index: int, tallies: dict[str, Tally], busy: float, agents: int, lanes: dict[str, _Lane]) -> None:
        """Turn an interval's tallies into rows and fold them into the totals; keep nothing else."""
        self.busy_total += busy
        occupancy = min(busy / (agents * self.interval), 1.0) if agents else None
        start = index * self.interval - self.start_of_day
        for name, tally in tallies.items():
            tally.queue_area = tally.wait_sum  # Little's law: time waited / time = average queue
            self.totals[name].add(tally)
            row = tally.row(name, start, self.interval, lanes[name].sl_fraction)
            self.rows.append(_with(row, occupancy))

    def total_rows(self) -> list[Row]:
        length = max(self.length, 1e-9)
        rows = [t.row(n, 0.0, length, self.queues[n].service_level.percent / 100) for n, t in self.totals.items()]
        occupancy = self.busy_total / self.staffed_total if self.staffed_total else None
        return [*rows, combine_rows(rows, "*", occupancy)]


class _Lane(QueueDraws):
    """One queue's agents (their free times) and its waiting callers."""

    __slots__ = ("handle_rate", "leaving", "servers", "tally", "wrap")

    def __init__(self, name: str, queue: QueueSpec, spec: CentreSpec, rng: random.Random) -> None:
        super().__init__(name, queue, spec, rng)
        self.servers: list[float] = []  # a heap of the times each agent comes free
        self.leaving: list[float] = []  # a heap of the times each waiting caller leaves the queue
        self.wrap = spec.wrap_up
        self.tally: Tally | None = None  # this interval's
        handle = queue.handle_time or spec.handle_time
        self.handle_rate = 1 / handle.mean if handle.dist == "exponential" else 0.0


def _with(row: Row, occupancy: float | None) -> Row:
    from dataclasses import replace

    return replace(row, occupancy=occupancy)
