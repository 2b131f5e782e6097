"""Load: many simultaneous simulated callers through the menu and the queues, like SIPp's call rate.

Every caller is a real call on the shared clock, alive at the same simulated time as the others: they
listen to prompts (at a reading pace), think, press keys or stay silent, reach a queue and wait there for
a representative, or give up. One event heap drives them all, so 10,000 callers at once cost memory for
10,000 small call objects and nothing else.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ivr.call.callers import CallerMix, CallerPolicy, act
from ivr.call.clock import SimClock
from ivr.call.engine import engine_for
from ivr.call.line import start_of_day
from ivr.call.pacing import READING
from ivr.call.session import Call, CallStatus
from ivr.contact import events as cev
from ivr.contact.centre import Centre
from ivr.contact.metrics import Row
from ivr.contact.participants import GONE
from ivr.menu.compiled import Menu

BUCKETS = (10, 30, 60, 120, 300, 600)  # seconds, for time-in-menu and call-length distributions
_ARRIVE, _ACT, _POLL, _JOIN = 0, 1, 2, 3
DROPPED = ("dead-end", "max-attempts", "loop")


def bucket_of(seconds: float) -> str:
    for edge in BUCKETS:
        if seconds < edge:
            return f"< {edge} s"
    return f">= {BUCKETS[-1]} s"


def bucket_names() -> list[str]:
    return [f"< {edge} s" for edge in BUCKETS] + [f">= {BUCKETS[-1]} s"]


@dataclass
class Period:
    """Figures at one moment of the run, like SIPp's periodic statistics."""

    at: float
    started: int
    in_menu: int
    waiting: int
    talking: int
    completed: int
    abandoned: int
    failed: int


@dataclass
class LoadReport:
    callers: int
    rate: float
    simulated_seconds: float = 0.0
    peak_concurrent: int = 0
    completed: int = 0  # answered and ended, transferred, or finished in the menu
    abandoned: int = 0  # hung up while waiting for a representative
    blocked: int = 0  # the queue was full
    failed: Counter[str] = field(default_factory=Counter)  # by cause
    outcomes: Counter[str] = field(default_factory=Counter)
    time_in_menu: Counter[str] = field(default_factory=Counter)
    call_length: Counter[str] = field(default_factory=Counter)
    periods: list[Period] = field(default_factory=list)
    queues: list[Row] = field(default_factory=list)


class _Caller:
    __slots__ = ("actions", "call", "contact", "joining", "left_menu", "started")

    def __init__(self, call: Call, started: float) -> None:
        self.call = call
        self.actions: list[str] = []
        self.joining = False
        self.started = started
        self.left_menu: float | None = None
        self.contact: int | None = None


def run_load(
    menu: Menu,
    callers: int,
    rate: float,
    seed: int,
    at: datetime,
    period: float = 10.0,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Start ``callers`` calls, ``rate`` a second, and run until every one is over."""
    rng = random.Random(seed)
    clock = SimClock(at)
    engine = engine_for(menu)
    report = LoadReport(callers, rate)
    choices = menu.centre.traffic.choices if menu.centre and menu.centre.traffic else {}
    policy = CallerPolicy(choices, rng)
    mix = CallerMix(menu, rng)
    live: dict[int, _Caller] = {}
    by_contact: dict[int, int] = {}
    day = start_of_day(at, menu)
    counts = {"in_menu": 0, "waiting": 0, "talking": 0}

    floor_events: list[cev.CentreEvent] = []

    def settle_floor() -> None:
        """Account for what happened on the floor (handled after the centre call that caused it returns)."""
        for event in floor_events:
            on_floor(event)
        floor_events.clear()

    def on_floor(event: cev.CentreEvent) -> None:
        if isinstance(event, cev.ContactAnswered):
            counts["waiting"] -= 1
            counts["talking"] += 1
        elif isinstance(event, cev.ContactAbandoned):
            counts["waiting"] -= 1
            report.abandoned += 1
            _finish(live.pop(by_contact.pop(event.contact)), event.at, "abandoned in queue")
        elif isinstance(event, cev.ContactEnded):
            counts["talking"] -= 1
            report.completed += 1
            _finish(live.pop(by_contact.pop(event.contact)), event.at, "answered")

    def _finish(caller: _Caller, when: float, outcome: str) -> None:
        report.outcomes[outcome] += 1
        report.call_length[bucket_of(when - caller.started)] += 1

    centre = None
    if menu.centre is not None:
        # The load's callers are the only traffic: no background arrivals, no retrials.
        floor = menu.centre.model_copy(update={"traffic": None})
        centre = Centre(floor, menu.queues, seed=seed + 1, start_of_day=day, listeners=[floor_events.append])
    heap: list[tuple[float, int, int, int]] = []
    seq = 0

    def push(when: float, kind: int, index: int) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(heap, (when, seq, kind, index))

    gap = 1.0 / rate
    for index in range(callers):
        push(index * gap, _ARRIVE, index)
    next_period = period
    started = 0

    def after(index: int, caller: _Caller) -> None:
        """Decide what the caller does next, or account for how the call left the menu."""
        call = caller.call
        now = clock.now()
        if call.status == CallStatus.ACTIVE:
            actions = caller.actions = policy.next_actions(call)
            if actions == ["wait"]:
                push(call.deadline if call.deadline is not None else now, _POLL, index)
            else:
                push(call.settled_at() + policy.pause_before(call), _ACT, index)
            return
        if call.status == CallStatus.QUEUED and not caller.joining and call.settled_at() > now:
            caller.joining = True  # the caller joins the queue once its prompt has been heard
            push(call.settled_at(), _JOIN, index)
            return
        counts["in_menu"] -= 1
        report.time_in_menu[bucket_of(now - caller.started)] += 1
        if call.status == CallStatus.QUEUED and centre is not None and call.queue is not None:
            contact = centre.enqueue(call.queue, live=False)
            caller.contact = contact.id
            if contact.state == GONE:  # the queue was full
                floor_events.clear()
                report.blocked += 1
                _finish(live.pop(index), now, "queue full")
                return
            counts["waiting"] += 1
            by_contact[contact.id] = index
            settle_floor()
            return
        live.pop(index)
        if call.status == CallStatus.QUEUED:
            report.completed += 1
            _finish(caller, now, f"queued: {call.queue} (no centre)")
        elif call.status == CallStatus.TRANSFERRED:
            report.completed += 1
            _finish(caller, now, "transferred")
        elif call.end_reason in DROPPED:
            report.failed[call.end_reason or "?"] += 1
            _finish(caller, now, f"failed: {call.end_reason}")
        else:
            report.completed += 1
            _finish(caller, now, f"ended in menu: {call.end_reason}")

    while heap:
        when, _, kind, index = heapq.heappop(heap)
        while when >= next_period:
            if centre is not None:
                centre.advance_to(next_period)
                settle_floor()
            report.periods.append(_period(next_period, started, counts, report))
            next_period += period
        clock.advance_to(when)
        if centre is not None:
            centre.advance_to(when)
            settle_floor()
        if kind == _ARRIVE:
            call = engine.start_call(mix.draw(), clock, keep_transcript=False, speech=READING)
            caller = live[index] = _Caller(call, when)
            counts["in_menu"] += 1
            started += 1
            if progress is not None:
                progress(started)
        else:
            caller = live.get(index)  # type: ignore[assignment]
            if caller is None:
                continue
            if kind == _JOIN:
                caller.call.poll()
                after(index, caller)
                continue
            if caller.call.status != CallStatus.ACTIVE:
                continue
            if kind == _POLL:
                caller.call.poll()
            else:
                _act(caller)
        concurrent = counts["in_menu"] + counts["waiting"] + counts["talking"]
        report.peak_concurrent = max(report.peak_concurrent, concurrent)
        if caller.call.status == CallStatus.ACTIVE or caller.left_menu is None:
            if caller.call.status != CallStatus.ACTIVE:
                caller.left_menu = clock.now()
            after(index, caller)
    if centre is not None:
        centre.drain()
        settle_floor()
        report.queues = centre.total_rows()
        report.simulated_seconds = max(clock.now(), centre.now)
    else:
        report.simulated_seconds = clock.now()
    report.periods.append(_period(report.simulated_seconds, started, counts, report))
    return report


def _act(caller: _Caller) -> None:
    """Do what the caller chose: a digit entry is typed in one go, a menu gets one key."""
    call = caller.call
    call.poll()  # the prompts heard while thinking
    act(call, caller.actions, call.poll)


def _period(at: float, started: int, counts: dict[str, int], report: LoadReport) -> Period:
    return Period(
        at=at,
        started=started,
        in_menu=counts["in_menu"],
        waiting=counts["waiting"],
        talking=counts["talking"],
        completed=report.completed,
        abandoned=report.abandoned,
        failed=sum(report.failed.values()),
    )
