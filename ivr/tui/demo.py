"""`ivr demo`: a scripted call played in the TUI, step by step, with the key presses shown."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.widgets import RichLog

from ivr.call.session import CallOver
from ivr.menu.loader import load_menu
from ivr.replay import model as m
from ivr.replay.expectations import check, describe_expectation
from ivr.replay.runner import caller_of, stage, world_start
from ivr.replay.scripts import Script, merged
from ivr.tui.app import IvrApp
from ivr.tui.panels import Keypad

STEP_SECONDS = 1.5  # wall seconds between demo steps at x1 (each waits for the line to fall quiet too)
KEY_SECONDS = 0.4  # between the keys of one press step
WAIT_SECONDS = 8.0  # a long silence or queue wait is shown passing in about this many wall seconds


class DemoApp(IvrApp):
    """Plays one call of a script: space pauses, N steps, R restarts."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("space", "toggle_demo", "Pause demo"),
        Binding("n", "step", "Step"),
        Binding("r", "restart", "Restart"),
        Binding("c,C,h,H", "not_in_demo", show=False),  # the script makes the call: these would break it
        Binding("p,P", "toggle_demo", "Pause demo", show=False),  # one pause, for the steps and the clock
        # still there, but not in the footer: an 80-column footer keeps room for what a demo is driven by
        Binding("s,S", "save_script", "Script", show=False),
        *(
            Binding(key, f"speed({speed})", f"x{speed}", show=False)
            for key, speed in (("f1", 1), ("f2", 10), ("f3", 60))
        ),
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
        self.demo_caller = caller_of(caller_spec, world)
        self.autoplay = autoplay
        self.step_index = 0
        self.since = 0
        self.pending_keys: list[str] = []
        self.busy_until: float | None = None  # a silence being played: the step is over at this time
        self.waiting: tuple[m.WaitUntil, float] | None = None  # a wait_until being played, and its limit
        at = world_start(load_menu(script.menu_path), world)
        options.setdefault("paused", not autoplay)  # one pause for the steps and the clock
        super().__init__(script.menu_path, at=at, traffic=False, caller=self.demo_caller, **options)

    def _build_line(self) -> None:
        """The script's world, as `ivr replay` stages it: same staffing, handle times and waiting callers."""
        self.line = stage(self.menu, getattr(self, "world", None))
        self.clock = self.line.clock

    def started(self) -> None:
        self.title = f"demo: {self.call_spec.name}"
        self.every(STEP_SECONDS, self._auto_step)
        self.every(KEY_SECONDS, self._next_key)
        self.action_restart()

    # -- controls ----------------------------------------------------------------------------------

    def action_toggle_demo(self) -> None:
        """One pause for the steps and the clock."""
        self.autoplay = not self.autoplay
        self.paused = not self.autoplay
        self._update_title()
        self.notify("demo playing" if self.autoplay else "demo paused: N steps, space plays")

    def action_not_in_demo(self) -> None:
        self.notify("In a demo the script places the call: R restarts it, space pauses.")

    def effective_speed(self) -> int:
        """A silence or a queue wait passes at a speed people can watch: the whole wait in a few seconds."""
        if self.busy_until is not None:
            left = self.busy_until - self.clock.now()
            return max(self.speed, min(60, int(left / WAIT_SECONDS) + 1))
        if self.waiting is not None:
            return max(self.speed, min(60, int(self.waiting[0].limit / WAIT_SECONDS) + 1))
        return super().effective_speed()

    def action_restart(self) -> None:
        """From the script's own time again: a new line, floor and clock, and the call from its first step."""
        self.step_index = 0
        self.pending_keys = []
        self.busy_until = None
        self.waiting = None
        if self.call is not None and not self.call.ended:
            self.action_hang_up()
        self.live = None
        self._build_line()
        self.action_call()
        self.since = 0
        self._note(Text(f"▶ {self.script.shown} :: {self.call_spec.name}", style="bold"))

    def _auto_step(self) -> None:
        # A step waits until the line falls quiet: each prompt is heard to the point of choice.
        if self._playing_a_wait():
            return
        quiet = self.call is None or self.call.settled_at() <= self.clock.now()
        if self.autoplay and not self.pending_keys and quiet:
            self.action_step()

    def _playing_a_wait(self) -> bool:
        """A silence or a wait_until still going on the clock; its verdict when it ends."""
        now = self.clock.now()
        if self.busy_until is not None:
            if now < self.busy_until and self.call is not None and not self.call.ended:
                return True
            self.busy_until = None
            self._end_if_done()
        if self.waiting is not None:
            until, limit = self.waiting
            if check(until, self._call_view(), self._recent()) is not None and now < limit:
                return True
            self.waiting = None
            self._verdict(until, negate=False, optional=False)
            self._end_if_done()
            return True
        return False

    def action_step(self) -> None:
        """Play the next step of the script."""
        if self.pending_keys:
            return
        steps = self.call_spec.steps
        if self.step_index >= len(steps) or self.call is None:
            return
        step = steps[self.step_index]
        self.step_index += 1
        if step.note:
            self._note(Text(f"» {step.note}", style="bold cyan"))
        if step.press is not None:
            if not step.press.barge_in and self.live is not None:
                self.live.listen()  # as in `ivr replay`: the prompt is heard to the point of choice first
                self.advance(0.0)
            self.since = len(self.call.transcript)
            self.pending_keys = list(step.press.keys)
            self._next_key()
        elif step.silence == "timeout":
            self.since = len(self.call.transcript)
            self._note(Text("… silence until the timeout", style="yellow"))
            deadline = self.call.deadline  # shown passing on the clock, not jumped over
            self.busy_until = deadline if deadline is not None else self.clock.now()
            if self.paused:
                self.advance(self.busy_until - self.clock.now())
                self._playing_a_wait()
        elif step.silence is not None:
            self.since = len(self.call.transcript)
            self._note(Text(f"… silence {step.silence:g} s", style="yellow"))
            self.busy_until = self.clock.now() + step.silence
            if self.paused:
                self.advance(step.silence)
                self._playing_a_wait()
        elif step.hangup:
            self.since = len(self.call.transcript)
            self.action_hang_up()
        elif step.wait_until is not None:
            self.since = len(self.call.transcript)
            self._note(Text(f"… waiting until {describe_expectation(step.wait_until)}", style="yellow"))
            self.waiting = (step.wait_until, self.clock.now() + step.wait_until.limit)
            if self.paused:  # stepping by hand with the clock stopped: the wait is played through at once
                until = step.wait_until
                self.line.run_until(lambda: check(until, self._call_view(), self._recent()) is None, until.limit)
                self.advance(0.0)
                self._playing_a_wait()
            return
        else:
            expectation = step.expect if step.expect is not None else step.not_
            assert expectation is not None
            if self.live is not None:
                self.live.listen()  # as in `ivr replay`: what the line says in answer is heard out first
                self.advance(0.0)
            self._verdict(expectation, negate=step.not_ is not None, optional=step.optional)
        self._end_if_done()

    def _end_if_done(self) -> None:
        if self.step_index >= len(self.call_spec.steps) and not self.pending_keys and self.busy_until is None:
            self._note(Text("■ end of script (R restarts)", style="bold"))

    def _next_key(self) -> None:
        if not self.pending_keys:
            return
        key = self.pending_keys.pop(0)
        self.query_one(Keypad).press(key)  # shows the press on the keypad, and presses the key through the app
        if not self.pending_keys and self.step_index >= len(self.call_spec.steps):
            self._note(Text("■ end of script (R restarts)", style="bold"))

    def action_key(self, key: str) -> None:
        try:
            super().action_key(key)
        except CallOver:
            self.bell()

    # -- expectations ------------------------------------------------------------------------------

    def _call_view(self) -> Any:
        return SimpleNamespace(call=self.call, live=self.live, line=self.line)

    def _recent(self) -> list[Any]:
        return self.call.transcript[self.since :] if self.call is not None else []

    def _verdict(self, expectation: m.Expect, negate: bool, optional: bool) -> None:
        problem = check(expectation, self._call_view(), self._recent())
        held = problem is None
        good = held != negate
        words = ("not " if negate else "") + describe_expectation(expectation)
        if good:
            self._note(Text(f"✓ {words}", style="green"))
        else:
            style = "yellow" if optional else "bold red"
            self._note(Text(f"✗ {words}: {problem or 'it held'}", style=style))

    def _note(self, text: Text) -> None:
        self.query_one("#transcript", RichLog).write(text)
