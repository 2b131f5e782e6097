"""A call line: the menu's shared machine, the representatives' floor (when the menu has one) and the
background callers, all on one simulated clock.

Front ends dial live calls with :meth:`Line.dial` and move time only with :meth:`Line.advance` (or
:meth:`Line.run_until`), which takes every live call's prompts and timeouts and every floor event in time
order. Nothing else moves the clock, so the floor can never lag behind a call.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Sequence
from datetime import datetime

from ivr.call.callers import MenuWalker
from ivr.call.clock import SimClock
from ivr.call.driver import LiveCall
from ivr.call.engine import Caller, engine_for
from ivr.call.events import CallEvent
from ivr.call.pacing import READING, Pacing
from ivr.contact.centre import Centre
from ivr.contact.events import CentreEvent
from ivr.contact.metrics import Row
from ivr.contact.participants import Floor
from ivr.contact.traffic import PoissonArrivals, by_share
from ivr.menu.centre_model import Scenario
from ivr.menu.compiled import Menu

MAX_EVENTS_PER_ADVANCE = 10_000_000  # a guard: no advance of the clock handles more than this


def start_of_day(moment: datetime, menu: Menu) -> float:
    """Local seconds since midnight at ``moment`` (simulated time 0), in the menu's time zone."""
    local = moment.astimezone(menu.timezone)
    return local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6


class Line:
    """The menu and, when it has representatives, the centre on one clock: the API front ends drive."""

    def __init__(
        self,
        menu: Menu,
        clock: SimClock,
        seed: int | None = None,
        background: bool = True,
        centre_listeners: Sequence[Callable[[CentreEvent], None]] | None = None,
        pacing: Pacing = READING,
        references: Callable[[str], str] | None = None,
    ) -> None:
        self.menu = menu
        self.pacing = pacing
        self.seed = seed
        self.background = background
        self.engine = engine_for(menu)
        self.rng = random.Random()
        self.centre: Centre | None = None
        if menu.centre is not None:
            self.centre = Centre(
                menu.centre,
                menu.queues,
                seed=seed,
                listeners=list(centre_listeners or []),
                references=references,
                live_listeners=[self._on_floor],
            )
        self.reset(clock)

    def reset(self, clock: SimClock) -> None:
        """Start the line afresh on ``clock``: no live calls, the floor at the start of its day."""
        self.clock = clock
        # Live calls by when each next does something by itself (its prompt starts, its timeout fires),
        # and callbacks set with `at`: heaps, so that 10,000 calls at once cost O(log n) a step. A call's
        # entry is current while its time equals `LiveCall.due`; others are stale and skipped.
        self._calls: list[tuple[float, int, int, LiveCall]] = []
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = 0
        self.by_contact: dict[int, LiveCall] = {}
        self.rng.seed(None if self.seed is None else self.seed + 1)
        self.pace = 1.0  # a new day runs at the menu's own traffic
        menu, centre = self.menu, self.centre
        if centre is None or menu.centre is None:
            return
        day = start_of_day(clock.wall(0.0), menu)
        centre.reset(self.seed, day)
        centre.advance_to(clock.now())
        traffic = menu.centre.traffic
        if self.background and traffic is not None:
            route = (
                by_share(traffic.queues, self.rng)
                if traffic.queues
                else MenuWalker(self.engine, self.rng, clock.wall(0.0), self.pacing, traffic.choices).walk
            )
            centre.add_source(PoissonArrivals(traffic, self.rng, day, route))

    def dial(
        self,
        caller: Caller | None = None,
        listeners: list[Callable[[CallEvent], None]] | None = None,
        to_floor: bool = True,
        keep_transcript: bool = True,
    ) -> LiveCall:
        """A live caller dials in now. With ``to_floor`` False (role play) a queued caller waits for the
        user, as the representative, instead of joining the simulated floor."""
        live = LiveCall(self, caller or Caller(), listeners or [], to_floor, keep_transcript)
        self._seq += 1
        live.order = self._seq  # calls due at the same moment go in the order they were dialled
        live.start()
        return live

    def at(self, when: float, action: Callable[[], None]) -> None:
        """Run ``action`` when the clock reaches ``when`` (after the calls' and the floor's events then):
        how a simulated caller's own decisions, such as a key after a moment's thought, join the line."""
        self._seq += 1
        heapq.heappush(self._timers, (when, self._seq, action))

    def touch(self, live: LiveCall) -> None:
        """``live`` may have something new to do by itself: (re)schedule it."""
        due = live.next_time()
        if due is not None and due != live.due:
            self._seq += 1
            heapq.heappush(self._calls, (due, live.order, self._seq, live))
        live.due = due

    # -- time ----------------------------------------------------------------------------------------

    def next_time(self) -> float | None:
        """When something next happens by itself on a live call or on the floor."""
        calls, times = self._calls, []
        while calls and calls[0][3].due != calls[0][0]:
            heapq.heappop(calls)  # stale: the call has been rescheduled since
        if calls:
            times.append(calls[0][0])
        if self._timers:
            times.append(self._timers[0][0])
        if self.centre is not None and (t := self.centre.next_event_time()) is not None:
            times.append(t)
        return min(times) if times else None

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass: prompts start, timeouts fire and the floor moves, in order."""
        self.advance_to(self.clock.now() + seconds)

    def advance_to(self, target: float) -> None:
        for _ in range(MAX_EVENTS_PER_ADVANCE):
            due = self.next_time()
            step = target if due is None or due > target else max(due, self.clock.now())
            self.clock.advance_to(step)
            self.sync()
            if step >= target:
                return
        raise RuntimeError(f"more than {MAX_EVENTS_PER_ADVANCE:,} events without the clock reaching {target:g} s")

    def run_until(self, done: Callable[[], bool], limit: float) -> bool:
        """Let time pass, one event at a time, until ``done()`` holds or ``limit`` seconds have passed."""
        end = self.clock.now() + limit
        while not done():
            if self.clock.now() >= end:
                return False
            due = self.next_time()
            self.advance_to(end if due is None else min(max(due, self.clock.now()), end))
        return True

    def sync(self) -> None:
        """Handle what is due at the clock's current time: each live call's, then the floor's, then the
        actions set with :meth:`at`."""
        now, calls, timers = self.clock.now(), self._calls, self._timers
        while calls and calls[0][0] <= now:
            due, _, _, live = heapq.heappop(calls)
            if live.due == due:
                live.due = None
                live.poll()  # touches the call again
        if self.centre is not None:
            self.centre.advance_to(now)
        while timers and timers[0][0] <= now:
            heapq.heappop(timers)[2]()

    # -- the floor -----------------------------------------------------------------------------------

    def _on_floor(self, event: CentreEvent) -> None:
        contact = getattr(event, "contact", None)
        if contact is not None and (live := self.by_contact.get(contact)) is not None:
            live.on_floor(event)
            self.touch(live)

    def close_day(self) -> list[Row]:
        """Let the floor finish with whoever it still has, and close its books: each queue's figures for
        the whole run (empty without a floor)."""
        if self.centre is None:
            return []
        self.centre.drain()
        return self.centre.total_rows()

    def floor(self) -> Floor | None:
        return self.centre.floor() if self.centre is not None else None

    # -- a trainer's controls (each raises ValueError with what to do instead) -------------------------

    def _floor(self) -> Centre:
        if self.centre is None:
            raise ValueError("this menu has no representatives' floor")
        return self.centre

    def teams(self) -> list[str]:
        return self.centre.teams() if self.centre is not None else []

    def set_pace(self, factor: float) -> None:
        """Background callers come ``factor`` times as often as the menu says (a surge, a lull)."""
        self._floor().set_pace(factor)
        self.pace = factor

    def log_in(self, team: str) -> str:
        """One more representative of ``team``; their name."""
        return self._floor().log_in(team).name

    def log_out(self, team: str) -> str | None:
        """One representative of ``team`` goes home (after their call); their name, or None if none left."""
        agent = self._floor().log_out(team)
        return agent.name if agent is not None else None

    def stage(self, scenario: Scenario) -> list[str]:
        """Stage ``scenario`` on the floor now (its pace, staffing and breaks, then its warm-up); what
        was done, in words. The day's own floor comes back with :meth:`reset`."""
        done: list[str] = []
        if scenario.pace != self.pace:
            self.set_pace(scenario.pace)
            done.append(f"callers x{scenario.pace:g}")
        for team, change in scenario.staffing.items():
            moved = [self.log_in(team) for _ in range(change)]
            moved += [name for _ in range(-change) if (name := self.log_out(team)) is not None]
            done.append(f"{team} {'+' if change > 0 else '-'}{len(moved)}")
        for team in scenario.breaks:
            done.append(f"{self.team_break(team, scenario.break_length)} of {team} on a break")
        if scenario.warm_up:
            self.advance(scenario.warm_up)
            done.append(f"the floor ran {scenario.warm_up / 60:g} minutes")
        return done

    def team_break(self, team: str, seconds: float) -> int:
        """Everyone of ``team`` on a break of ``seconds`` (after their call); how many."""
        return self._floor().team_break(team, seconds)
