"""Projector mode: one panel at a time, full screen (the phone, the menu map, the floor), and back."""

from __future__ import annotations

from textual.widget import Widget

from ivr.tui.designer import DesignerActions

PANELS = ("#phone", "#map", "#floor")  # the order V steps through them; after the last, all three again


class PanelViews(DesignerActions):
    """V shows one panel full screen, then the next, then all three; part of :class:`ivr.tui.app.IvrApp`."""

    shown_alone: str | None = None

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
            self.sub_title = f"{panel[1:]} full screen · V for the next"
        else:
            self.sub_title = ""
