"""Role play: the user takes the representative's seat. A screen pop shows who is calling and what the
menu collected; the representative writes the note of the claim."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, Switch

from ivr.call.session import Call
from ivr.menu.choices import journey
from ivr.menu.compiled import Menu
from ivr.records.cdr import CATEGORIES, category_of, ticket_data


@dataclass(frozen=True)
class Note:
    """What the representative noted: the claim's category, whether it was resolved, and their words."""

    category: str
    resolved: bool
    text: str


class ScreenPop(ModalScreen[Note]):
    """The caller's details as the call arrives, and the form for the note of the claim."""

    BINDINGS = [Binding("ctrl+s", "save", "Save note")]  # noqa: RUF012 - Textual reads it as a class attribute

    def __init__(self, call: Call, path: list[str], menu: Menu, talking: Callable[[], float]) -> None:
        super().__init__()
        self.call = call
        self.path = path
        self.menu = menu
        self.talking = talking  # seconds of simulated time since the representative answered

    def compose(self) -> ComposeResult:
        call = self.call
        data = ticket_data(call.variables)
        details = Text.assemble(
            ("Caller ", "bold"),
            f"{call.caller.number}",
            (f"  tier {call.caller.tier}" if call.caller.tier else ""),
            ("  language ", "bold"),
            call.language,
            ("  queue ", "bold"),
            f"{call.queue}\n",
            ("Chose ", "bold"),
            " › ".join(journey(self.menu, self.path)) or "nothing",
            "\n",
            ("Collected ", "bold"),
            ", ".join(f"{k} = {v}" for k, v in data.items()) or "nothing",
        )
        with Vertical(id="pop"):
            yield Static(Text("Incoming call: you are the representative", style="bold reverse"))
            yield Static(details, id="pop-details")
            yield Static(self._talk_time(), id="pop-talk")
            yield Label("Category of the claim")
            current = category_of(call.variables)
            names = dict.fromkeys((*CATEGORIES, current, "other"))  # the menu's own category among them
            options = [(name, name) for name in names]
            yield Select(options, value=current, allow_blank=False, id="pop-category")
            with Horizontal(id="pop-resolved-row"):
                yield Label("Resolved at first contact ")
                yield Switch(value=True, id="pop-resolved")
            yield Input(placeholder="Note of the claim or order", id="pop-note")
            yield Button("Save note and end the conversation (Ctrl+S)", id="pop-save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#pop-note", Input).focus()
        self.set_interval(1.0, lambda: self.query_one("#pop-talk", Static).update(self._talk_time()))

    def _talk_time(self) -> Text:
        seconds = int(self.talking())
        return Text.assemble(("Talking for ", "bold"), f"{seconds // 60}:{seconds % 60:02d}")

    def action_save(self) -> None:
        category = self.query_one("#pop-category", Select).value
        note = Note(
            category=str(category),
            resolved=self.query_one("#pop-resolved", Switch).value,
            text=self.query_one("#pop-note", Input).value.strip(),
        )
        self.dismiss(note)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "pop-save":
            self.action_save()

    def on_input_submitted(self) -> None:
        self.action_save()
