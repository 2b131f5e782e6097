"""The representative's tab in two-seat role play (`ivr serve`, ``/representative``).

A trainee sits at the desk; the room (:mod:`ivr.tui.room`) offers them a caller from a caller's tab when
that call reaches a queue. The screen pop shows who calls and what the menu collected; the trainee talks
(hold, transfer) and notes the claim, and the caller's tab goes on with the reference and the survey.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, RichLog, Static

from ivr.tui.footer import KeysFooter
from ivr.tui.roleplay import CallerCard, Note, ScreenPop
from ivr.tui.room import REPRESENTATIVE, SeatLink
from ivr.tui.seating import RoomMessage


def minutes(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class DeskApp(App[None]):
    """A representative's desk: who is seated, who waits, and the caller in front of you."""

    TITLE = "ivr: representative's desk"
    CSS_PATH = "app.tcss"
    DEFAULT_CSS = """
    #desk { padding: 0 1; }
    #desk-title { background: $primary; color: $text; text-style: bold; padding: 0 1; }
    #desk-status { border: round $accent; padding: 0 1; height: auto; margin: 1 0 0 0; }
    #representatives { height: auto; max-height: 12; margin: 1 0 0 0; }
    #desk-log { border: round $panel-lighten-2; height: 1fr; }
    """
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def __init__(self, room: str, menu_name: str, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.clock = clock  # wall seconds: the conversation runs in real time in the caller's tab
        self.room = room
        self.menu_name = menu_name
        self.name_here = "a trainee"
        self.caller: str | None = None  # the caller in front of the trainee
        self.talking_since = 0.0
        self.opened = self.clock()  # the log counts from here: the session's own time, not the hour
        self.roster: list[dict[str, Any]] = []  # the room's last roster, and when it came
        self.roster_at = self.opened
        self.link = SeatLink(room, REPRESENTATIVE, self._from_room)

    def compose(self) -> ComposeResult:
        with Vertical(id="desk"):
            yield Static(id="desk-title")
            yield Static(id="desk-status")
            yield DataTable(id="representatives", cursor_type="none", zebra_stripes=True)
            yield RichLog(id="desk-log", wrap=True, markup=False, min_width=20)
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#representatives", DataTable)
        table.add_columns("Representative", "State", "For", "With")
        self._title()
        self._status("Connecting to the classroom…")
        self.run_worker(self.link.run(), exclusive=False)
        self.set_interval(1.0, self._tick)

    def _from_room(self, data: dict[str, Any]) -> None:
        self.post_message(RoomMessage(data))

    def _title(self) -> None:
        self.query_one("#desk-title", Static).update(
            f"{self.menu_name} · representative's desk · you are {self.name_here}"
        )

    def _status(self, text: str) -> None:
        self.query_one("#desk-status", Static).update(Text(text))

    def _write_log(self, text: str) -> None:
        self.query_one("#desk-log", RichLog).write(Text(f"{minutes(self.clock() - self.opened):>6}  {text}"))

    def _tick(self) -> None:
        self._draw_roster()
        if self.caller is not None:
            self._status(f"Talking to {self.caller} for {minutes(self.clock() - self.talking_since)}")

    def on_room_message(self, message: RoomMessage) -> None:
        data = message.data
        kind = data["type"]
        if kind == "welcome":
            self.name_here = str(data.get("name", self.name_here))
            self._title()
            self._status("Waiting for a caller… (callers open /caller in their browser)")
        elif kind == "roster":
            self._roster(data)
        elif kind == "incoming" and isinstance(data.get("card"), dict):
            try:
                card = CallerCard.from_dict(data["card"])
            except TypeError as exc:  # a caller's tab of another version, say: tell, do not fall over
                self._write_log(f"a call came that this desk cannot read ({exc})")
                return
            self._incoming(str(data.get("caller", "a caller")), card)
        elif kind == "gone":
            self._write_log(f"{self.caller or 'the caller'} hung up")
            self.caller = None
            if isinstance(self.screen, ScreenPop):
                self.screen.dismiss(None)
            self.notify("The caller hung up.", severity="warning")
            self._status("Waiting for a caller…")
        elif kind == "closed":
            self._status(f"Not connected: {data.get('why', 'the room closed')}.")

    def _roster(self, data: dict[str, Any]) -> None:
        self.roster = [row for row in data.get("representatives", []) if isinstance(row, dict)]
        self.roster_at = self.clock()
        self._draw_roster()
        waiting = int(data.get("waiting", 0))
        if self.caller is None and not isinstance(self.screen, ScreenPop):
            queue = f"{waiting} caller{'s' if waiting != 1 else ''} waiting" if waiting else "nobody waiting"
            self._status(f"Waiting for a caller… ({queue})")

    def _draw_roster(self) -> None:
        """Who is seated, and how long each has been in their state (counted on since the room said it)."""
        table = self.query_one("#representatives", DataTable)
        table.clear()
        since = self.clock() - self.roster_at
        for row in self.roster:
            name = str(row.get("name", ""))
            shown = f"{name} (you)" if name == self.name_here else name
            state_for = minutes(float(row.get("for", 0)) + since)
            table.add_row(shown, str(row.get("state", "")), state_for, str(row.get("with", "")))

    def _incoming(self, caller: str, card: CallerCard) -> None:
        self.caller = caller
        self.talking_since = self.clock()
        self._write_log(f"{caller} ({card.number}) from the {card.queue!r} queue")
        self._tick()  # the status says so now, not at the next second's tick
        since = self.talking_since
        pop = ScreenPop(card, lambda: self.clock() - since, self._hold, self._transfer)
        self.push_screen(pop, self._noted)
        self.bell()

    def _hold(self, on: bool) -> None:
        self.link.send({"type": "hold", "on": on})
        self._write_log(f"{self.caller} {'on hold' if on else 'off hold'}")

    def _transfer(self, queue: str) -> None:
        self.link.send({"type": "transfer", "queue": queue})
        self._write_log(f"{self.caller} transferred to {queue!r}")
        self.caller = None

    def _noted(self, note: Note | None) -> None:
        if note is None or self.caller is None:
            return
        self.link.send({"type": "note", "category": note.category, "resolved": note.resolved, "text": note.text})
        result = "resolved" if note.resolved else "not resolved"
        self._write_log(f"noted {note.category} ({result}) for {self.caller}: {note.text or 'no note'}")
        self.caller = None
        self._status("Waiting for a caller…")
