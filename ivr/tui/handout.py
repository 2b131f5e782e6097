"""The session as a handout: `E` (or the palette) writes one HTML page with the figures per queue, the
floor over the session drawn to fixed scales, and every call made with its transcript
(:mod:`ivr.records.handout`). In a browser (`ivr serve`) the page is downloaded instead. `M` replays the
last finished call on the map, a node at a time, so a class can follow the way it went."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.screen import Screen

from ivr.call.events import NodeEntered
from ivr.records.handout import CallHeard, FloorSample, Session, session_html
from ivr.render.transcript import clock_text, describe
from ivr.source.diagnostics import IvrError
from ivr.tui.panels import MenuMap
from ivr.tui.trainer import TrainerControls

if TYPE_CHECKING:
    from ivr.call.clock import SimClock
    from ivr.call.events import CallEvent
    from ivr.call.line import Line
    from ivr.call.session import Call
    from ivr.contact.participants import Floor
    from ivr.menu.compiled import Menu
    from ivr.records.cdr import LiveRecorder
    from ivr.records.store import CallRecord, RecordStore, Ticket

SAMPLE_EVERY = 60.0  # simulated seconds between two floor samples
REPLAY_STEP = 0.8  # real seconds a replayed call stays on each node of the map
MAX_SAMPLES = 24 * 60  # a simulated day of minutes; older samples make way


class SessionHandout(TrainerControls):
    """Part of :class:`ivr.tui.app.IvrApp`: what the session keeps for its handout, and writing it."""

    menu: Menu
    line: Line
    clock: SimClock
    recorder: LiveRecorder | None
    store: RecordStore | None
    role_ticket: Ticket | None

    if TYPE_CHECKING:

        @property
        def call(self) -> Call | None: ...
        def on_a_call(self) -> bool: ...

    def start_session(self) -> None:
        self.session = Session(self.menu.name, self.clock.wall())
        self._sampled_at: float | None = None
        self.replay_step = REPLAY_STEP
        self._replaying: list[str] = []

    def action_replay_on_map(self) -> None:
        """Walk the map along the last finished call's path, a node every ``replay_step`` seconds."""
        if self.on_a_call():
            self.notify("Hang up first: the map follows the call in progress.", severity="error")
            return
        if not self.session.calls:
            self.notify("No call has finished yet: make one (C), then replay it here (M).")
            return
        path = [node for node in self.session.calls[-1].record.path if node in self.menu.nodes]
        if not path:
            return
        self.query_one(MenuMap).forget_call()
        self._replaying = list(path)
        self.notify(f"Replaying call {len(self.session.calls)} on the map: {len(path)} steps")
        self._replay_next()

    def _replay_next(self) -> None:
        if not self._replaying or self.on_a_call():  # a new call takes the map over
            self._replaying = []
            return
        node = self._replaying.pop(0)
        self.query_one(MenuMap).mark(NodeEntered(0.0, node, self.menu.nodes[node].kind))
        if self._replaying:
            self.set_timer(self.replay_step, self._replay_next)

    def keep_record(self) -> None:
        """The record of the call that has just ended: in the session's handout, and in the records
        database when there is one (a record it cannot store waits in memory, and the screen says why)."""
        if self.recorder is None or self.call is None:
            return
        record = self.recorder.finish(self.call)
        if self.role_ticket is not None:
            record.ticket = self.role_ticket
            record.outcome = "answered"
            record.agent = "you"
        self.remember_call(record, self.call.transcript)
        if self.store is None:
            return
        try:
            self.store.add(record)
        except IvrError as exc:
            if self.is_running:  # else `ivr run` says at exit what was not stored
                self.notify(exc.diagnostics[0].message, title="Records", severity="error", timeout=10)

    def remember_call(self, record: CallRecord, transcript: list[CallEvent]) -> None:
        """A finished call, with its transcript as the phone showed it."""
        lines = []
        for event in transcript:
            said = describe(event).plain[len(clock_text(event.at)) + 2 :].strip()
            if said:
                lines.append((event.at, said))
        self.session.calls.append(CallHeard(record, lines))

    def sample_floor(self, floor: Floor) -> None:
        """The floor once a simulated minute (the figures are read when the handout is written)."""
        if self._sampled_at is not None and floor.at - self._sampled_at < SAMPLE_EVERY:
            return
        self._sampled_at = floor.at
        talking = sum(agent.contact is not None for agent in floor.agents)
        working = sum(agent.state not in ("logged out", "break") for agent in floor.agents)
        total = floor.totals[-1] if floor.totals else None
        sample = FloorSample(
            self.clock.wall(), len(floor.waiting), talking, working, total.service_level if total else None
        )
        self.session.timeline.append(sample)
        del self.session.timeline[:-MAX_SAMPLES]

    def action_export_session(self) -> None:
        """Write the handout to ``sessions/`` beside the saved scripts (a download in a browser)."""
        floor = self.line.floor()
        if floor is not None:  # the figures so far, read once, now
            self.session.figures = list(floor.totals)
            self.session.targets = dict(floor.targets)
        page = session_html(self.session)
        name = f"session-{datetime.now():%Y%m%d-%H%M%S}.html"
        if self.is_web:
            self.deliver_text(io.StringIO(page), save_filename=name, mime_type="text/html")
            return
        folder = self.record_dir / "sessions"
        path = folder / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(page, encoding="utf-8")
        except OSError as exc:
            self.notify(f"Cannot write the handout in {folder}: {exc.strerror or exc}", severity="error")
            return
        calls = len(self.session.calls)
        self.notify(f"Wrote {path} ({calls} call(s), {len(self.session.timeline)} floor samples)", title="Handout")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Replay the last call on the map (M)",
            "The map walks the way the call went, a node at a time",
            self.action_replay_on_map,
        )
        yield SystemCommand(
            "Export the session as a handout (E)",
            "One HTML page: figures, the floor over time, every call and its transcript",
            self.action_export_session,
        )
