"""Load: many simultaneous simulated callers through the menu and the queues, like SIPp's call rate.

Every caller is a live call dialled on one :class:`ivr.call.line.Line`, the driver every front end uses,
alive at the same simulated time as the others: they listen to prompts (at a reading pace), think, press
keys or stay silent, reach a queue and hear its announcements there, take a callback when offered (at the
queue's accept rate), wait for a representative or give up at their patience, and answer the survey
after. The line's clock takes the calls, the floor and the callers' own decisions in time order, so 10,000
callers at once cost memory for 10,000 small call objects and nothing else.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ivr.call.callers import MAX_STEPS, THINK_SECONDS, CallerMix, CallerPolicy
from ivr.call.clock import SimClock
from ivr.call.driver import LiveCall
from ivr.call.events import (
    Answered,
    CallbackOffered,
    CallEvent,
    HungUp,
    QueueBusy,
    Queued,
    QueuePosition,
    RepresentativeDone,
    Transferred,
)
from ivr.call.line import Line
from ivr.call.session import ACTIVE, QUEUED
from ivr.contact.metrics import Row
from ivr.menu.compiled import Menu

BUCKETS = (10, 30, 60, 120, 300, 600)  # seconds, for time-in-menu and call-length distributions
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


class _Place:
    """Where a caller is, for the periodic figures."""

    MENU, WAITING, TALKING = "in_menu", "waiting", "talking"


class _Run:
    """One load run: the callers dialled on the line, what each decides, and the figures kept."""

    def __init__(self, menu: Menu, line: Line, report: LoadReport, rng: random.Random) -> None:
        traffic = menu.centre.traffic if menu.centre else None
        self.menu = menu
        self.line = line
        self.report = report
        self.policy = CallerPolicy(traffic.choices if traffic else {}, rng)
        self.mix = CallerMix(menu, rng)
        self.rng = rng
        self.counts = {_Place.MENU: 0, _Place.WAITING: 0, _Place.TALKING: 0}
        self.started = 0
        self.finished = 0

    def dial(self) -> None:
        caller = _Caller(self)
        self.started += 1
        self.counts[_Place.MENU] += 1
        caller.place = _Place.MENU
        concurrent = sum(self.counts.values())
        if concurrent > self.report.peak_concurrent:
            self.report.peak_concurrent = concurrent
        caller.started = self.line.clock.now()
        caller.live = self.line.dial(self.mix.draw(), [caller.on_event], keep_transcript=False)
        early, caller.early = caller.early, None
        for event in early or ():  # what the call did as it was dialled (a menu that ends at once)
            caller.on_event(event)
        caller.decide()

    def period(self, at: float) -> Period:
        counts, report = self.counts, self.report
        return Period(
            at=at,
            started=self.started,
            in_menu=counts[_Place.MENU],
            waiting=counts[_Place.WAITING],
            talking=counts[_Place.TALKING],
            completed=report.completed,
            abandoned=report.abandoned,
            failed=sum(report.failed.values()),
        )


class _Caller:
    """One simulated caller: decides what to do at each node by the caller policy, on the line's clock."""

    __slots__ = (
        "answered",
        "busy",
        "decisions",
        "done",
        "early",
        "left_menu",
        "live",
        "patient",
        "place",
        "run",
        "started",
    )

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.live: LiveCall | None = None
        self.started = 0.0
        self.place: str | None = None
        self.left_menu = False
        self.answered = False
        self.busy = False  # turned away by a queue (full, or nobody logged in)
        self.patient = False  # a give-up is set for the current wait
        self.decisions = 0
        self.done = False
        self.early: list[CallEvent] | None = []  # events published while dialling, before `live` is set

    # -- deciding ------------------------------------------------------------------------------------

    def decide(self) -> None:
        """At an input node: set the next action, after the prompt and a moment's thought (or the timeout)."""
        live = self.live
        if live is None or live.call.status != ACTIVE:
            return  # done, or not at a node where the caller acts
        call = live.call
        self.decisions += 1
        if self.decisions > MAX_STEPS:
            live.hang_up()  # a caller who cannot find their way out gives up (counted by how the call ends)
            return
        actions = self.run.policy.next_actions(call)
        node, decision = call.node, self.decisions
        if actions == ["wait"]:
            when = call.deadline if call.deadline is not None else call.settled_at() + THINK_SECONDS
            self.run.line.at(when, lambda: self._redecide(decision))
        else:
            when = call.settled_at() + self.run.policy.pause_before(call)
            self.run.line.at(when, lambda: self._act(decision, node.id, actions))

    def _redecide(self, decision: int) -> None:
        if decision == self.decisions:
            self.decide()

    def _act(self, decision: int, node: str, actions: list[str]) -> None:
        live = self.live
        if decision != self.decisions or live is None:
            return  # something else happened meanwhile (the caller was moved on, or the call is over)
        call = live.call
        for action in actions:
            if call.status != ACTIVE or call.state != node:
                break
            if action == "hangup":
                live.hang_up()
            elif action != "wait":
                live.press(action)
        self.decide()

    def _give_up(self) -> None:
        live = self.live
        if live is not None and live.call.status == QUEUED and live.answered_by is None:
            live.hang_up()

    def _take_callback(self, key: str) -> None:
        live = self.live
        if live is not None and live.callback_open and live.call.status == QUEUED:
            live.press(key)

    # -- what the call does --------------------------------------------------------------------------

    def on_event(self, event: CallEvent) -> None:
        kind = type(event)
        if kind not in _HEEDED:
            return
        run, live = self.run, self.live
        if live is None:
            if self.early is not None:
                self.early.append(event)
            return
        now = live.call.started_at + event.at
        if kind is Queued:
            self._leave_menu(now)
            if run.line.centre is None:  # no floor to wait on: the call ends here, as far as load goes
                self._finish(now, f"queued: {live.call.queue} (no centre)")
                return
            self._move(_Place.WAITING)
            self.patient = False
        elif kind is QueuePosition:
            contact = live.contact
            if not self.patient and contact is not None and contact.patience_at < math.inf:
                self.patient = True  # the caller's patience, drawn for the queue they wait in
                run.line.at(contact.patience_at, self._give_up)
        elif kind is QueueBusy:
            self.busy = True
            self._move(_Place.MENU)
            run.line.at(now, self.decide)  # the busy route may go on to another node
        elif kind is CallbackOffered:
            spec = run.menu.queues.get(event.queue)  # type: ignore[attr-defined]
            rate = spec.callback.accept_rate if spec is not None and spec.callback is not None else 0.0
            if run.rng.random() < rate:
                key = event.key  # type: ignore[attr-defined]
                run.line.at(now + THINK_SECONDS, lambda: self._take_callback(key))
        elif kind is Answered:
            self.answered = True
            self._move(_Place.TALKING)
        elif kind is RepresentativeDone:
            self._move(_Place.MENU)
            run.line.at(now, self.decide)  # the survey, or the goodbye
        elif kind is Transferred:
            self._leave_menu(now)
            self._finish(now, "transferred")
        elif kind is HungUp:
            self._leave_menu(now)
            self._finish(now, self._outcome(event.reason))  # type: ignore[attr-defined]

    def _outcome(self, reason: str) -> str:
        if self.place == _Place.WAITING and reason == "caller":
            return "abandoned in queue"
        if self.answered:
            return "answered"
        if reason == "callback":
            return "callback"
        if self.busy:
            return "queue full"
        if reason in DROPPED:
            return f"failed: {reason}"
        return f"ended in menu: {reason}"

    def _leave_menu(self, now: float) -> None:
        if not self.left_menu:
            self.left_menu = True
            self.run.report.time_in_menu[bucket_of(now - self.started)] += 1

    def _move(self, place: str | None) -> None:
        counts = self.run.counts
        if self.place is not None:
            counts[self.place] -= 1
        if place is not None:
            counts[place] += 1
        self.place = place

    def _finish(self, now: float, outcome: str) -> None:
        if self.done:
            return
        self.done = True
        run, report = self.run, self.run.report
        if outcome == "abandoned in queue":
            report.abandoned += 1
        elif outcome == "queue full":
            report.blocked += 1
        elif outcome.startswith("failed: "):
            report.failed[outcome.removeprefix("failed: ")] += 1
        else:
            report.completed += 1
        report.outcomes[outcome] += 1
        report.call_length[bucket_of(now - self.started)] += 1
        self._move(None)
        run.finished += 1
        self.live = None  # the call object is let go: nothing per caller is kept once they are done


_HEEDED = frozenset(
    (Queued, QueuePosition, QueueBusy, CallbackOffered, Answered, RepresentativeDone, Transferred, HungUp)
)  # the events a simulated caller's decisions and the figures depend on


MAX_CALL_SECONDS = 7 * 86_400  # no simulated call lasts a week: one still open then is a fault


class LoadStuck(RuntimeError):
    """Callers were left on the line with nothing that would end their calls."""


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
    clock = SimClock(at)
    # The load's callers are the only traffic on the line: no background arrivals.
    line = Line(menu, clock, seed=seed + 1, background=False)
    report = LoadReport(callers, rate)
    run = _Run(menu, line, report, random.Random(seed))
    gap = 1.0 / rate

    def arrive() -> None:
        run.dial()
        if progress is not None:
            progress(run.started)
        if run.started < callers:
            line.at(run.started * gap, arrive)

    def snapshot(at: float) -> None:
        report.periods.append(run.period(at))
        if run.finished < callers:
            line.at(at + period, lambda: snapshot(at + period))

    if callers:
        line.at(0.0, arrive)
    line.at(period, lambda: snapshot(period))
    horizon = callers * gap + MAX_CALL_SECONDS  # the last caller dials, then has this long to finish
    while run.finished < callers:
        due = line.next_time()
        if due is None or due > horizon:  # nothing left that ends the open calls: say so, never hang
            left = callers - run.finished
            raise LoadStuck(
                f"{left} caller(s) were still on the line {MAX_CALL_SECONDS / 86_400:g} days after the last dialled"
            )
        line.advance_to(due)
    report.simulated_seconds = clock.now()
    report.queues = line.close_day()
    report.periods.append(run.period(report.simulated_seconds))
    return report
