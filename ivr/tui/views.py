"""The layout that fits the screen, projector mode (one panel at a time, full screen, and back) and the
command palette's entries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.app import SystemCommand
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from ivr.tui.designer import DesignerActions
from ivr.tui.panels import MenuMap

MIN_WIDTH, MIN_HEIGHT = 80, 24
WIDE = 120  # below it the floor's two tables stack, so that neither loses a column
TALL = 32  # below it the phone closes up its margins
ROOMY = 48  # from it the prompt box has two lines more
SPEEDS = (1, 10, 60)  # clock speeds: F1, F2, F3
PANELS = ("#phone", "#map", "#floor")  # the order V steps through them; after the last, all three again


class PanelViews(DesignerActions):
    """V shows one panel full screen, then the next, then all three; part of :class:`ivr.tui.app.IvrApp`."""

    shown_alone: str | None = None

    # Provided by the app.
    def action_call(self) -> None:
        raise NotImplementedError

    def action_pause(self) -> None:
        raise NotImplementedError

    def action_speed(self, speed: int) -> None:
        raise NotImplementedError

    def _update_title(self) -> None:
        raise NotImplementedError

    def on_resize(self, event: Any) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        self.set_class(small, "-too-small")
        self.set_class(width < WIDE, "-narrow")
        self.set_class(height < TALL, "-short")
        self.set_class(height >= ROOMY, "-roomy")
        footer = self.query_one(Footer)
        footer.compact = width < WIDE  # every key's label whole, not the last one cut
        footer.show_command_palette = width >= WIDE  # Ctrl+P still opens it; its hint gives way to the keys
        self.query_one(MenuMap).guide_depth = 2 if width < WIDE else 4  # deep nodes' labels fit a narrow map
        if small:
            self.query_one("#too-small", Static).update(
                Text(
                    f"The terminal is {width}x{height}; ivr needs at least {MIN_WIDTH}x{MIN_HEIGHT}.\n"
                    "Make the window larger (or the font smaller).",
                    justify="center",
                )
            )

    def action_next_view(self) -> None:
        """Show the next panel full screen, or all three after the last one."""
        order = [None, *PANELS]
        following = order[(order.index(self.shown_alone) + 1) % len(order)]
        self.show_alone(following)

    def show_alone(self, panel: str | None) -> None:
        """``panel`` (a PANELS id) full screen, or None for the usual layout."""
        screen = self.screen
        screen.minimize()
        self.shown_alone = panel
        if panel is not None:
            widget = self.query_one(panel, Widget)
            screen.maximize(widget, container=False)
        self._update_title()

    def view_note(self) -> str:
        """What the title adds in projector mode."""
        return f" · {self.shown_alone[1:]} full screen (V: next)" if self.shown_alone else ""

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":  # Textual's writes to ~/Downloads, which may not exist
                yield command
        yield SystemCommand(
            "Screenshot", "Save an SVG of the screen in screenshots/ (F12)", self.action_save_screenshot
        )
        yield SystemCommand("Call the line", "Place a call on the menu", self.action_call)
        yield SystemCommand("Hang up", "End the current call", self.action_hang_up)
        yield SystemCommand("Pause or resume time", "Stop or start the simulated clock", self.action_pause)
        for speed in SPEEDS:
            yield SystemCommand(
                f"Time x{speed}", f"Run the simulated clock {speed} times real time", self._speed(speed)
            )
        yield SystemCommand("Reload the menu", "Read the menu file again", self.action_reload)
        yield SystemCommand("Save the call as a script", "Keys, silences and what was heard", self.action_save_script)
        for panel in PANELS:
            yield SystemCommand(f"Show the {panel[1:]} full screen", "Projector mode; V steps on", self._alone(panel))
        yield SystemCommand("Show every panel", "Leave projector mode", self._alone(None))

    def _speed(self, speed: int) -> Any:
        return lambda: self.action_speed(speed)

    def _alone(self, panel: str | None) -> Any:
        return lambda: self.show_alone(panel)
