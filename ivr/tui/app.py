"""`ivr run`: the caller's phone, the menu map and the representatives' floor on one simulated clock."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static, Tree

from ivr.call.clock import SimClock
from ivr.call.driver import LiveCall
from ivr.call.engine import Caller
from ivr.call.events import (
    Answered,
    CallbackOffered,
    CallEvent,
    HungUp,
    KeyPressed,
    NodeEntered,
    PromptPlayed,
    Queued,
    QueuePosition,
    RepresentativeDone,
    Transferred,
)
from ivr.call.line import Line
from ivr.call.pacing import READING, Pacing
from ivr.call.session import Call, CallOver, CallStatus
from ivr.menu.compiled import Menu
from ivr.menu.loader import load_menu
from ivr.menu.recordings import recording_for
from ivr.replay.record import Recorder
from ivr.tui.footer import KeysFooter
from ivr.tui.panels import KEYPAD, TREND_EVERY, FloorView, Keypad, MenuMap, Phone, PromptBox, TitleBar
from ivr.tui.rtl import BidiMode, bidi_mode, has_rtl, is_rtl, visual_lines
from ivr.tui.seating import Seating

if TYPE_CHECKING:
    from ivr.records.cdr import LiveRecorder
    from ivr.records.store import RecordStore, Ticket
    from ivr.replay.briefs import Brief  # read only with --briefs (the CLI loads them)
    from ivr.voice.speaker import Speaker  # imported when the app speaks, not with --mute

TICK = 0.1  # wall seconds between clock steps


class CallEventMessage(Message):
    """A call event, delivered to the app (what the phone shows and tests can watch)."""

    def __init__(self, event: CallEvent) -> None:
        super().__init__()
        self.event = event


class IvrApp(Seating):
    """The simulator: call the line, watch the floor."""

    TITLE = "ivr"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("c,C", "call", "Call"),
        Binding("h,H", "hang_up", "Hang up"),
        Binding("p,P", "pause", "Pause"),
        Binding("v,V", "next_view", "View"),
        Binding("f1", "speed(1)", "x1"),
        Binding("f2", "speed(10)", "x10"),
        Binding("f3", "speed(60)", "x60"),
        Binding("r,R", "reload", "Reload", show=False),
        Binding("s,S", "save_script", "Script"),
        Binding("e,E", "export_session", "Handout"),
        Binding("m,M", "replay_on_map", "Replay", show=False),
        Binding("b,B", "next_brief", "Brief", show=False),
        Binding("f12", "save_screenshot", "Screenshot", show=False),
        Binding("right_square_bracket", "pace(1)", "Surge", show=False),
        Binding("left_square_bracket", "pace(-1)", "Lull", show=False),
        Binding("equals_sign", "pace(0)", "Pace x1", show=False),
        *(Binding(k, f"key('{k}')", k, show=False) for k in "0123456789"),
        Binding("asterisk", "key('*')", "*", show=False),
        Binding("number_sign", "key('#')", "#", show=False),
    ]

    def __init__(
        self,
        menu_path: Path,
        seed: int = 1,
        at: datetime | None = None,
        paused: bool = False,
        speed: int = 1,
        traffic: bool = True,
        caller: Caller | None = None,
        mute: bool = True,
        voice_driver: str | None = None,
        role: str = "caller",
        store: RecordStore | None = None,
        record_dir: Path | None = None,
        warm_up: float = 0.0,
        pacing: Pacing = READING,
        briefs: list[Brief] | None = None,
        room: str | None = None,
    ) -> None:
        super().__init__()
        self.briefs = list(briefs or [])
        self.room = room  # two-seat role play: the representative is a trainee in another tab
        self.pacing = pacing
        self.role = role
        self.store = store
        self.tape: Recorder | None = None
        self.record_dir = record_dir or Path.cwd()
        self.warm_up = warm_up  # simulated seconds the floor runs before the class sees it
        self.saved_scripts: list[Path] = []
        self.recorder: LiveRecorder | None = None
        self.notes = 0
        self.role_ticket: Ticket | None = None
        self.mute = mute
        self.speaker: Speaker | None = None
        self.periodic: list[Callable[[], None]] = []  # the jobs `every` runs, as their timers call them
        self.voice_driver = voice_driver
        self.menu_path = menu_path
        self.menu: Menu = load_menu(menu_path)
        self.seed = seed
        self.start_at = at
        self.paused = paused
        self.speed = speed
        self.traffic = traffic
        self.caller = caller or Caller()
        self.live: LiveCall | None = None
        self.line: Line
        self.clock = SimClock(at)
        self._stamps = self._source_stamps()
        self._build_line()
        self.start_session()

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="too-small")
        with Horizontal(id="main"):
            yield Phone(id="phone")
            with Vertical(id="right"):
                yield MenuMap(self.menu)
                yield PromptBox(id="node-prompt")  # scrolls: a long prompt is not cut at its second line
                yield FloorView(id="floor")
        yield Static(id="errors")
        yield KeysFooter()

    def on_mount(self) -> None:
        if not self.mute:
            from ivr.voice.speaker import Speaker

            self.speaker = Speaker(self._voice_problem, self.voice_driver, check_audio=self.voice_driver is None)
            self.speaker.start()
            self.every(1.0, self.speaker.check)  # a hung engine turns into a message, not silence
        self.every(TICK, self._tick)
        self.every(1.0, self._check_reload)
        self.open_floor()
        self._update_title()
        self._refresh_floor()
        self._fit(self.size.width, self.size.height)
        self.show_brief()
        self.join_room()
        self.started()

    def started(self) -> None:
        """What a subclass does once the app is up (Textual calls every class's own `on_mount`, so
        subclasses extend this instead of defining one: it would run this class's twice)."""

    def every(self, seconds: float, job: Callable[[], object]) -> None:
        """Run `job` every `seconds` while the app runs.

        Textual removes the screens before it stops the app's timers, so a bare interval can fire on
        widgets that are already gone; these jobs stop as soon as the app starts closing.
        """

        def run() -> None:
            if self.is_running:
                job()

        self.periodic.append(run)
        self.set_interval(seconds, run)

    def on_unmount(self) -> None:
        if self.speaker is not None:
            self.speaker.close()

    def _voice_problem(self, message: str) -> None:
        """Told once by the voice worker (from its thread) or at start: say it, then go on in text."""
        if threading.get_ident() == self._thread_id:
            self.notify(f"Voice: {message}.", severity="warning", timeout=8)
        else:
            self.call_from_thread(self.notify, f"Voice: {message}.", severity="warning", timeout=8)

    # -- the clock ---------------------------------------------------------------------------------

    @property
    def call(self) -> Call | None:
        """The caller's call on the line (the last one dialled), if any."""
        return self.live.call if self.live is not None else None

    def _build_line(self) -> None:
        references = self.store.references(block=10) if self.store is not None else None
        self.line = Line(
            self.menu, self.clock, seed=self.seed, background=self.traffic, pacing=self.pacing, references=references
        )

    def _tick(self) -> None:
        if not self.paused:
            self.advance(TICK * self.effective_speed())

    def effective_speed(self) -> int:
        """Fast-forward only while the caller has nothing to do (in a queue, in a message): when the line
        waits on the caller, or a person (role play) is talking to them, time runs at x1, so that speed
        never costs the caller a timeout nor turns a conversation's minutes into seconds."""
        if self.speed > 1 and self._at_human_pace() is not None:
            return 1
        return self.speed

    def _at_human_pace(self) -> str | None:
        """Why time must run at x1 now, if it must."""
        live = self.live
        if live is None:
            return None
        if live.waiting_for_caller():
            return "while you choose"
        if live.seated_at is not None and live.status == CallStatus.QUEUED:
            return "while you talk"
        return None

    def advance(self, seconds: float) -> None:
        """Move simulated time on: prompts start, timeouts fire, the floor moves, the screen follows (a long
        jump, such as a warm-up, in steps, so that the trends are drawn along the way)."""
        while seconds > TREND_EVERY:
            self.line.advance(TREND_EVERY)
            self._refresh_floor()
            seconds -= TREND_EVERY
        self.line.advance(seconds)
        self._update_title()
        self._refresh_floor()

    def _update_title(self) -> None:
        local = self.clock.wall().astimezone(self.menu.timezone)
        if self.paused:
            state = "paused"
        elif self.effective_speed() != self.speed:
            state = f"x{self.speed} (x1 {self._at_human_pace()})"
        else:
            state = f"x{self.speed}"
        self.sub_title = f"{self.menu.name} · {local:%a %H:%M:%S} · {state}{self.pace_note()}{self.view_note()}"

    def _refresh_floor(self) -> None:
        floor_view = self.query_one(FloorView)
        floor = self.line.floor()
        if floor is None:
            floor_view.query_one("#figures", Static).update(Text("This menu has no representatives.", style="dim"))
            return
        live = self.live
        contact = live.contact if live is not None and not live.call.ended else None
        place = live.position() if live is not None else None
        seat: tuple[str, float | None] | None = None
        if self.role == "representative":
            talking = live is not None and live.seated_at is not None and live.status == CallStatus.QUEUED
            seat = ("talking", live.seated_at) if talking and live is not None else ("available", None)
        floor_view.show(floor, contact.id if contact else None, place, seat)
        self.sample_floor(floor)

    # -- the call ----------------------------------------------------------------------------------

    def on_a_call(self) -> bool:
        return self.call is not None and self.call.status in (CallStatus.ACTIVE, CallStatus.QUEUED)

    def action_call(self) -> None:
        if self.on_a_call():
            self.notify("You are already on a call; press H to hang up.")
            return
        phone = self.query_one(Phone)
        phone.clear()
        self.query_one(MenuMap).forget_call()
        self.role_ticket = None
        from ivr.records.cdr import LiveRecorder  # at the first call, not at start-up

        self.recorder = LiveRecorder(self.menu, self.clock.wall(), f"live-{secrets.token_hex(6)}")
        self.tape = Recorder("recorded in the simulator")
        # One stream: the record, the script being recorded and the screen all hear the same events.
        listeners: list[Any] = [self.tape, self.recorder.on_call, lambda e: self.post_message(CallEventMessage(e))]
        to_floor = self.role != "representative" and self.room is None  # else a person answers, not the floor
        self.live = self.line.dial(self.caller_now(), listeners, to_floor=to_floor)

    def action_hang_up(self) -> None:
        if self.live is None or self.live.call.ended:
            return
        self.live.hang_up()

    async def action_quit(self) -> None:
        """Quit; a call still in progress is hung up first, so its record is kept like any other."""
        self.action_hang_up()
        self.exit()

    def action_key(self, key: str) -> None:
        if self.live is None or self.live.status not in (CallStatus.ACTIVE, CallStatus.QUEUED):
            self.bell()
            return
        try:
            self.live.press(key)
        except CallOver:
            self.bell()

    def on_keypad_pressed(self, message: Keypad.Pressed) -> None:
        self.action_key(message.key)

    @on(Button.Pressed, "#call")
    def _call_button(self) -> None:
        self.action_call()

    @on(Button.Pressed, "#hangup")
    def _hangup_button(self) -> None:
        self.action_hang_up()

    def on_call_event_message(self, message: CallEventMessage) -> None:
        event = message.event
        if isinstance(event, HungUp | Transferred):
            self.keep_record()
            self.leave_room()
        if not self.is_running:  # a message still queued while the app closes: stored above, no screen to show
            return
        phone = self.query_one(Phone)
        if isinstance(event, PromptPlayed):
            phone.show_prompt(event)
            if self.speaker is not None:
                recorded = recording_for(self.menu.recordings, event.node, event.language) if event.audio else None
                self.speaker.say(event.text, event.language, recorded.playable if recorded else None)
        elif isinstance(event, KeyPressed):
            self.query_one(Keypad).light(event.key)  # typed or clicked, the class sees which key
            if self.speaker is not None:
                self.speaker.interrupt()  # barge-in
        elif isinstance(event, NodeEntered):
            self.query_one(MenuMap).mark(event)
        elif isinstance(event, Queued):
            phone.show_status(f"Waiting for a representative in {event.queue!r}…")
            if self.live is not None and self.live.status == CallStatus.QUEUED:
                if self.role == "representative":
                    self._seat_the_user(self.live)
                elif self.room is not None:
                    self.offer_to_room(self.live)
        elif isinstance(event, QueuePosition):
            phone.show_status(f"Number {event.position} in {event.queue!r}, about {event.estimated_wait:.0f} s…")
        elif isinstance(event, CallbackOffered):
            phone.show_status(f"A callback is offered: press {event.key} to keep your place and hang up.")
        elif isinstance(event, Answered):
            phone.show_status(f"Talking to {event.agent}…")
        elif isinstance(event, RepresentativeDone):
            phone.show_status(f"{event.agent} noted {event.reference}.")
        elif isinstance(event, Transferred):
            phone.show_status(f"Transferred to {event.destination}. Press C to call again.")
        elif isinstance(event, HungUp):
            phone.show_status(f"Call ended ({event.reason}). Press C to call again.")
        if not isinstance(event, NodeEntered) or self.query_one(MenuMap).current is None:
            phone.log_event(event)

    # -- map -----------------------------------------------------------------------------------------

    @on(Tree.NodeHighlighted)
    def _show_node(self, event: Tree.NodeHighlighted[str]) -> None:
        node_id = event.node.data
        if node_id is None or node_id not in self.menu.nodes:
            return
        language = self.call.language if self.call is not None else self.menu.default_language
        variables = self.call.variables if self.call is not None else None
        prompt = self.query_one(MenuMap).prompt_of(node_id, language, variables)
        box = self.query_one("#node-prompt", PromptBox)
        if has_rtl(prompt) and bidi_mode() is BidiMode.SHAPE:  # joined letters, read right to left
            width = (box.content_region.width or 61) - 1 - len(node_id) - 2  # a scrollbar's column kept free
            prompt = "\n".join(visual_lines(prompt, width, is_rtl(language)))
        box.show(Text.assemble((f"{node_id}: ", "bold"), prompt))

    # -- time and reload -----------------------------------------------------------------------------

    def action_pause(self) -> None:
        self.paused = not self.paused
        self._update_title()

    def action_speed(self, speed: int) -> None:
        self.speed = speed
        self.paused = False
        self._update_title()


__all__ = ["KEYPAD", "CallEventMessage", "IvrApp"]
