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
from ivr.contact.breaks import Breaks
from ivr.contact.metrics import Row, Tally
from ivr.contact.participants import (
    ANSWERED,
    AVAILABLE,
    BREAK,
    GONE,
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
from ivr.contact.routing import pick_agent
from ivr.contact.schedule import EventKind
from ivr.menu.centre_model import CentreSpec, QueueSpec


class Centre(Breaks):
    """The representatives' floor for the queues of one menu."""

    def __init__(
        self,
        spec: CentreSpec,
        queues: dict[str, QueueSpec],
        seed: int | None = None,
        start_of_day: float = 9 * 3600,
        listeners: list[Callable[[ev.CentreEvent], None]] | None = None,
        references: Callable[[str], str] | None = None,
    ) -> None:
        self.spec = spec
        self.references = references  # prefix -> a reference number; None: counted per run from 1
        self.rng = random.Random(seed)
        self.interval = spec.interval
        self.listeners = listeners if listeners is not None else []
        self.queues = {name: QueueState(name, q, spec, self.rng) for name, q in queues.items()}
        self.agents: list[Agent] = []
        for team in spec.agents:
            for i in range(team.count):
                name = team.name if team.count == 1 else f"{team.name} {i + 1}"
                wrap = spec.wrap_up if team.wrap_up is None else team.wrap_up
                self.agents.append(Agent(name, dict(team.skills), wrap))
        for queue in self.queues.values():
            queue.agents = sorted(
                (a for a in self.agents if queue.skill in a.levels), key=lambda a: a.levels[queue.skill]
            )
        self._agent_queues = {
            id(agent): sorted(
                (q for q in self.queues.values() if q.skill in agent.levels),
                key=lambda q: (-q.spec.priority, agent.levels[q.skill]),
            )
            for agent in self.agents
        }
        self._handlers = self._dispatch_table()
        self.reset(seed, start_of_day)

    def reset(self, seed: int | None, start_of_day: float) -> None:
        """Back to the start of a day with nobody waiting and every agent available (the agents and queues
        themselves are kept: a replay reuses one floor for call after call instead of building it anew)."""
        self.rng.seed(seed)  # the queues' draws are bound to this generator, so they restart with it
        self.now = 0.0
        self.start_of_day = start_of_day  # local seconds since midnight at simulated time 0
        for agent in self.agents:
            agent.state, agent.contact, agent.on_break_next = AVAILABLE, None, None
            agent.idle_since = agent.busy_since = 0.0
            agent.calls = 0
        for queue in self.queues.values():
            queue.waiting.clear()
            queue.length = queue.rr_next = 0
            queue.area_since = 0.0
        self._heap: list[tuple[float, int, int, Any]] = []
        self._seq = 0
        self._ids = 0
        self._references = 0
        self._sources: list[ArrivalSource] = []
        self.tallies: dict[tuple[str, int], Tally] = {}
        self.totals = {name: Tally(q.sl_seconds) for name, q in self.queues.items()}
        self.rows: list[Row] = []
        self.menu_outcomes: dict[str, int] = {}
        self._busy = 0.0  # agent-seconds talking or wrapping up in the current interval
        self._staffed = 0.0  # agent-seconds not on break in the current interval
        self._busy_total = 0.0
        self._staffed_total = 0.0
        self._occupancy: dict[int, float] = {}
        self._state_since = {id(a): 0.0 for a in self.agents}
        self._closed_until = -1  # intervals below this index are over
        self.stopped_at: float | None = None
        self._schedule_breaks()
        self._push(self._next_boundary(0.0), EventKind.TICK, None)

    # -- driving ----------------------------------------------------------------------------------

    def add_source(self, source: ArrivalSource) -> None:
        """Background callers: ask ``source`` for arrivals as simulated time reaches them."""
        self._sources.append(source)
        self._request_arrival(source, self.now)

    def stop_arrivals(self, at: float) -> None:
        """No background caller arrives after ``at``; calls already in the centre are still served."""
        self.stopped_at = at

    def advance_to(self, t: float) -> None:
        """Handle every event up to simulated time ``t``."""
        heap = self._heap
        while heap and heap[0][0] <= t:
            when, _, kind, obj = heapq.heappop(heap)
            self.now = when
            self._handle(kind, obj)
        if t > self.now:
            self.now = t

    def drain(self, limit: float = 7 * 86_400) -> None:
        """Run until every caller still in the centre is answered, has abandoned or has hung up."""
        end = self.now + limit
        while self._heap and self._heap[0][0] <= end and (self._active() or self._arrivals_left()):
            self.advance_to(self._heap[0][0])
        self._close_intervals(final=True)

    def next_event_time(self) -> float | None:
        return self._heap[0][0] if self._heap else None

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

    def _request_arrival(self, source: ArrivalSource, after: float) -> None:
        arrival = source.next_arrival(after)
        if arrival is not None and (self.stopped_at is None or arrival.time <= self.stopped_at):
            self._push(arrival.time, EventKind.ARRIVAL, (source, arrival))

    def _arrivals_left(self) -> bool:
        return any(kind in (EventKind.ARRIVAL, EventKind.ENQUEUE) for _, _, kind, _ in self._heap)

    def _active(self) -> bool:
        return any(q.length for q in self.queues.values()) or any(a.state in (TALKING, WRAP_UP) for a in self.agents)

    def _new_contact(self, queue: QueueState, live: bool) -> Contact:
        self._ids += 1
        wait_limit = queue.patience() if queue.patience is not None else math.inf
        return Contact(self._ids, queue, self.now, self.now + wait_limit, queue.handle(), live)

    # -- internals: events ---------------------------------------------------------------------------

    def _push(self, when: float, kind: int, obj: Any) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (when, self._seq, kind, obj))

    def _handle(self, kind: int, obj: Any) -> None:
        self._handlers[kind](obj)

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
            EventKind.ENQUEUE: self._join,
            EventKind.ARRIVAL: self._arrival,
            EventKind.TICK: lambda _: self._tick(),
        }
        return tuple(table[kind] for kind in EventKind)

    def _arrival(self, obj: tuple[ArrivalSource, Arrival]) -> None:
        source, arrival = obj
        self._arrive(arrival)
        self._request_arrival(source, arrival.time)

    def _arrive(self, arrival: Arrival) -> None:
        if arrival.queue is None:
            self.menu_outcomes[arrival.outcome] = self.menu_outcomes.get(arrival.outcome, 0) + 1
            if self.listeners:
                data = {**arrival.data, "arrived": arrival.time, "menu_seconds": arrival.delay}
                self._emit(ev.MenuOutcome(arrival.time + arrival.delay, arrival.outcome, data))
            return
        self.menu_outcomes["queued"] = self.menu_outcomes.get("queued", 0) + 1
        queue = self.queues[arrival.queue]
        contact = self._new_contact(queue, False)
        contact.data = {**arrival.data, "arrived": arrival.time, "menu_seconds": arrival.delay}
        if arrival.delay > 0:
            contact.offered_at = arrival.time + arrival.delay
            contact.patience_at += arrival.delay
            self._push(contact.offered_at, EventKind.ENQUEUE, contact)
        else:
            self._join(contact)

    def _join(self, contact: Contact) -> None:
        queue = contact.queue
        now = self.now
        contact.offered_at = now
        tally = self._tally(queue.name, now)
        contact.tally = tally
        tally.offered += 1
        self.totals[queue.name].offered += 1
        spec = queue.spec
        if spec.max_length is not None and queue.length >= spec.max_length:
            tally.blocked += 1
            self.totals[queue.name].blocked += 1
            contact.state = GONE
            if self.listeners:
                self._emit(ev.QueueFull(now, contact.id, queue.name, contact.live, contact.data))
            return
        tally.pending += 1
        agent = pick_agent(queue, self.rng)
        if agent is not None and queue.length == 0:
            self._answer(contact, agent)
            return
        self._queue_length(queue, +1)
        queue.waiting.append(contact)
        if self.listeners:
            position = self.position(contact)
            self._emit(
                ev.ContactQueued(
                    now, contact.id, queue.name, position, self.estimated_wait(queue, position), contact.live
                )
            )
        if contact.patience_at < math.inf and not contact.live:
            self._push(contact.patience_at, EventKind.ABANDON, contact)
        if spec.overflow is not None:
            self._push(now + spec.overflow.after, EventKind.OVERFLOW, (contact, queue))
        if spec.callback is not None:
            offer = spec.callback
            estimate = self.estimated_wait(queue, queue.length)
            if offer.wait_over is not None and estimate > offer.wait_over:
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
        assert contact.tally is not None
        contact.tally.left_queue(wait, True)
        self.totals[contact.queue.name].left_queue(wait, True)
        if contact.callback:
            contact.tally.callbacks += 1
            self.totals[contact.queue.name].callbacks += 1
        self._set_agent(agent, TALKING)
        agent.contact = contact
        agent.busy_since = now
        agent.calls += 1
        if self.listeners:
            self._emit(
                ev.ContactAnswered(
                    now, contact.id, contact.queue.name, agent.name, wait, contact.callback, contact.live
                )
            )
        self._push(now + contact.handle, EventKind.END_TALK, agent)

    def _end_talk(self, agent: Agent) -> None:
        contact = agent.contact
        if contact is None or agent.state != TALKING:
            return
        queue = contact.queue
        resolved = self.rng.random() < queue.resolution
        if self.references is not None:
            reference = self.references(self.spec.reference_prefix)
        else:
            self._references += 1
            reference = f"{self.spec.reference_prefix}-{self._references:06d}"
        handle = self.now - agent.busy_since
        for tally in (contact.tally, self.totals[queue.name]):
            assert tally is not None
            tally.handled += 1
            tally.handle_sum += handle + agent.wrap_up
            tally.resolved += resolved
        contact.state = GONE
        self._settle(contact)
        agent.contact = None
        if self.listeners:
            self._emit(
                ev.ContactEnded(
                    self.now,
                    contact.id,
                    queue.name,
                    agent.name,
                    reference,
                    resolved,
                    handle,
                    contact.live,
                    contact.data,
                )
            )
        if agent.wrap_up > 0:
            self._set_agent(agent, WRAP_UP)
            self._push(self.now + agent.wrap_up, EventKind.END_WRAP, agent)
        else:
            self._end_wrap(agent)

    def _end_wrap(self, agent: Agent) -> None:
        if agent.on_break_next is not None:
            length, agent.on_break_next = agent.on_break_next, None
            self._set_agent(agent, BREAK)
            self._push(self.now + length, EventKind.BREAK_END, agent)
            return
        self._set_agent(agent, AVAILABLE)
        agent.idle_since = self.now
        self._next_for(agent)

    def _next_for(self, agent: Agent) -> None:
        """An agent just became free: answer the best waiting caller of the queues they serve."""
        best: Contact | None = None
        best_key: tuple[int, int, float] | None = None
        for queue in self._agent_queues[id(agent)]:
            head = self._head(queue)
            if head is None:
                continue
            key = (-queue.spec.priority, agent.levels[queue.skill], head.offered_at)
            if best_key is None or key < best_key:
                best, best_key = head, key
        if best is not None:
            queue = best.queue
            queue.waiting.popleft()
            self._queue_length(queue, -1)
            self._answer(best, agent)

    def _head(self, queue: QueueState) -> Contact | None:
        waiting = queue.waiting
        while waiting and (waiting[0].state != WAITING or waiting[0].queue is not queue):
            waiting.popleft()
        return waiting[0] if waiting else None

    # -- internals: agents and breaks ----------------------------------------------------------------

    def _set_agent(self, agent: Agent, state: AgentState) -> None:
        self._account(agent)
        agent.state = state
        if self.listeners:
            self._emit(ev.AgentStateChanged(self.now, agent.name, state, agent.contact.id if agent.contact else None))
