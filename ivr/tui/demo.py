"""`ivr demo`: a scripted call played in the TUI, step by step, with the key presses shown."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Button, RichLog

from ivr.call.engine import Caller
from ivr.call.session import CallOver
from ivr.contact import events as cev
from ivr.menu.loader import load_menu
from ivr.replay import model as m
from ivr.replay.runner import DEFAULT_AT, check, describe_expectation, with_agents
from ivr.replay.scripts import Script, merged
from ivr.tui.app import IvrApp
from ivr.tui.panels import key_id

STEP_SECONDS = 1.5  # wall seconds between demo steps at x1
KEY_SECONDS = 0.4  # between the keys of one press step


class DemoApp(IvrApp):
    """Plays one call of a script: space pauses, N steps, R restarts."""

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("space", "toggle_demo", "Pause demo"),
        Binding("n", "step", "Step"),
        Binding("r", "restart", "Restart"),
        *IvrApp.BINDINGS,
    ]

    def __init__(self, script: Script, index: int = 0, autoplay: bool = True, **options: Any) -> None:
        call = script.file.calls[index]
        caller_spec = merged(script.file.defaults.caller, call.caller)
        world = merged(script.file.defaults.world, call.world)
        assert caller_spec is None or isinstance(caller_spec, m.CallerSpec)
        assert world is None or isinstance(world, m.World)
        self.script = script
        self.call_spec = call
        self.world = world
        at = (world.at if world and world.at else DEFAULT_AT).replace(tzinfo=None)
        self.demo_caller = Caller(
            number=caller_spec.number if caller_spec and caller_spec.number else "+920000000000",
            tier=caller_spec.tier if caller_spec else None,
            language=caller_spec.language if caller_spec else None,
            variables=dict(caller_spec.variables) if caller_spec else {},
        )
        self.autoplay = autoplay
        self.step_index = 0
        self.since = 0
        self.floor_events: list[cev.CentreEvent] = []
        self.pending_keys: list[str] = []
        zone = load_menu(script.menu_path).timezone
        super().__init__(
            script.menu_path, at=at.replace(tzinfo=zone), traffic=False, caller=self.demo_caller, **options
        )

    def _build_line(self) -> None:
        world = getattr(self, "world", None)
        if world is not None and world.agents:
            self.menu = with_agents(self.menu, world.agents)
        super()._build_line()
        if self.line is not None:
            self.line.centre.listeners.append(self.floor_events.append)
            for queue, count in (world.waiting if world else {}).items():
                for _ in range(count):
                    self.line.centre.enqueue(queue, live=False)

    def started(self) -> None:
        self.title = f"demo: {self.call_spec.name}"
        self.every(STEP_SECONDS, self._auto_step)
        self.every(KEY_SECONDS, self._next_key)
        self.action_restart()

    # -- controls ----------------------------------------------------------------------------------

    def action_toggle_demo(self) -> None:
        self.autoplay = not self.autoplay
        self.notify("demo playing" if self.autoplay else "demo paused: N steps, space plays")

    def action_restart(self) -> None:
        self.step_index = 0
        self.pending_keys = []
        if self.call is not None and not self.call.ended:
            self.action_hang_up()
        self.call = None
        self.floor_events.clear()
        self._build_line()
        self.action_call()
        self.since = 0
        self._log(Text(f"▶ {self.script.shown} :: {self.call_spec.name}", style="bold"))

    def _auto_step(self) -> None:
        if self.autoplay and not self.pending_keys:
            self.action_step()

    def action_step(self) -> None:
        """Play the next step of the script."""
        if self.pending_keys:
            return
        steps = self.call_spec.steps
        if self.step_index >= len(steps) or self.call is None:
            return
        step = steps[self.step_index]
        self.step_index += 1
        if step.press is not None:
            self.since = len(self.call.transcript)
            self.pending_keys = list(step.press.keys)
            self._next_key()
        elif step.silence is not None:
            self.since = len(self.call.transcript)
            self._log(Text(f"… silence {step.silence:g} s", style="yellow"))
            self.advance(step.silence)
        elif step.hangup:
            self.since = len(self.call.transcript)
            self.action_hang_up()
        elif step.wait_until is not None:
            self.since = len(self.call.transcript)
            waited = 0.0
            while waited < step.wait_until.limit and check(step.wait_until, self._call_view(), self._recent()):
                self.advance(1.0)
                waited += 1.0
            self._verdict(step.wait_until, negate=False, optional=False)
        else:
            expectation = step.expect if step.expect is not None else step.not_
            assert expectation is not None
            self._verdict(expectation, negate=step.not_ is not None, optional=step.optional)
        if self.step_index >= len(steps) and not self.pending_keys:
            self._log(Text("■ end of script (R restarts)", style="bold"))

    def _next_key(self) -> None:
        if not self.pending_keys:
            return
        key = self.pending_keys.pop(0)
        button = self.query_one(f"#{key_id(key)}", Button)
        button.press()  # shows the press on the keypad, and presses the key through the app
        if not self.pending_keys and self.step_index >= len(self.call_spec.steps):
            self._log(Text("■ end of script (R restarts)", style="bold"))

    def action_key(self, key: str) -> None:
        try:
            super().action_key(key)
        except CallOver:
            self.bell()

    # -- expectations ------------------------------------------------------------------------------

    def _call_view(self) -> Any:
        contact = self.line.contact_of(self.call) if self.line is not None and self.call is not None else None
        mine = [e for e in self.floor_events if contact is not None and getattr(e, "contact", None) == contact.id]
        return SimpleNamespace(call=self.call, line=self.line, contact_events=lambda: mine)

    def _recent(self) -> list[Any]:
        return self.call.transcript[self.since :] if self.call is not None else []

    def _verdict(self, expectation: m.Expect, negate: bool, optional: bool) -> None:
        problem = check(expectation, self._call_view(), self._recent())
        held = problem is None
        good = held != negate
        words = ("not " if negate else "") + describe_expectation(expectation)
        if good:
            self._log(Text(f"✓ {words}", style="green"))
        else:
            style = "yellow" if optional else "bold red"
            self._log(Text(f"✗ {words}: {problem or 'it held'}", style=style))

    def _log(self, text: Text) -> None:
        self.query_one("#transcript", RichLog).write(text)
