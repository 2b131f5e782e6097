"""Role play: the user takes the representative's seat. A screen pop shows who is calling and what the
menu collected; the representative can put the caller on hold or transfer them to another queue, and
writes the note of the claim."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, Switch

from ivr.call.session import Call, CallOver
from ivr.menu.choices import journey
from ivr.menu.compiled import Menu
from ivr.records.cdr import CATEGORIES, category_of, ticket_data


@dataclass(frozen=True)
class Note:
    """What the representative noted: the claim's category, whether it was resolved, and their words."""

    category: str
    resolved: bool
    text: str


@dataclass(frozen=True)
class CallerCard:
    """What the representative's screen pop shows of a caller: plain data, so that it can travel to a
    representative in another browser tab (see :mod:`ivr.tui.seats`)."""

    number: str
    tier: str | None
    language: str
    queue: str
    journey: list[str]  # the way the caller came, in the menu's own words
    collected: dict[str, str]  # what the menu collected (order number, account, reason...)
    category: str  # the claim's category as the menu sees it
    queues: list[str] = field(default_factory=list)  # where the representative may transfer the caller

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallerCard:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})


def card_of(call: Call, path: list[str], menu: Menu) -> CallerCard:
    """The screen pop's card for ``call``, queued after walking ``path`` through ``menu``."""
    return CallerCard(
        number=call.caller.number,
        tier=call.caller.tier,
        language=call.language,
        queue=call.queue or "",
        journey=journey(menu, path),
        collected={k: str(v) for k, v in ticket_data(call.variables).items()},
        category=category_of(call.variables),
        queues=sorted(q for q in menu.queues if q != call.queue) if menu.centre is not None else [],
    )


class ScreenPop(ModalScreen[Note | None]):
    """The caller's details as the call arrives, hold and transfer, and the form for the note of the claim.
    Dismissed with the note, or with None when the caller was transferred (or hung up)."""

    BINDINGS = [  # noqa: RUF012 - Textual reads it as a class attribute
        Binding("ctrl+s", "save", "Save note"),
        Binding("f5", "hold", "Hold"),
        Binding("f6", "transfer", "Transfer"),
    ]

    def __init__(
        self,
        card: CallerCard,
        talking: Callable[[], float],
        hold: Callable[[bool], None] | None = None,
        transfer: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self.card = card
        self.talking = talking  # seconds of simulated time since the representative answered
        self.hold = hold
        self.transfer = transfer
        self.held = False

    def compose(self) -> ComposeResult:
        card = self.card
        details = Text.assemble(
            ("Caller ", "bold"),
            card.number,
            (f"  tier {card.tier}" if card.tier else ""),
            ("  language ", "bold"),
            card.language,
            ("  queue ", "bold"),
            f"{card.queue}\n",
            ("Chose ", "bold"),
            " › ".join(card.journey) or "nothing",
            "\n",
            ("Collected ", "bold"),
            ", ".join(f"{k} = {v}" for k, v in card.collected.items()) or "nothing",
        )
        with Vertical(id="pop"):
            yield Static(Text("Incoming call: you are the representative", style="bold reverse"))
            yield Static(details, id="pop-details")
            yield Static(self._talk_time(), id="pop-talk")
            if self.hold is not None or self.transfer is not None:
                with Horizontal(id="pop-call-row"):
                    if self.hold is not None:
                        yield Button("Hold (F5)", id="pop-hold")
                    if self.transfer is not None and card.queues:
                        queues = [(q, q) for q in card.queues]
                        yield Select(queues, value=card.queues[0], allow_blank=False, id="pop-to")
                        yield Button("Transfer (F6)", id="pop-transfer")
            current = card.category
            names = dict.fromkeys((*CATEGORIES, current, "other"))  # the menu's own category among them
            options = [(name, name) for name in names]
            with Horizontal(id="pop-resolved-row"):  # one row, so that the pop fits a 24-row screen
                yield Label("Category ")
                yield Select(options, value=current, allow_blank=False, id="pop-category")
                yield Label(" Resolved ")
                yield Switch(value=True, id="pop-resolved")
            yield Input(placeholder="Note of the claim or order", id="pop-note")
            yield Button("Save note and end the conversation (Ctrl+S)", id="pop-save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#pop-note", Input).focus()
        self.set_interval(1.0, lambda: self.query_one("#pop-talk", Static).update(self._talk_time()))

    def _talk_time(self) -> Text:
        seconds = int(self.talking())
        held = ("  on hold", "bold yellow") if self.held else ""
        return Text.assemble(("Talking for ", "bold"), f"{seconds // 60}:{seconds % 60:02d}", held)

    def action_hold(self) -> None:
        """Put the caller on hold, or take them off it."""
        if self.hold is None:
            return
        try:
            self.hold(not self.held)
        except (CallOver, ValueError) as exc:  # the caller hung up meanwhile, say
            self.notify(f"Cannot hold: {exc}", severity="warning")
            return
        self.held = not self.held
        self.query_one("#pop-hold", Button).label = "Back to the caller (F5)" if self.held else "Hold (F5)"
        self.query_one("#pop-talk", Static).update(self._talk_time())

    def action_transfer(self) -> None:
        """Transfer the caller to the queue chosen beside the button; the floor answers them there."""
        if self.transfer is None or not self.card.queues:
            return
        try:
            self.transfer(str(self.query_one("#pop-to", Select).value))
        except (CallOver, ValueError) as exc:
            self.notify(f"Cannot transfer: {exc}", severity="warning")
            return
        self.dismiss(None)

    def action_save(self) -> None:
        category = self.query_one("#pop-category", Select).value
        note = Note(
            category=str(category),
            resolved=self.query_one("#pop-resolved", Switch).value,
            text=self.query_one("#pop-note", Input).value.strip(),
        )
        self.dismiss(note)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"pop-save": self.action_save, "pop-hold": self.action_hold, "pop-transfer": self.action_transfer}
        if (action := actions.get(event.button.id or "")) is not None:
            action()

    def on_input_submitted(self) -> None:
        self.action_save()
