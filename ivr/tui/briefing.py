"""Caller briefs on the phone: the trainee playing the caller reads who they are, what they want and what
they have at hand, and their call carries the brief's caller data; part of :class:`ivr.tui.app.IvrApp`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ivr.call.engine import Caller
from ivr.tui.handout import SessionHandout
from ivr.tui.panels import PromptBox

if TYPE_CHECKING:
    from ivr.replay.briefs import Brief


class CallerBriefs(SessionHandout):
    """B steps through the briefs between calls; the next call is made as the brief's caller."""

    briefs: list[Brief]
    brief_index = 0
    caller: Caller

    # Provided by the app.
    def on_a_call(self) -> bool:
        raise NotImplementedError

    def brief(self) -> Brief | None:
        """The brief being played, if the session has briefs."""
        return self.briefs[self.brief_index] if self.briefs else None

    def caller_now(self) -> Caller:
        """Who the next call is made as: the brief's caller, else the caller given on the command line."""
        brief = self.brief()
        return brief.to_caller() if brief is not None else self.caller

    def show_brief(self) -> None:
        brief = self.brief()
        self.set_class(brief is not None, "-briefed")
        if brief is None:
            return
        text = Text.assemble(
            (f"Brief {self.brief_index + 1} of {len(self.briefs)}: {brief.name}", "bold"),
            ("  (B: next)\n" if len(self.briefs) > 1 else "\n", "dim"),
            ("You are ", "bold"),
            brief.persona.strip(),
            "\n",
            ("You want ", "bold"),
            brief.goal.strip(),
        )
        if brief.know:
            text.append("\n")
            text.append("You have ", style="bold")
            text.append(", ".join(f"{name} {value}" for name, value in brief.know.items()))
        self.query_one("#brief", PromptBox).show(text)  # a brief longer than its box says so, as a prompt does

    def action_next_brief(self) -> None:
        """The next brief (between calls: a call keeps the caller it was made as)."""
        if not self.briefs:
            self.notify("This session has no caller briefs: start it with --briefs FILE.")
            return
        if self.on_a_call():
            self.notify("Finish this call first (H hangs up); the next call plays the next brief.")
            return
        self.brief_index = (self.brief_index + 1) % len(self.briefs)
        self.show_brief()
