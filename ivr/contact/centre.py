"""A discrete-event simulation of the representatives' floor: callers join queues, agents with the skill
answer them by the queue's routing (routing.py), waiting callers abandon, overflow, take callbacks and hear
announcements (waiting.py), agents take breaks (breaks.py), and the books are kept per interval
(accounting.py). The centre advances only when told to (``advance_to``): as fast as it can headless, in
step with the shared clock in the TUI. Nothing per call is kept once the call is over."""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from typing import Any

from ivr.contact import events as ev
from ivr.contact.accounting import interval_label
from ivr.contact.arrivals import Arrivals
from ivr.contact.day_start import DayStart
from ivr.contact.metrics import Row, Tally
from ivr.contact.participants import (
    ANSWERED,
    AVAILABLE,
    BREAK,
    GONE,
    LOG_OUT,
    LOGGED_OUT,
    TALKING,
    WAITING,
    WRAP_UP,
    Agent,
    AgentState,
    Arrival,
    ArrivalSource,
    Contact,
    QueueState,
)
from ivr.contact.routing import mark_free
from ivr.contact.schedule import EventKind
from ivr.menu.centre_model import CentreSpec, QueueSpec

_AWAY = (BREAK, LOGGED_OUT)  # not staffed


class Centre(Arrivals):
    """The representatives' floor for the queues of one menu."""

    def __init__(
        self,
        spec: CentreSpec,
        queues: dict[str, QueueSpec],
        seed: int | None = None,
        start_of_day: float = 9 * 3600,
        listeners: list[Callable[[ev.CentreEvent], None]] | None = None,
        references: Callable[[str], str] | None = None,
        live_listeners: list[Callable[[ev.CentreEvent], None]] | None = None,
    ) -> None:
        self.spec = spec
        self.references = references  # prefix -> a reference number; None: counted per run from 1
        self.rng = random.Random(seed)
        self.interval = spec.interval
        self.listeners = listeners if listeners is not None else []  # every event
        self.live_listeners = live_listeners if live_listeners is not None else []  # events of live callers
        self.queues = {name: QueueState(name, q, spec, self.rng) for name, q in queues.items()}
        self._staff()
        self._handlers = self._dispatch_table()
        self._day_start: DayStart | None = None
        self.reset(seed, start_of_day)

    def reset(self, seed: int | None, start_of_day: float) -> None:
        """Back to the start of a day with nobody waiting and every agent available (the agents and queues
        themselves are kept: a replay reuses one floor for call after call instead of building it anew)."""
        kept = self._day_start
        fresh = kept is None or self.restaffed or not kept.fits(seed, start_of_day)
        if fresh:
            self.rng.seed(seed)  # the queues' draws are bound to this generator, so they restart with it
        if self.restaffed:  # a trainer added or logged out representatives: back to the menu's teams
            self._staff()
        self.now = 0.0
        self.start_of_day = start_of_day  # local seconds since midnight at simulated time 0
        for agent in self.agents:
            if fresh or agent.calls or agent.since or agent.state is not AVAILABLE or agent.on_break_next:
                agent.state, agent.contact, agent.on_break_next = AVAILABLE, None, None
                agent.busy_since = agent.since = 0.0
                agent.calls = 0
                mark_free(agent, 0.0)  # (a kept day start puts the stamps back)
        # Places are kept (O(log n) a join and a leave) only when someone may be told them; a bare
        # simulation has nobody to tell, and a place asked for anyway is counted from the queue.
        self._places_on = bool(self.listeners or self.live_listeners)
        for queue in self.queues.values():
            queue.waiting.clear()
            queue.places.clear()
            queue.length = 0
            queue.area_since = 0.0
            if fresh or queue.total.offered:  # every figure in a tally follows a caller offered to the queue
                queue.total = Tally(queue.sl_seconds)
            queue.tally_from = queue.tally_until = 0.0  # no interval's tally at hand yet
            assert queue.free is not None
            if fresh:
                queue.free.refill()
        self._heap: list[tuple[float, int, int, Any]] = []
        # Background arrivals come in time order from their sources, so they wait here, one per source,
        # rather than on the heap: the next one is compared with the heap's top.
        self._arrivals: list[tuple[float, int, ArrivalSource, Arrival]] = []
        self._seq = 0
        self._ids = 0
        self._references = 0
        self._sources: list[ArrivalSource] = []
        self.tallies: dict[tuple[str, int], Tally] = {}
        self._closed = {name: q.total for name, q in self.queues.items()}
        self.rows: list[Row] = []
        self.menu_outcomes: dict[str, int] = {}
        self._busy = 0.0  # agent-seconds talking or wrapping up in the current interval
        self._staffed = 0.0  # agent-seconds not on break in the current interval
        self._busy_total = 0.0
        self._staffed_total = 0.0
        self._occupancy: dict[int, float] = {}
        self._accounted_at = 0.0  # busy and staffed time is added up to here
        self._n_busy = 0  # agents talking or wrapping up
        self._n_staffed = len(self.agents)  # agents not on a break
        self._enqueues_pending = 0  # ENQUEUE events on the heap
        self._closed_until = -1  # intervals below this index are over
        self.stopped_at: float | None = None
        if not fresh:
            assert kept is not None
            kept.restore(self)
            return
        self._schedule_breaks()
        self._push(self._next_boundary(0.0), EventKind.TICK, None)
        self._day_start = DayStart.capture(self, seed) if seed is not None else None

    # -- driving ----------------------------------------------------------------------------------

    def advance_to(self, t: float) -> None:
        """Handle every event up to simulated time ``t``."""
        heap, arrivals, handlers, pop = self._heap, self._arrivals, self._handlers, heapq.heappop
        while True:
            if heap and (not arrivals or heap[0][0] <= arrivals[0][0]):  # at a tie, what was scheduled first
                if heap[0][0] > t:
                    break
                when, _, kind, obj = pop(heap)
                self.now = when
                handlers[kind](obj)
            elif arrivals and arrivals[0][0] <= t:
                when, _, source, arrival = pop(arrivals)
                self.now = when
                self._arrive(arrival)
                self._request_arrival(source, when)
            else:
                break
        if t > self.now:
            self.now = t

    def drain(self, limit: float = 7 * 86_400) -> None:
        """Run until every caller still in the centre is answered, has abandoned or has hung up."""
        end = self.now + limit
        while (due := self.next_event_time()) is not None and due <= end:
            if not (self._active() or self._arrivals_left()):
                break
            self.advance_to(due)
        self._close_intervals(final=True)

    def next_event_time(self) -> float | None:
        """When the floor next has something to do by itself, or None."""
        if self._heap and self._arrivals:
            return min(self._heap[0][0], self._arrivals[0][0])
        if self._heap:
            return self._heap[0][0]
        return self._arrivals[0][0] if self._arrivals else None

    # -- the live caller's side ---------------------------------------------------------------------

    def enqueue(
        self,
        queue: str,
        live: bool = True,
        data: dict[str, Any] | None = None,
        before_join: Callable[[Contact], None] | None = None,
    ) -> Contact:
        """A caller joins ``queue`` now (the live caller from the menu, typically). ``before_join`` is
        given the contact before anything happens to it, so that its events can be told apart."""
        contact = self._new_contact(self.queues[queue], live)
        if data:
            contact.data = data
        if before_join is not None:
            before_join(contact)
        self._join(contact)
        return contact

    def logged_in(self, queue: str) -> int:
        """How many representatives who can answer ``queue`` are logged in (on a break counts)."""
        return len(self.queues[queue].agents)

    def hang_up(self, contact: Contact) -> None:
        """The caller hangs up: abandons if waiting, ends the conversation if talking."""
        if contact.state == WAITING:
            self._abandon(contact)
        elif contact.state == ANSWERED and contact.agent is not None:
            contact.handle = self.now - contact.agent.busy_since
            self._end_talk(contact.agent)

    def accept_callback(self, contact: Contact) -> None:
        if contact.state == WAITING and not contact.callback:
            self._take_callback(contact)

    # -- reports -------------------------------------------------------------------------------------

    def interval_label(self, start: float) -> str:
        return interval_label(self.start_of_day, start)

    # -- internals: arrivals -------------------------------------------------------------------------

    def _active(self) -> bool:
        return self._n_busy > 0 or any(q.length for q in self.queues.values())

    # -- internals: events ---------------------------------------------------------------------------

    def _push(self, when: float, kind: int, obj: Any) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (when, self._seq, kind, obj))

    def _dispatch_table(self) -> tuple[Callable[[Any], None], ...]:
        """One handler per :class:`EventKind`, in the order of its values."""
        table: dict[EventKind, Callable[[Any], None]] = {
            EventKind.END_TALK: self._end_talk,
            EventKind.END_WRAP: self._end_wrap,
            EventKind.BREAK_END: self._end_break,
            EventKind.BREAK_START: lambda obj: self._start_break(*obj),
            EventKind.ABANDON: self._patience_over,
            EventKind.OVERFLOW: self._overflow_due,
            EventKind.CALLBACK: self._callback_due,
            EventKind.ANNOUNCE: self._announce_due,
            EventKind.ENQUEUE: self._enqueue_due,
            EventKind.TICK: lambda _: self._tick(),
        }
        return tuple(table[kind] for kind in EventKind)

    def _join(self, contact: Contact) -> None:
        queue = contact.queue
        now = self.now
        contact.offered_at = now
        tally = self._tally(queue, now)
        contact.tally = tally
        tally.offered += 1
        spec = queue.spec
        if spec.max_length is not None and queue.length >= spec.max_length:
            tally.blocked += 1
            contact.state = GONE
            if self.listeners or contact.live:
                self._emit(ev.QueueFull(now, contact.id, queue.name, contact.live, contact.data), contact.live)
            return
        tally.pending += 1
        if queue.length == 0:
            assert queue.free is not None
            agent = queue.free.pick()
            if agent is not None:
                self._answer(contact, agent)
                return
        self._queue_length(queue, +1)
        if self._places_on:
            contact.place = queue.places.join(c.place for c in queue.waiting if c.state == WAITING and c.queue is queue)
        queue.waiting.append(contact)
        if contact.live:  # the caller is told their place and wait; working the wait out is O(agents)
            position = queue.length
            told = self.estimated_wait(queue, position)
            self._emit(ev.ContactQueued(now, contact.id, queue.name, position, told, True), True)
        elif self.listeners:
            self._emit(ev.ContactQueued(now, contact.id, queue.name, queue.length, None, False))
        if contact.patience_at < math.inf and not contact.live:
            self._push(contact.patience_at, EventKind.ABANDON, contact)
        if spec.overflow is not None:
            self._push(now + spec.overflow.after, EventKind.OVERFLOW, (contact, queue))
        if spec.callback is not None:
            offer = spec.callback
            if offer.wait_over is not None and self.estimated_wait(queue, queue.length) > offer.wait_over:
                self._offer_callback(contact)
            elif offer.after is not None:
                self._push(now + offer.after, EventKind.CALLBACK, (contact, queue))
        if contact.live and spec.announce is not None:
            self._push(now + spec.announce.every, EventKind.ANNOUNCE, (contact, queue))

    def _answer(self, contact: Contact, agent: Agent) -> None:
        now = self.now
        wait = now - contact.offered_at
        contact.state = ANSWERED
        contact.agent = agent
        queue = contact.queue
        tally = contact.tally
        assert tally is not None
        tally.left_queue(wait, True)
        if contact.callback:
            tally.callbacks += 1
        agent.contact = contact
        self._set_agent(agent, TALKING)
        agent.busy_since = now
        agent.calls += 1
        if self.listeners or contact.live:
            event = ev.ContactAnswered(now, contact.id, queue.name, agent.name, wait, contact.callback, contact.live)
            self._emit(event, contact.live)
        self._seq += 1
        heapq.heappush(self._heap, (now + contact.handle, self._seq, EventKind.END_TALK, agent))

    def _end_talk(self, agent: Agent) -> None:
        contact = agent.contact
        if contact is None or agent.state is not TALKING:
            return
        queue = contact.queue
        resolved = self.rng.random() < queue.resolution
        handle = self.now - agent.busy_since
        tally = contact.tally
        assert tally is not None
        tally.handled += 1
        tally.handle_sum += handle + agent.wrap_up
        tally.resolved += resolved
        contact.state = GONE
        self._settle(contact)
        agent.contact = None
        self._references += 1  # every ended call has its number; the text is made only when read
        if self.listeners or contact.live:
            reference = self._reference()
            event = ev.ContactEnded(
                self.now, contact.id, queue.name, agent.name, reference, resolved, handle, contact.live, contact.data
            )
            self._emit(event, contact.live)
        if agent.wrap_up > 0:
            self._set_agent(agent, WRAP_UP)
            self._push(self.now + agent.wrap_up, EventKind.END_WRAP, agent)
        elif agent.on_break_next is not None:
            self._end_wrap(agent)
        else:
            self._next_for(agent)

    def _reference(self) -> str:
        """The reference number of a call that has just ended; made only for someone who reads it."""
        if self.references is not None:
            return self.references(self.spec.reference_prefix)
        return f"{self.spec.reference_prefix}-{self._references:06d}"

    def _end_wrap(self, agent: Agent) -> None:
        if agent.on_break_next == LOG_OUT:
            agent.on_break_next = None
            self._set_agent(agent, LOGGED_OUT)
            return
        if agent.on_break_next is not None:
            length, agent.on_break_next = agent.on_break_next, None
            self._set_agent(agent, BREAK)
            self._push(self.now + length, EventKind.BREAK_END, agent)
            return
        self._next_for(agent)

    def _next_for(self, agent: Agent) -> None:
        """An agent just came free: answer the best waiting caller of the queues they serve, or wait."""
        best: Contact | None = None
        best_key: tuple[int, int, float] | None = None
        for queue in agent.queues:
            if not queue.length:
                continue
            head = self._head(queue)
            if head is None:
                continue
            key = (-queue.spec.priority, agent.levels[queue.skill], head.offered_at)
            if best_key is None or key < best_key:
                best, best_key = head, key
        if best is not None:
            queue = best.queue
            queue.waiting.popleft()
            self._leave_queue(queue, best)
            self._answer(best, agent)
            return
        self._set_agent(agent, AVAILABLE)
        self._make_free(agent, self.now)

    def _make_free(self, agent: Agent, now: float) -> None:
        mark_free(agent, now)
        for queue in agent.queues:
            assert queue.free is not None
            queue.free.add(agent)

    def _head(self, queue: QueueState) -> Contact | None:
        waiting = queue.waiting
        while waiting and (waiting[0].state != WAITING or waiting[0].queue is not queue):
            waiting.popleft()
        return waiting[0] if waiting else None

    # -- internals: agents and breaks ----------------------------------------------------------------

    def _set_agent(self, agent: Agent, state: AgentState) -> None:
        self._account_floor()
        old = agent.state
        self._n_busy += (state is TALKING or state is WRAP_UP) - (old is TALKING or old is WRAP_UP)
        self._n_staffed += (state not in _AWAY) - (old not in _AWAY)
        agent.state = state
        agent.since = self.now
        if self.listeners:
            self._emit(ev.AgentStateChanged(self.now, agent.name, state, agent.contact.id if agent.contact else None))
