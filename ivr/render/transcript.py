"""The console front end: a live call's events (the queue phase included) as a readable transcript."""

from __future__ import annotations

import json

from rich.console import Console
from rich.text import Text

from ivr.call.events import (
    Answered,
    AttemptsExhausted,
    CallbackOffered,
    CallbackTaken,
    CallEvent,
    CallStarted,
    HandedOver,
    Held,
    HungUp,
    KeyNotUsed,
    KeyPressed,
    LookupAnswered,
    NodeEntered,
    NoInput,
    NoMatch,
    PromptPlayed,
    QueueBusy,
    Queued,
    QueueOverflowed,
    QueuePosition,
    RepresentativeDone,
    SurveyAnswered,
    Transferred,
    VariableSet,
)


def lookup_text(event: LookupAnswered) -> str:
    """ "⇄ balance-service for '1234': balance = '42.50'" (or "failed"), as a caller's log shows it."""
    asked = f"⇄ {event.service}" + (f" for {event.given!r}" if event.given != "*" else "")
    if event.failed:
        return f"{asked}: failed"
    returned = ", ".join(f"{name} = {value!r}" for name, value in event.returned.items()) or "answered"
    return f"{asked}: {returned}" + (" (the script's answer)" if event.answer == "world" else "")


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
        if event.audio is not None:
            line.append(f"  [recording {event.audio}]", style="dim magenta")
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
    elif isinstance(event, LookupAnswered):
        line.append(lookup_text(event), style="cyan")
    elif isinstance(event, Queued):
        line.append(f"⇒ queued for {event.queue!r}", style="bold green")
    elif isinstance(event, QueuePosition):
        line.append(f"⧗ number {event.position} in {event.queue!r}, about {event.estimated_wait:.0f} s", "green")
    elif isinstance(event, QueueOverflowed):
        line.append(f"⧗ moved from {event.queue!r} to {event.to!r}", "green")
    elif isinstance(event, CallbackOffered):
        line.append(f"⧗ a callback is offered: press {event.key}", "green")
    elif isinstance(event, CallbackTaken):
        line.append("⧗ callback taken: the caller keeps their place", "bold green")
    elif isinstance(event, QueueBusy):
        why = "is full" if event.why == "full" else "has nobody logged in"
        line.append(f"✗ queue {event.queue!r} {why}", "bold red")
    elif isinstance(event, Answered):
        line.append(f"☺ {event.agent} {_verb(event.agent, 'answers')} after {event.wait:.0f} s", "bold green")
    elif isinstance(event, RepresentativeDone):
        result = "resolved" if event.resolved else "not resolved"
        notes = _verb(event.agent, "notes")
        line.append(f"✎ {event.agent} {notes} {event.reference} ({result}) after {event.talk:.0f} s", "green")
    elif isinstance(event, Held):
        said = (
            f"⏸ {event.agent} {_verb(event.agent, 'puts')} the caller on hold"
            if event.on
            else f"▶ {event.agent} {_verb(event.agent, 'is')} back"
        )
        line.append(said, "green")
    elif isinstance(event, HandedOver):
        transfers = _verb(event.agent, "transfers")
        line.append(f"⇒ {event.agent} {transfers} the caller from {event.queue!r} to {event.to!r}", "bold green")
    elif isinstance(event, KeyNotUsed):
        line.append(f"⌨ {event.key} not used: {event.why}", "yellow")
    elif isinstance(event, Transferred):
        line.append(f"⇒ transferred to {event.destination}", style="bold green")
    elif isinstance(event, HungUp):
        style = "bold green" if event.reason in ("completed", "caller") else "bold red"
        line.append(f"☎ hung up ({event.reason})", style=style)
    else:
        line.append(event.name)
    return line


_PLAIN_FORM = {"is": "are"}


def _verb(agent: str, verb: str) -> str:
    """``verb`` as said of ``agent``: the user in role play is "you" ("you answer", not "you answers")."""
    return _PLAIN_FORM.get(verb, verb.removesuffix("s")) if agent == "you" else verb


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
