"""The console front end: call events rendered as a readable transcript with rich."""

from __future__ import annotations

import json

from rich.console import Console
from rich.text import Text

from ivr.call.events import (
    AttemptsExhausted,
    CallEvent,
    CallStarted,
    HungUp,
    KeyPressed,
    NodeEntered,
    NoInput,
    NoMatch,
    PromptPlayed,
    Queued,
    SurveyAnswered,
    Transferred,
    VariableSet,
)
from ivr.contact.events import (
    Announcement,
    CallbackOffered,
    CentreEvent,
    ContactAnswered,
    ContactEnded,
    ContactQueued,
)


def clock_text(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):>2}:{rest:04.1f}"


def describe(event: CallEvent) -> Text:
    """One transcript line for an event, styled for a terminal."""
    line = Text(clock_text(event.at) + "  ", style="dim")
    if isinstance(event, CallStarted):
        line.append(f"call from {event.caller} on {event.menu!r} ({event.language})", style="bold")
    elif isinstance(event, NodeEntered):
        line.append(f"▸ {event.node}", style="cyan")
        line.append(f" ({event.kind})", style="dim cyan")
    elif isinstance(event, PromptPlayed):
        line.append("♪ ", style="magenta")
        line.append(event.text, style="italic")
    elif isinstance(event, KeyPressed):
        line.append(f"⌨ {event.key}", style="bold yellow")
    elif isinstance(event, NoInput):
        line.append(f"… no input ({event.count})", style="yellow")
    elif isinstance(event, NoMatch):
        line.append(f"✗ no match {event.input!r} ({event.count})", style="yellow")
    elif isinstance(event, AttemptsExhausted):
        where = f"going to {event.target}" if event.target else "nowhere to go"
        line.append(f"! attempts used up, {where}", style="bold red")
    elif isinstance(event, VariableSet):
        line.append(f"= {event.variable} = {event.value!r}", style="blue")
    elif isinstance(event, SurveyAnswered):
        answer = "no answer" if event.answer is None else repr(event.answer)
        line.append(f"✓ survey {event.question}: {answer}", style="blue")
    elif isinstance(event, Queued):
        line.append(f"⇒ queued for {event.queue!r}", style="bold green")
    elif isinstance(event, Transferred):
        line.append(f"⇒ transferred to {event.destination}", style="bold green")
    elif isinstance(event, HungUp):
        style = "bold green" if event.reason in ("completed", "caller") else "bold red"
        line.append(f"☎ hung up ({event.reason})", style=style)
    else:
        line.append(event.name)
    return line


class TranscriptPrinter:
    """A call listener that prints each event as it happens, as text or as JSON lines."""

    def __init__(self, console: Console, as_json: bool = False, verbose: bool = False) -> None:
        self.console = console
        self.as_json = as_json
        self.verbose = verbose

    def __call__(self, event: CallEvent) -> None:
        if self.as_json:
            self.console.print(json.dumps(event.to_dict(), ensure_ascii=False), markup=False, highlight=False)
        elif self.verbose or not isinstance(event, NodeEntered | VariableSet):
            self.console.print(describe(event), highlight=False)


class FloorPrinter:
    """Prints what happens on the floor to the live caller: place in the queue, answer, reference."""

    def __init__(self, console: Console, as_json: bool = False) -> None:
        self.console = console
        self.as_json = as_json
        self.started_at = 0.0
        self.contact: int | None = None  # the live caller's contact, once queued

    def __call__(self, event: CentreEvent) -> None:
        if self.contact is None and isinstance(event, ContactQueued | ContactAnswered) and event.live:
            self.contact = event.contact
        if self.contact is None or getattr(event, "contact", None) != self.contact:
            return
        if self.as_json:
            payload = {k: v for k, v in event.to_dict().items() if k != "data"}
            self.console.print(json.dumps(payload, ensure_ascii=False), markup=False, highlight=False)
            return
        line = Text(clock_text(event.at - self.started_at) + "  ", style="dim")
        if isinstance(event, ContactQueued):
            line.append(f"⧗ position {event.position} in {event.queue!r}, about {event.estimated_wait:.0f} s", "green")
        elif isinstance(event, Announcement):
            line.append(f"⧗ you are number {event.position}, about {event.estimated_wait:.0f} s", "green")
        elif isinstance(event, CallbackOffered):
            line.append(f"⧗ a callback is offered (wait about {event.estimated_wait:.0f} s)", "green")
        elif isinstance(event, ContactAnswered):
            line.append(f"☺ {event.agent} answers after {event.wait:.0f} s", "bold green")
        elif isinstance(event, ContactEnded):
            result = "resolved" if event.resolved else "not resolved"
            line.append(f"✎ {event.agent} notes {event.reference} ({result}) after {event.handle:.0f} s", "green")
        else:
            return
        self.console.print(line, highlight=False)
