"""Callers reaching the floor: background arrivals from their sources (kept apart from the event heap:
each source gives its arrivals in time order), callers delayed by the menu, and new contacts with their
draws. Part of :class:`ivr.contact.centre.Centre`."""

from __future__ import annotations

import heapq
import math

from ivr.contact import events as ev
from ivr.contact.controls import FloorControls
from ivr.contact.participants import Arrival, ArrivalSource, Contact, QueueState
from ivr.contact.schedule import EventKind


class Arrivals(FloorControls):
    """Arrivals; the centre provides the heap and the joining of queues."""

    _seq: int
    _ids: int
    _enqueues_pending: int
    menu_outcomes: dict[str, int]

    def add_source(self, source: ArrivalSource) -> None:
        """Background callers: ask ``source`` for arrivals as simulated time reaches them."""
        self._sources.append(source)
        self._request_arrival(source, self.now)

    def stop_arrivals(self, at: float) -> None:
        """No background caller arrives after ``at``; calls already in the centre are still served."""
        self.stopped_at = at

    def _request_arrival(self, source: ArrivalSource, after: float) -> None:
        arrival = source.next_arrival(after)
        if arrival is not None and (self.stopped_at is None or arrival.time <= self.stopped_at):
            self._seq += 1
            heapq.heappush(self._arrivals, (arrival.time, self._seq, source, arrival))

    def _arrivals_left(self) -> bool:
        return bool(self._arrivals) or self._enqueues_pending > 0

    def _new_contact(self, queue: QueueState, live: bool) -> Contact:
        self._ids += 1
        wait_limit = queue.patience() if queue.patience is not None else math.inf
        return Contact(self._ids, queue, self.now, self.now + wait_limit, queue.handle(), live)

    def _enqueue_due(self, contact: Contact) -> None:
        self._enqueues_pending -= 1
        self._join(contact)

    def _enqueue_later(self, contact: Contact) -> None:
        self._enqueues_pending += 1
        self._push(contact.offered_at, EventKind.ENQUEUE, contact)

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
        if self.listeners:  # what the menu learnt about the caller, for the records; nobody else reads it
            contact.data = {**arrival.data, "arrived": arrival.time, "menu_seconds": arrival.delay}
        if arrival.delay > 0:
            contact.offered_at = arrival.time + arrival.delay
            contact.patience_at += arrival.delay
            self._enqueue_later(contact)
        else:
            self._join(contact)
