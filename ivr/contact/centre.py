"""A discrete-event simulation of the representatives' floor.

Callers (contacts) join queues; agents with the queue's skill answer them by the queue's routing strategy;
callers who wait longer than their patience abandon; talk, wrap-up and breaks take simulated time. The
centre advances only when told to (``advance_to``), so it runs as fast as it can headless and in step with
the shared clock in the TUI. Nothing per call is kept once the call is over, so memory stays flat.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from ivr.contact import events as ev
from ivr.contact.distributions import QueueDraws, sampler
from ivr.contact.metrics import Row, Tally, combine_rows
from ivr.menu.centre_model import CentreSpec, QueueSpec

AVAILABLE, TALKING, WRAP_UP, BREAK = "available", "talking", "wrap-up", "break"
MAX_OVERFLOWS = 100  # moves of one caller between queues
WAITING, ANSWERED, GONE = 0, 1, 2

# Event kinds; events at the same instant are handled in the order they were scheduled.
_END_TALK, _END_WRAP, _BREAK_END, _BREAK_START, _ABANDON, _OVERFLOW, _CALLBACK, _ANNOUNCE, _ENQUEUE, _ARRIVAL, _TICK = (
    range(11)
)


@dataclass(slots=True)
class Arrival:
    """A caller reaching the centre: at ``time``, for ``queue`` after ``delay`` seconds (in the menu, say)."""

    time: float
    queue: str | None  # None: the caller finished in the menu and never reached a queue
    delay: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)
    outcome: str = "queued"  # for callers who did not queue: self-service, transfer, hang-up...


class ArrivalSource(Protocol):
    def next_arrival(self, after: float) -> Arrival | None:
        """The first arrival after time ``after``, or None when there are no more."""


class Contact:
    __slots__ = (
        "agent",
        "callback",
        "data",
        "handle",
        "id",
        "live",
        "moves",
        "offered_at",
        "patience_at",
        "queue",
        "state",
        "tally",
    )

    def __init__(self, cid: int, queue: QueueState, now: float, patience_at: float, handle: float, live: bool) -> None:
        self.id = cid
        self.queue = queue
        self.offered_at = now
        self.patience_at = patience_at
        self.handle = handle
        self.live = live
        self.state = WAITING
        self.agent: Agent | None = None
        self.callback = False
        self.moves = 0  # overflows so far
        self.data: dict[str, Any] = {}
        self.tally: Tally | None = None


class Agent:
    __slots__ = ("busy_since", "calls", "contact", "idle_since", "levels", "name", "on_break_next", "state", "wrap_up")

    def __init__(self, name: str, levels: dict[str, int], wrap_up: float) -> None:
        self.name = name
        self.levels = levels
        self.wrap_up = wrap_up
        self.state = AVAILABLE
        self.idle_since = 0.0
        self.busy_since = 0.0
        self.calls = 0
        self.contact: Contact | None = None
        self.on_break_next: float | None = None


class QueueState(QueueDraws):
    __slots__ = ("agents", "area_since", "length", "rr_next", "spec", "waiting")

    def __init__(self, name: str, spec: QueueSpec, centre: CentreSpec, rng: random.Random) -> None:
        super().__init__(name, spec, centre, rng)
        self.spec = spec
        self.waiting: deque[Contact] = deque()
        self.length = 0
        self.area_since = 0.0
        self.agents: list[Agent] = []
        self.rr_next = 0


@dataclass(frozen=True, slots=True)
class AgentView:
    name: str
    state: str
    since: float
    contact: int | None
    queue: str | None
    calls: int


@dataclass(frozen=True, slots=True)
class WaitingView:
    contact: int
    queue: str
    wait: float
    live: bool
    callback: bool


@dataclass(frozen=True, slots=True)
class Floor:
    """What a supervisor sees at one moment: agents, waiting callers, and the figures so far."""

    at: float
    agents: list[AgentView]
    waiting: list[WaitingView]
    totals: list[Row]


class Centre:
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
        self._push(self._next_boundary(0.0), _TICK, None)

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

    def position(self, contact: Contact) -> int:
        """1-based place in its queue, counting only callers still waiting."""
        place = 0
        queue = contact.queue
        for other in queue.waiting:
            if other.state == WAITING and other.queue is queue:
                place += 1
                if other is contact:
                    return place
        return 0

    def estimated_wait(self, queue: QueueState, position: int) -> float:
        """When the caller at ``position`` should be answered: the agents who can answer free up one by one
        (a busy agent after the rest of an average handle), then every average handle after that."""
        total = self.totals[queue.name]
        aht = total.handle_sum / total.handled if total.handled else self._mean_handle(queue)
        free = sorted(self._expected_free_in(agent, aht) for agent in queue.agents if agent.state != BREAK)
        if not free or position <= 0:
            return 0.0 if position <= 0 else position * aht
        rounds, index = divmod(position - 1, len(free))
        return free[index] + rounds * aht

    def _expected_free_in(self, agent: Agent, aht: float) -> float:
        if agent.state == AVAILABLE:
            return 0.0
        if agent.state == TALKING:
            return max(aht - (self.now - agent.busy_since), 0.1 * aht)
        return agent.wrap_up  # wrapping up: an upper bound, cheap and close enough

    def floor(self) -> Floor:
        agents = [
            AgentView(
                a.name,
                a.state,
                self._state_since[id(a)],
                a.contact.id if a.contact else None,
                a.contact.queue.name if a.contact else None,
                a.calls,
            )
            for a in self.agents
        ]
        waiting = [
            WaitingView(c.id, q.name, self.now - c.offered_at, c.live, c.callback)
            for q in self.queues.values()
            for c in q.waiting
            if c.state == WAITING and c.queue is q
        ]
        return Floor(self.now, agents, waiting, self.total_rows())

    # -- reports -------------------------------------------------------------------------------------

    def total_rows(self) -> list[Row]:
        """Whole-run figures per queue, then ``*`` for all queues together."""
        length = max(self.now, 1e-9)
        rows = [t.row(name, 0.0, length, self.queues[name].sl_fraction) for name, t in self.totals.items()]
        occupancy = self.occupancy_total()
        return [*rows, combine_rows(rows, "*", occupancy)]

    def occupancy_total(self) -> float | None:
        """Busy (talking or wrapping up) share of staffed agent time, over the whole run so far."""
        for agent in self.agents:
            self._account(agent)
        return self._busy_total / self._staffed_total if self._staffed_total > 0 else None

    def interval_label(self, start: float) -> str:
        return interval_label(self.start_of_day, start)

    # -- internals: arrivals -------------------------------------------------------------------------

    def _request_arrival(self, source: ArrivalSource, after: float) -> None:
        arrival = source.next_arrival(after)
        if arrival is not None and (self.stopped_at is None or arrival.time <= self.stopped_at):
            self._push(arrival.time, _ARRIVAL, (source, arrival))

    def _arrivals_left(self) -> bool:
        return any(kind in (_ARRIVAL, _ENQUEUE) for _, _, kind, _ in self._heap)

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
        if kind == _END_TALK:
            self._end_talk(obj)
        elif kind == _END_WRAP:
            self._end_wrap(obj)
        elif kind == _ABANDON:
            if obj.state == WAITING and not obj.callback and obj.patience_at <= self.now:
                self._abandon(obj)
        elif kind == _ARRIVAL:
            source, arrival = obj
            self._arrive(arrival)
            self._request_arrival(source, arrival.time)
        elif kind == _ENQUEUE:
            self._join(obj)
        elif kind == _TICK:
            self._tick()
        elif kind == _OVERFLOW:
            contact, queue = obj
            if contact.queue is queue:  # not moved on since
                self._overflow(contact)
        elif kind == _CALLBACK:
            contact, queue = obj
            if contact.state == WAITING and not contact.callback and contact.queue is queue:
                self._offer_callback(contact)
        elif kind == _ANNOUNCE:
            contact, queue = obj
            if contact.queue is queue:
                self._announce(contact)
        elif kind == _BREAK_START:
            self._start_break(*obj)
        elif kind == _BREAK_END:
            self._end_break(obj)

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
            self._push(contact.offered_at, _ENQUEUE, contact)
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
        agent = self._pick_agent(queue)
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
            self._push(contact.patience_at, _ABANDON, contact)
        if spec.overflow is not None:
            self._push(now + spec.overflow.after, _OVERFLOW, (contact, queue))
        if spec.callback is not None:
            offer = spec.callback
            estimate = self.estimated_wait(queue, queue.length)
            if offer.wait_over is not None and estimate > offer.wait_over:
                self._offer_callback(contact)
            elif offer.after is not None:
                self._push(now + offer.after, _CALLBACK, (contact, queue))
        if contact.live and spec.announce is not None:
            self._push(now + spec.announce.every, _ANNOUNCE, (contact, queue))

    def _pick_agent(self, queue: QueueState) -> Agent | None:
        free = [a for a in queue.agents if a.state == AVAILABLE]
        if not free:
            return None
        routing = queue.spec.routing
        if routing == "longest-idle":
            return min(free, key=lambda a: a.idle_since)
        if routing == "fewest-calls":
            return min(free, key=lambda a: (a.calls, a.idle_since))
        if routing == "random":
            return self.rng.choice(free)
        if routing == "skill-level":
            best = min(a.levels[queue.skill] for a in free)
            return min((a for a in free if a.levels[queue.skill] == best), key=lambda a: a.idle_since)
        agents = queue.agents  # round-robin: the next available agent after the last one used
        for step in range(len(agents)):
            candidate = agents[(queue.rr_next + step) % len(agents)]
            if candidate.state == AVAILABLE:
                queue.rr_next = (agents.index(candidate) + 1) % len(agents)
                return candidate
        return None

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
        self._push(now + contact.handle, _END_TALK, agent)

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
            self._push(self.now + agent.wrap_up, _END_WRAP, agent)
        else:
            self._end_wrap(agent)

    def _end_wrap(self, agent: Agent) -> None:
        if agent.on_break_next is not None:
            length, agent.on_break_next = agent.on_break_next, None
            self._set_agent(agent, BREAK)
            self._push(self.now + length, _BREAK_END, agent)
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

    def _abandon(self, contact: Contact) -> None:
        queue = contact.queue
        wait = self.now - contact.offered_at
        contact.state = GONE
        self._queue_length(queue, -1)
        assert contact.tally is not None
        contact.tally.left_queue(wait, False)
        self.totals[queue.name].left_queue(wait, False)
        self._settle(contact)
        if self.listeners:
            self._emit(ev.ContactAbandoned(self.now, contact.id, queue.name, wait, contact.live, contact.data))
        retrial = self.spec.traffic.retrial if self.spec.traffic else None
        if retrial is not None and not contact.live and self.rng.random() < retrial.probability:
            again = self._new_contact(queue, False)
            again.data = contact.data
            delay = sampler(retrial.after, self.rng)()
            again.offered_at += delay
            again.patience_at += delay
            self._push(again.offered_at, _ENQUEUE, again)

    def _overflow(self, contact: Contact) -> None:
        if contact.state != WAITING or contact.moves >= MAX_OVERFLOWS:
            return  # a caller moved this often stays where they are: overflow rings cannot spin
        contact.moves += 1
        queue = contact.queue
        spec = queue.spec
        assert spec.overflow is not None and contact.tally is not None
        target = self.queues[spec.overflow.to]
        contact.state = GONE
        self._queue_length(queue, -1)
        contact.tally.overflowed += 1
        self.totals[queue.name].overflowed += 1
        self._settle(contact)
        if self.listeners:
            self._emit(ev.Overflowed(self.now, contact.id, queue.name, target.name))
        # The same contact moves on, so whoever holds it (the live caller's driver) still follows it: its
        # place in the new queue, its hang-up. Its old queue drops it lazily (``_head`` checks the queue).
        contact.queue = target
        contact.state = WAITING
        self._join(contact)

    def _offer_callback(self, contact: Contact) -> None:
        queue = contact.queue
        if queue.spec.callback is None:
            return
        estimate = self.estimated_wait(queue, self.position(contact))
        if self.listeners:
            self._emit(ev.CallbackOffered(self.now, contact.id, queue.name, estimate))
        if not contact.live and self.rng.random() < queue.spec.callback.accept_rate:
            self._take_callback(contact)

    def _take_callback(self, contact: Contact) -> None:
        contact.callback = True  # keeps its place; no longer abandons
        if self.listeners:
            self._emit(ev.CallbackAccepted(self.now, contact.id, contact.queue.name))

    def _announce(self, contact: Contact) -> None:
        queue = contact.queue
        if contact.state != WAITING or contact.callback or queue.spec.announce is None:
            return
        position = self.position(contact)
        self._emit(ev.Announcement(self.now, contact.id, queue.name, position, self.estimated_wait(queue, position)))
        self._push(self.now + queue.spec.announce.every, _ANNOUNCE, (contact, queue))

    # -- internals: agents and breaks ----------------------------------------------------------------

    def _schedule_breaks(self) -> None:
        for team, agents in self._teams():
            for brk in team.breaks:
                hour, minute = (int(x) for x in brk.at.split(":"))
                at = (hour * 3600 + minute * 60 - self.start_of_day) % 86_400
                for agent in agents:
                    self._push(at, _BREAK_START, (agent, brk.length))

    def _teams(self) -> Iterator[tuple[Any, list[Agent]]]:
        index = 0
        for team in self.spec.agents:
            yield team, self.agents[index : index + team.count]
            index += team.count

    def _start_break(self, agent: Agent, length: float) -> None:
        self._push(self.now + 86_400, _BREAK_START, (agent, length))  # the same break tomorrow
        if agent.state == AVAILABLE:
            self._set_agent(agent, BREAK)
            self._push(self.now + length, _BREAK_END, agent)
        else:
            agent.on_break_next = length

    def _end_break(self, agent: Agent) -> None:
        if agent.state == BREAK:
            self._set_agent(agent, AVAILABLE)
            agent.idle_since = self.now
            self._next_for(agent)

    def _set_agent(self, agent: Agent, state: str) -> None:
        self._account(agent)
        agent.state = state
        if self.listeners:
            self._emit(ev.AgentStateChanged(self.now, agent.name, state, agent.contact.id if agent.contact else None))

    def _account(self, agent: Agent) -> None:
        """Add the time since the agent's last change to the busy and staffed totals."""
        since = self._state_since[id(agent)]
        spent = self.now - since
        if agent.state != BREAK:
            self._staffed += spent
            self._staffed_total += spent
            if agent.state in (TALKING, WRAP_UP):
                self._busy += spent
                self._busy_total += spent
        self._state_since[id(agent)] = self.now

    # -- internals: intervals ------------------------------------------------------------------------

    def _index(self, t: float) -> int:
        return int((self.start_of_day + t) // self.interval)

    def _next_boundary(self, t: float) -> float:
        return (self._index(t) + 1) * self.interval - self.start_of_day

    def _tally(self, queue: str, t: float) -> Tally:
        key = (queue, self._index(t))
        tally = self.tallies.get(key)
        if tally is None:
            tally = self.tallies[key] = Tally(self.queues[queue].sl_seconds)
        return tally

    def _queue_length(self, queue: QueueState, change: int) -> None:
        """Change a queue's length, adding the time at the old length to the queue-length integral.
        Every interval boundary flushes the integral, so the span never crosses one."""
        now = self.now
        area = queue.length * (now - queue.area_since)
        self._tally(queue.name, queue.area_since).queue_area += area
        total = self.totals[queue.name]
        total.queue_area += area
        queue.length += change
        queue.area_since = now
        tally = self._tally(queue.name, now)
        if queue.length > tally.max_queue:
            tally.max_queue = queue.length
            total.max_queue = max(total.max_queue, queue.length)

    def _tick(self) -> None:
        """An interval boundary: close the occupancy and queue-length integrals of the interval ending."""
        now = self.now
        ending = self._index(now) - 1
        for agent in self.agents:
            self._account(agent)
        self._occupancy[ending] = self._busy / self._staffed if self._staffed > 0 else math.nan
        self._busy = self._staffed = 0.0
        for queue in self.queues.values():
            area = queue.length * (now - queue.area_since)
            self.totals[queue.name].queue_area += area
            if queue.length or (queue.name, ending) in self.tallies:
                tally = self.tallies.setdefault((queue.name, ending), Tally(queue.sl_seconds))
                tally.queue_area += area
            queue.area_since = now
            if queue.length:
                current = self._tally(queue.name, now)
                current.max_queue = max(current.max_queue, queue.length)
        self._closed_until = ending + 1
        self._close_intervals(final=False)
        if self._active() or self._arrivals_left() or self.stopped_at is None or now < self.stopped_at:
            self._push(self._next_boundary(now), _TICK, None)

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
            start = index * self.interval - self.start_of_day
            occupancy = self._occupancy.get(index)
            row = tally.row(name, start, self.interval, self.queues[name].sl_fraction)
            self.rows.append(_with_occupancy(row, occupancy))

    def _mean_handle(self, queue: QueueState) -> float:
        spec = queue.spec.handle_time or self.spec.handle_time
        return spec.mean

    def _emit(self, event: ev.CentreEvent) -> None:
        for listener in self.listeners:
            listener(event)


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
