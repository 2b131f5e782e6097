"""A trainer's controls in the simulator: the pace of the background callers (`[` a lull, `]` a surge,
`=` back to the menu's traffic) and, from the palette, a representative more or less per team, a team
sent on a break, and the menu's scenarios (a staged floor in one go; `ivr run --scenario` opens on one).
Each says what it did; restarting the day (R) goes back to the menu's floor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.screen import Screen

from ivr.tui.views import PanelViews

if TYPE_CHECKING:
    from ivr.call.line import Line
    from ivr.menu.centre_model import Scenario

PACES = (0.25, 0.5, 1.0, 2.0, 4.0)
BREAK_MINUTES = 15
WARM_UP_MINUTES = 30


class TrainerControls(PanelViews):
    """Part of :class:`ivr.tui.app.IvrApp`, which holds the line."""

    line: Line
    warm_up: float
    opening: Scenario | None = None  # staged before the screen opens (`ivr run --scenario`)

    def open_floor(self) -> None:
        """The floor as the class first sees it: the opening scenario, or the warm-up asked for."""
        if self.opening is not None:
            self.action_scenario(self.opening, "the opening scenario")
        elif self.warm_up:
            self.action_warm_up(self.warm_up / 60)

    def action_scenario(self, scenario: Scenario, name: str) -> None:
        """Stage ``scenario`` now: its pace, staffing, breaks and warm-up."""
        if scenario.warm_up and self.on_a_call():
            self.notify("Hang up first: this scenario's warm-up moves the clock on by itself.", severity="error")
            return
        self._control(lambda: f"{name}: " + ("; ".join(self.line.stage(scenario)) or "nothing to change"), None)

    def _refresh_floor(self) -> None:
        raise NotImplementedError

    def advance(self, seconds: float) -> None:
        raise NotImplementedError

    def on_a_call(self) -> bool:
        raise NotImplementedError

    def action_warm_up(self, minutes: float = WARM_UP_MINUTES) -> None:
        """Let the floor run ``minutes`` of simulated time at once, so a class sees it busy, not empty."""
        if self.on_a_call():
            self.notify("Hang up first: warming up moves the clock on by itself.", severity="error")
            return
        self.advance(minutes * 60)
        floor = self.line.floor()
        waiting = len(floor.waiting) if floor is not None else 0
        self.notify(f"The floor ran {minutes:g} minutes: {waiting} caller(s) waiting now")

    def pace_note(self) -> str:
        """What the title adds when callers come faster or slower than the menu says."""
        pace = getattr(self, "line", None) and self.line.pace
        return f" · callers x{pace:g}" if pace and pace != 1.0 else ""

    def action_pace(self, step: int) -> None:
        """One step faster (+1), slower (-1), or back to the menu's own traffic (0)."""
        if step == 0:
            pace = 1.0
        else:
            index = min(range(len(PACES)), key=lambda i: abs(PACES[i] - self.line.pace))
            pace = PACES[max(0, min(len(PACES) - 1, index + step))]
        self._control(lambda: self.line.set_pace(pace), f"Callers come x{pace:g} the menu's traffic")

    def add_agent(self, team: str) -> None:
        self._control(lambda: f"{self.line.log_in(team)} logged in", None)

    def remove_agent(self, team: str) -> None:
        def go() -> str:
            name = self.line.log_out(team)
            return f"{name} logs out (after any call)" if name else f"Nobody of {team} is left to log out"

        self._control(go, None)

    def send_on_break(self, team: str) -> None:
        def go() -> str:
            sent = self.line.team_break(team, BREAK_MINUTES * 60)
            return f"{sent} of {team} on a {BREAK_MINUTES}-minute break (after any call)"

        self._control(go, None)

    def _control(self, act: Any, said: str | None) -> None:
        try:
            result = act()
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(said or str(result))
        self._refresh_floor()
        self._update_title()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        pace = self.action_pace
        yield SystemCommand("Surge: callers faster ( ] )", "One step up: x2, x4", lambda: pace(1))
        yield SystemCommand("Lull: callers slower ( [ )", "One step down: x0.5, x0.25", lambda: pace(-1))
        yield SystemCommand("Callers at the menu's pace ( = )", "Back to the traffic in the file", lambda: pace(0))
        yield SystemCommand(
            f"Warm up the floor ({WARM_UP_MINUTES} minutes at once)",
            "So the class sees a busy floor",
            self.action_warm_up,
        )
        centre = self.line.menu.centre
        for name, scenario in centre.scenarios.items() if centre is not None else ():
            said = scenario.description or name
            yield SystemCommand(f"Scenario: {said}", "Stage this floor now", self._staged(scenario, said))
        for team in self.line.teams():
            add, remove, rest = (self._bound(f, team) for f in (self.add_agent, self.remove_agent, self.send_on_break))
            yield SystemCommand(f"Add a representative to {team}", "Logged in now", add)
            yield SystemCommand(f"Log out a representative of {team}", "Now if free, else after the call", remove)
            yield SystemCommand(f"Send {team} on a break", f"{BREAK_MINUTES} minutes, each after any call", rest)

    @staticmethod
    def _bound(action: Any, team: str) -> Any:
        return lambda: action(team)

    def _staged(self, scenario: Scenario, name: str) -> Any:
        return lambda: self.action_scenario(scenario, name)
