"""The one driver of a live call, from dial to hang-up: the menu, then the queue, then what follows.

Every front end (`ivr call`, `ivr run`, `ivr demo`, role play, `ivr serve`, `ivr replay`, `ivr record`)
drives a call through a :class:`LiveCall` dialled on a :class:`ivr.call.line.Line`, and listens to one
event stream: the menu's events and the queue phase as the caller lives it (position and wait on
joining, announcements, the callback offer, the answer, the representative's note), in time order.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ivr.call.engine import Caller
from ivr.call.events import (
    Answered,
    CallbackOffered,
    CallbackTaken,
    CallEvent,
    HandedOver,
    Held,
    KeyNotUsed,
    QueueBusy,
    Queued,
    QueueOverflowed,
    QueuePosition,
    RepresentativeDone,
)
from ivr.call.queue_messages import message
from ivr.call.session import ACTIVE, QUEUED, Call, CallOver
from ivr.contact import events as cev
from ivr.contact.participants import GONE, WAITING, Contact
from ivr.menu.model import QueueNode

if TYPE_CHECKING:
    from ivr.call.line import Line


class LiveCall:
    """One caller's call on a line. Create it with :meth:`Line.dial`."""

    def __init__(
        self,
        line: Line,
        caller: Caller,
        listeners: list[Callable[[CallEvent], None]],
        to_floor: bool,
        keep_transcript: bool,
    ) -> None:
        self.line = line
        self.caller = caller
        self.listeners = listeners
        self.to_floor = to_floor
        self.keep_transcript = keep_transcript
        self.contact: Contact | None = None
        self.answered_by: str | None = None
        self.seated_at: float | None = None  # role play: when the user, as the representative, answered
        self.held = False  # role play: the representative has put the caller on hold
        self.callback_open = False  # a callback was offered and not yet taken
        self._join_due = False
        self._moved = False  # overflowed: the next "queued" is the new queue's, not a first joining
        self._call: Call | None = None
        self.order = 0  # set by the line: the order of dialling
        self.due: float | None = None  # when the line has this call scheduled (see Line.touch)

    @property
    def call(self) -> Call:
        assert self._call is not None, "the call has not been dialled"
        return self._call

    def start(self) -> None:
        line = self.line
        self._call = line.engine.start_call(
            self.caller, line.clock, [*self.listeners, self._on_call], self.keep_transcript, line.pacing
        )
        self._settle()

    # -- reading -------------------------------------------------------------------------------------

    @property
    def status(self) -> str:
        return self.call.status

    @property
    def finished(self) -> bool:
        """Over, and everything it had to say has been said."""
        return self.call.ended and self.call.next_time() is None

    @property
    def on_hold(self) -> bool:
        """Waiting in a queue on the floor (or, in role play, for the user as the representative)."""
        return self.call.status == QUEUED and (self.line.centre is not None or not self.to_floor)

    def waiting_for_caller(self) -> bool:
        """The caller is at an input node (a menu, digit entry, survey question): the line waits on them."""
        return self.call.waiting_for_input()

    def next_time(self) -> float | None:
        return self.call.next_time()

    def position(self) -> tuple[int, float] | None:
        """The caller's place in the queue and the estimated wait, while waiting."""
        centre = self.line.centre
        contact = self.contact
        if centre is None or contact is None or contact.state != WAITING or self.call.status != QUEUED:
            return None
        place = centre.position(contact)
        return place, centre.estimated_wait(contact.queue, place)

    # -- the caller's actions ------------------------------------------------------------------------

    def press(self, key: str) -> None:
        """The caller presses a key now (cutting into whatever is being said)."""
        self.line.sync()
        call = self.call
        if self.on_hold:
            call.key_while_queued(key)
            self._settle()  # the caller may only now join, and be turned away (busy route)
            if self.on_hold:
                self._queue_key(key)
        else:
            call.press(key)
        self._settle()

    def press_when_heard(self, key: str) -> None:
        """Listen until the line falls quiet (the point of choice), then press: a scripted caller's pace."""
        self.listen()
        self.press(key)

    def listen(self, limit: float = 3600.0) -> None:
        """Let time pass until what the line has queued up to say has been said (at most ``limit`` s)."""
        call = self.call
        end = min(call.settled_at(), self.line.clock.now() + limit)
        self.line.advance_to(end)

    def silence(self, seconds: float) -> None:
        """The caller says nothing for ``seconds``; the floor and every timeout move on meanwhile."""
        self.line.advance(seconds)

    def wait_for_timeout(self, limit: float = 3600.0) -> None:
        """Stay silent until the next timeout fires (or the call leaves the menu)."""
        call = self.call
        if call.deadline is None or call.status != ACTIVE:
            return
        deadline = call.deadline
        self.line.run_until(lambda: call.status != ACTIVE or call.deadline != deadline, limit)

    def hang_up(self) -> None:
        """The caller hangs up: in the menu, while waiting (an abandon) or while talking."""
        self.line.sync()
        call = self.call
        in_centre = call.status == QUEUED
        call.hang_up()  # first, so that the end of the conversation does not resume the call
        self._join_due = False
        centre = self.line.centre
        if self.contact is not None and in_centre and centre is not None:
            centre.hang_up(self.contact)
        self.line.touch(self)

    def decline_callback(self) -> None:
        """The caller lets a callback offer pass and stays on the line."""
        self.callback_open = False

    def take_seat(self, agent: str = "you") -> None:
        """Role play: the user, as the representative, answers the queued caller."""
        call = self.call
        if call.status != QUEUED or self.answered_by is not None:
            return
        self.answered_by = agent
        self.seated_at = self.line.clock.now()
        call.emit(Answered(0.0, call.state, call.queue or "", agent, call.elapsed))
        self.line.touch(self)

    def comfort(self) -> None:
        """Role play: the caller waits for a person, not for the floor; they hear the queue's comfort message."""
        call = self.call
        if call.status != QUEUED or self.answered_by is not None:
            raise CallOver("only a caller still waiting in a queue is told to hold on")
        self._tell(call.node, "comfort")
        self.line.touch(self)

    def hold(self, on: bool) -> None:
        """Role play: the representative puts the caller on hold (they hear why, and their keys do nothing)
        or takes them off it."""
        call = self.call
        if self.seated_at is None or call.status != QUEUED:
            raise CallOver("only a caller who is talking to the representative can be put on hold")
        if on == self.held:
            return
        self.held = on
        call.emit(Held(0.0, call.state, self.answered_by or "you", on))
        if on:
            self._tell(call.node, "hold")
        self.line.touch(self)

    def hand_over(self, queue: str) -> None:
        """Role play: the representative transfers the caller to ``queue``, where the simulated floor answers
        them; the call goes on from there as any queued call (the same queue node's `after`)."""
        call = self.call
        if self.seated_at is None or call.status != QUEUED:
            raise CallOver("only a caller who is talking to the representative can be transferred")
        if self.line.centre is None or queue not in self.line.menu.queues:
            known = ", ".join(sorted(self.line.menu.queues)) or "none"
            raise ValueError(f"there is no queue {queue!r} on this line's floor (its queues: {known})")
        call.emit(HandedOver(0.0, call.state, self.answered_by or "you", call.queue or "", queue))
        self._tell(call.node, "handover")
        self.held = False
        self.seated_at = None
        self.to_floor = True  # from here the floor answers, not the user
        call.move_to_queue(queue)
        self._join()
        self._settle()

    def representative_done(self, agent: str, reference: str, resolved: bool) -> None:
        """The representative noted the claim: the call goes on (reference read-back, survey)."""
        call = self.call
        if call.status != QUEUED:
            raise CallOver("only a caller who is with a representative can be finished with")
        talk = self.line.clock.now() - self.seated_at if self.seated_at is not None else 0.0
        self.held = False
        call.emit(RepresentativeDone(0.0, call.state, agent, reference, resolved, talk))
        call.resume({"reference": reference, "resolved": resolved, "agent": agent})
        self._settle()

    # -- the call's own events -----------------------------------------------------------------------

    def poll(self) -> None:
        self.call.poll()
        self._settle()

    def _on_call(self, event: CallEvent) -> None:
        if isinstance(event, Queued):
            self._join_due = True

    def _settle(self) -> None:
        """Do what the call's last events asked of the line: join the queue it reached."""
        if self._join_due and self._call is not None:
            self._join_due = False
            if self._call.status == QUEUED:
                self._join()
        if self._call is not None:
            self.line.touch(self)

    def _join(self) -> None:
        call = self.call
        centre = self.line.centre
        self.answered_by = None
        self.callback_open = False
        if centre is None or not self.to_floor or call.queue is None:
            return  # no floor to join (or the user is the representative): the call stays queued
        centre.advance_to(self.line.clock.now())
        if centre.logged_in(call.queue) == 0:
            self._busy(call.queue, "unstaffed")
            return

        def remember(contact: Contact) -> None:
            self.contact = contact
            self.line.by_contact[contact.id] = self

        contact = centre.enqueue(call.queue, live=True, before_join=remember)
        if contact.state == GONE and self.answered_by is None and call.status == QUEUED:
            self._busy(contact.queue.name, "full")

    def _busy(self, queue: str, why: str) -> None:
        call = self.call
        node = call.node
        call.emit(QueueBusy(0.0, node.id, queue, why))
        self._tell(node, why)
        self.contact = None
        call.leave_queue("busy", "queue-full" if why == "full" else "no-agents")

    # -- the floor's events for this caller ----------------------------------------------------------

    def on_floor(self, event: cev.CentreEvent) -> None:
        """What the floor did with this caller, turned into what the caller hears and lives."""
        call = self.call
        if isinstance(event, cev.ContactEnded | cev.ContactAbandoned):
            self.line.by_contact.pop(event.contact, None)
        if call.status != QUEUED:
            return  # hung up, or took a callback: the floor goes on without them
        node = call.node
        if isinstance(event, cev.ContactQueued):
            told = event.estimated_wait or 0.0  # always worked out for a live caller
            self._tell_place(node, event.queue, event.position, told, () if self._moved else ("joined",))
            self._moved = False
        elif isinstance(event, cev.Announcement):
            self._tell_place(node, event.queue, event.position, event.estimated_wait, ("announce", "comfort"))
        elif isinstance(event, cev.CallbackOffered):
            self.callback_open = True
            call.emit(CallbackOffered(0.0, node.id, event.queue, node.spec_as(QueueNode).callback_key))
            self._tell(node, "callback_offer")
        elif isinstance(event, cev.CallbackAccepted):
            self.callback_open = False
            call.emit(CallbackTaken(0.0, node.id, event.queue))
            self._tell(node, "callback_taken")
            call.end("callback")
        elif isinstance(event, cev.Overflowed):
            self._moved = True
            self.callback_open = False
            call.emit(QueueOverflowed(0.0, node.id, event.queue, event.to))
        elif isinstance(event, cev.QueueFull):
            self._busy(event.queue, "full")
        elif isinstance(event, cev.ContactAnswered):
            self.answered_by = event.agent
            self.callback_open = False
            call.emit(Answered(0.0, node.id, event.queue, event.agent, event.wait))
        elif isinstance(event, cev.ContactEnded):
            call.emit(RepresentativeDone(0.0, node.id, event.agent, event.reference, event.resolved, event.handle))
            call.resume({"reference": event.reference, "resolved": event.resolved, "agent": event.agent})
            self._settle()

    def _tell_place(self, node: Any, queue: str, position: int, wait: float, say: tuple[str, ...]) -> None:
        """The caller's place and wait, as an event and in the queue's messages ``say``."""
        self.call.emit(QueuePosition(0.0, node.id, queue, position, wait))
        for what in say:
            self._tell(node, what, position, wait)

    def _tell(self, node: Any, what: str, position: int | None = None, wait: float | None = None) -> None:
        """Say the queue node's message ``what`` (its own text, else the built-in one), filled in."""
        values: dict[str, Any] = {"queue.key": node.spec.callback_key}
        if position is not None:
            values["queue.position"] = position
        if wait is not None:
            values["queue.wait"] = max(1, math.ceil(wait / 60))
        self.call.say(node.id, f"queue.{what}", message(node.spec, what), values)

    def _queue_key(self, key: str) -> None:
        """A key pressed while queued does what the queue node declares; any other is not used."""
        call = self.call
        node = call.node
        spec = node.spec_as(QueueNode)
        centre = self.line.centre
        if self.held:
            call.emit(KeyNotUsed(0.0, node.id, key, "the representative has put you on hold"))
        elif self.answered_by is not None:
            call.emit(KeyNotUsed(0.0, node.id, key, f"you are talking to {self.answered_by}"))
        elif key == spec.callback_key and self.callback_open and self.contact is not None and centre:
            centre.accept_callback(self.contact)
        elif key == spec.position_key and (place := self.position()) is not None:
            self._tell_place(node, call.queue or "", place[0], place[1], ("announce",))
        else:
            offer = " (no callback is on offer)" if key == spec.callback_key else ""
            call.emit(KeyNotUsed(0.0, node.id, key, f"key {key} is not used while waiting in queue{offer}"))
