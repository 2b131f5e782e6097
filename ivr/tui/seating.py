"""Who answers the caller when a person plays the representative; part of :class:`ivr.tui.app.IvrApp`.

- Role play in one app (``--role representative``): the user answers, in a screen pop.
- Two-seat role play (`ivr serve`, the ``/caller`` tab): the call is made here and stays here, and its
  representative is a trainee in another tab, reached through the room (:mod:`ivr.tui.room`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

from ivr.call.driver import LiveCall
from ivr.call.session import CallOver, CallStatus
from ivr.tui.briefing import CallerBriefs
from ivr.tui.panels import Phone
from ivr.tui.room import CALLER, SeatLink

if TYPE_CHECKING:
    from ivr.records.store import Ticket
    from ivr.tui.roleplay import Note

# The screen pop's widgets and the records are imported when role play first needs them, not at start-up.


class RoomMessage(Message):
    """A message from the room, delivered on the app's own loop."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self.data = data


class Seating(CallerBriefs):
    """A queued call answered by the user, or by a trainee in another tab through the room."""

    room: str | None = None  # the room's socket (ivr serve sets IVR_ROOM); None: no two-seat role play
    seat_link: SeatLink | None = None
    live: LiveCall | None
    _offered = False  # the call on the line has been offered to the room
    _room_place: object = None  # the caller's place in the room's queue, as last told

    notes = 0  # claims noted by the user or a trainee this session
    role_ticket: Ticket | None

    def _seat_the_user(self, live: LiveCall) -> None:
        """Role play: the user answers the queued caller; the screen pop shows who it is."""
        from ivr.tui.roleplay import ScreenPop, card_of

        path = self.recorder.path if self.recorder else []
        live.take_seat("you")
        answered = self.clock.now()
        talking = lambda: self.clock.now() - answered  # noqa: E731 - read by the pop's timer
        card = card_of(live.call, list(path), self.menu)
        self.push_screen(ScreenPop(card, talking, live.hold, live.hand_over), self._noted)

    def _noted(self, note: Note | None) -> None:
        """The representative (the user) saved the note: the call goes on (reference, survey)."""
        if note is not None:
            self.note_taken(note, "you")

    def note_taken(self, note: Note, agent: str) -> None:
        """``agent`` noted the claim: the ticket is made and the call goes on (reference, survey)."""
        from ivr.records.cdr import ticket_data
        from ivr.records.store import Ticket

        if self.live is None or self.live.status != CallStatus.QUEUED:
            return
        self.notes += 1
        prefix = "YOU" if agent == "you" else "TRN"  # the user here, or a trainee in another tab
        reference = self.line.centre.references(prefix) if self.line.centre and self.line.centre.references else ""
        reference = reference or f"{prefix}-{self.notes:06d}"  # no database: counted in this session
        data = ticket_data(self.live.call.variables)
        self.role_ticket = Ticket(reference, note.category, data, agent, note.resolved, note.text or None)
        self.live.representative_done(agent, reference, note.resolved)

    def join_room(self) -> None:
        """Connect to the room (when there is one), as the caller's seat."""
        if self.room is None:
            return
        self.seat_link = SeatLink(self.room, CALLER, self._from_room)
        self.run_worker(self.seat_link.run(), exclusive=False)

    def _from_room(self, data: dict[str, Any]) -> None:
        self.post_message(RoomMessage(data))

    def offer_to_room(self, live: LiveCall) -> None:
        """The call reached a queue: it waits for a trainee representative (shown in their screen pop)."""
        from ivr.tui.roleplay import card_of

        if self.seat_link is None:
            return
        path = self.recorder.path if self.recorder else []
        self._offered = True
        self._room_place = None
        self.seat_link.send({"type": "queued", "card": card_of(live.call, list(path), self.menu).to_dict()})
        self.query_one(Phone).show_status("Waiting for a representative (a trainee in another tab)…")

    def leave_room(self) -> None:
        """The call is over: the room forgets it (a representative talking to it is told)."""
        if self.seat_link is not None and self._offered:
            self._offered = False
            self.seat_link.send({"type": "gone"})

    def on_room_message(self, message: RoomMessage) -> None:
        data, live = message.data, self.live
        kind = data["type"]
        if kind == "closed":
            self.notify(f"Role play: {data.get('why', 'the room closed')}.", severity="warning", timeout=10)
            return
        if kind == "welcome":
            self.notify(f"You are {data.get('name', 'a caller')}: your calls go to a trainee representative.")
            return
        if live is None or not self._offered or live.status != CallStatus.QUEUED:
            return  # about a call that has ended meanwhile
        try:
            if kind == "waiting":
                where = f"number {data.get('position')}" if data.get("representatives") else "waiting"
                nobody = "" if data.get("representatives") else ": no representative has sat down yet"
                self.query_one(Phone).show_status(f"Waiting for a representative, {where}{nobody}…")
                if data.get("position") != self._room_place:  # on joining, and as the caller moves up
                    self._room_place = data.get("position")
                    live.comfort()  # the caller hears that they are held, as in any queue
            elif kind == "answered":
                live.take_seat(str(data.get("agent", "representative")))
            elif kind == "hold":
                live.hold(bool(data.get("on")))
            elif kind == "transfer":
                self._offered = False
                live.hand_over(str(data.get("queue")))
            elif kind == "note":
                from ivr.tui.roleplay import Note

                self._offered = False
                note = Note(str(data.get("category")), bool(data.get("resolved")), str(data.get("text", "")))
                self.note_taken(note, str(data.get("agent", "representative")))
            elif kind == "lost":
                self._representative_left(live, str(data.get("agent", "the representative")))
        except (CallOver, ValueError) as exc:
            self.notify(f"Role play: {exc}", severity="warning")

    def _representative_left(self, live: LiveCall, agent: str) -> None:
        """The representative's tab closed mid-call: the floor takes the caller, where there is one."""
        self._offered = False
        if self.line.centre is not None and live.call.queue:
            live.hand_over(live.call.queue)
            self.notify(f"{agent} left; the floor takes the call.")
        else:
            self.notify(f"{agent} left the call; press H to hang up.", severity="warning")
