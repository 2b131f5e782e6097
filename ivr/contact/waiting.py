"""Callers waiting in queues: their place, the wait they are told, patience running out, overflow to
another queue, callback offers and position announcements."""

from __future__ import annotations

import random
from collections.abc import Callable

from ivr.contact import events as ev
from ivr.contact.accounting import Accounting
from ivr.contact.distributions import sampler
from ivr.contact.participants import (
    AVAILABLE,
    BREAK,
    GONE,
    TALKING,
    WAITING,
    Agent,
    AgentView,
    Contact,
    Floor,
    QueueState,
    WaitingView,
)
from ivr.contact.schedule import EventKind
from ivr.menu.centre_model import CentreSpec

MAX_OVERFLOWS = 100  # moves of one caller between queues


class WaitingCallers(Accounting):
    """What happens to callers while they wait; part of :class:`ivr.contact.centre.Centre`."""

    spec: CentreSpec
    rng: random.Random
    listeners: list[Callable[[ev.CentreEvent], None]]
    live_listeners: list[Callable[[ev.CentreEvent], None]]
    _places_on: bool

    # Provided by the centre, which owns the joining of queues (and the heap: see Accounting).
    def _emit(self, event: ev.CentreEvent, live: bool = False) -> None:
        """To every listener, and to the live callers' listeners when it is about a live caller."""
        for listener in self.listeners:
            listener(event)
        if live:
            for listener in self.live_listeners:
                listener(event)

    def _join(self, contact: Contact) -> None:
        raise NotImplementedError

    def _new_contact(self, queue: QueueState, live: bool) -> Contact:
        raise NotImplementedError

    def _enqueue_later(self, contact: Contact) -> None:
        raise NotImplementedError

    def _mean_handle(self, queue: QueueState) -> float:
        spec = queue.spec.handle_time or self.spec.handle_time
        return spec.mean

    def _leave_queue(self, queue: QueueState, contact: Contact) -> None:
        """``contact`` waits in ``queue`` no more (answered, gave up, moved on): its place goes, and the
        queue is one shorter."""
        if self._places_on:
            queue.places.leave(contact.place)
        self._queue_length(queue, -1)

    def position(self, contact: Contact) -> int:
        """1-based place in its queue, counting only callers still waiting (0 when it is not waiting)."""
        if contact.state != WAITING:
            return 0
        queue = contact.queue
        if self._places_on:
            return queue.places.place(contact.place)
        place = 0
        for other in queue.waiting:
            if other.state == WAITING and other.queue is queue:
                place += 1
                if other is contact:
                    return place
        return 0

    def estimated_wait(self, queue: QueueState, position: int) -> float:
        """When the caller at ``position`` should be answered: the agents who can answer free up one by one
        (a busy agent after the rest of an average handle), then every average handle after that."""
        handled, handle_sum = self._handled_so_far(queue.name)
        aht = handle_sum / handled if handled else self._mean_handle(queue)
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
                a.since,
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
        targets = {name: (q.sl_fraction, q.sl_seconds) for name, q in self.queues.items()}
        return Floor(self.now, agents, waiting, self.total_rows(), targets)

    def _patience_over(self, contact: Contact) -> None:
        if contact.state == WAITING and not contact.callback and contact.patience_at <= self.now:
            self._abandon(contact)

    def _overflow_due(self, obj: tuple[Contact, QueueState]) -> None:
        contact, queue = obj
        if contact.queue is queue:  # not moved on since
            self._overflow(contact)

    def _callback_due(self, obj: tuple[Contact, QueueState]) -> None:
        contact, queue = obj
        if contact.state == WAITING and not contact.callback and contact.queue is queue:
            self._offer_callback(contact)

    def _announce_due(self, obj: tuple[Contact, QueueState]) -> None:
        contact, queue = obj
        if contact.queue is queue:
            self._announce(contact)

    def _abandon(self, contact: Contact) -> None:
        queue = contact.queue
        wait = self.now - contact.offered_at
        contact.state = GONE
        self._leave_queue(queue, contact)
        assert contact.tally is not None
        contact.tally.left_queue(wait, False)
        self._settle(contact)
        if self.listeners or contact.live:
            event = ev.ContactAbandoned(self.now, contact.id, queue.name, wait, contact.live, contact.data)
            self._emit(event, contact.live)
        retrial = self.spec.traffic.retrial if self.spec.traffic else None
        if retrial is not None and not contact.live and self.rng.random() < retrial.probability:
            again = self._new_contact(queue, False)
            again.data = contact.data
            delay = sampler(retrial.after, self.rng)()
            again.offered_at += delay
            again.patience_at += delay
            self._enqueue_later(again)

    def _overflow(self, contact: Contact) -> None:
        if contact.state != WAITING or contact.moves >= MAX_OVERFLOWS:
            return  # a caller moved this often stays where they are: overflow rings cannot spin
        contact.moves += 1
        queue = contact.queue
        spec = queue.spec
        assert spec.overflow is not None and contact.tally is not None
        target = self.queues[spec.overflow.to]
        contact.state = GONE
        self._leave_queue(queue, contact)
        contact.tally.overflowed += 1
        self._settle(contact)
        if self.listeners or contact.live:
            self._emit(ev.Overflowed(self.now, contact.id, queue.name, target.name), contact.live)
        # The same contact moves on, so whoever holds it (the live caller's driver) still follows it: its
        # place in the new queue, its hang-up. Its old queue drops it lazily (``_head`` checks the queue).
        contact.queue = target
        contact.state = WAITING
        self._join(contact)

    def _offer_callback(self, contact: Contact) -> None:
        queue = contact.queue
        if queue.spec.callback is None:
            return
        if self.listeners or contact.live:
            estimate = self.estimated_wait(queue, self.position(contact))
            self._emit(ev.CallbackOffered(self.now, contact.id, queue.name, estimate), contact.live)
        if not contact.live and self.rng.random() < queue.spec.callback.accept_rate:
            self._take_callback(contact)

    def _take_callback(self, contact: Contact) -> None:
        contact.callback = True  # keeps its place; no longer abandons
        if self.listeners or contact.live:
            self._emit(ev.CallbackAccepted(self.now, contact.id, contact.queue.name), contact.live)

    def _announce(self, contact: Contact) -> None:
        queue = contact.queue
        if contact.state != WAITING or contact.callback or queue.spec.announce is None:
            return
        position = self.position(contact)
        told = self.estimated_wait(queue, position)
        self._emit(ev.Announcement(self.now, contact.id, queue.name, position, told), contact.live)
        self._push(self.now + queue.spec.announce.every, EventKind.ANNOUNCE, (contact, queue))
