"""What every command shares: errors with their exit codes, menu loading, common options, records."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from rich.console import Console

from ivr.call.engine import DEFAULT_NUMBER
from ivr.source.atomic import write_atomic
from ivr.source.diagnostics import Diagnostic, IvrError

if TYPE_CHECKING:  # imported where used, so that `ivr --help` starts fast
    from rich.progress import Progress

    from ivr.call import Caller, SimClock
    from ivr.call.pacing import Pacing
    from ivr.menu.compiled import Menu
    from ivr.records.store import CallRecord, RecordStore


EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
MAX_STAFF_CALLS = 1_000_000  # `ivr staff --calls`: offered calls per interval
MAX_LOAD_RATE = 100_000  # `ivr load --rate`, calls a second
MAX_ERLANGS = 20_000  # `ivr staff`: offered load; the search for agents is linear in it
EXIT_CRASHED = 70  # EX_SOFTWARE: ivr itself failed (the log file it names has the details)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class CliError(click.ClickException):
    """A command cannot go on: one message (and a hint), printed on stderr, and the command's exit code."""

    def __init__(self, message: str, hint: str | None = None, code: int = EXIT_INVALID) -> None:
        super().__init__(message)
        self.hint = hint
        self.exit_code = code  # type: ignore[misc]  # a ClassVar in click, read from the instance

    def show(self, file: Any = None) -> None:
        err.print(f"[bold red]error:[/] {_escape(self.message)}", markup=True)
        if self.hint:
            err.print(f"  hint: {self.hint}", markup=False)


class FileProblems(click.ClickException):
    """Problems found in the user's files, each at its `file:line:col`; exit 2 unless told otherwise."""

    def __init__(self, diagnostics: list[Diagnostic], code: int = EXIT_INVALID, note: str | None = None) -> None:
        super().__init__(diagnostics[0].message if diagnostics else "invalid input")
        self.diagnostics = diagnostics
        self.exit_code = code  # type: ignore[misc]  # a ClassVar in click, read from the instance
        self.note = note

    def show(self, file: Any = None) -> None:
        print_diagnostics(self.diagnostics, err)
        if self.note:
            err.print(f"[red]{_escape(self.note)}[/]")


def fail(message: str, hint: str | None = None, code: int = EXIT_INVALID) -> NoReturn:
    """Stop the command with ``message`` (and ``hint``) on stderr and exit ``code``."""
    raise CliError(message, hint, code)


def print_diagnostics(items: list[Diagnostic], console: Console) -> None:
    for d in items:
        colour = "red" if d.severity == "error" else "yellow"
        console.print(
            f"[bold]{d.path}:{d.line}:{d.col}:[/] [{colour}]{d.severity}:[/] {_escape(d.message)}"
            + (f" [dim]\\[{d.rule}][/]" if d.rule else "")
        )
        if d.hint:
            console.print(f"  [dim]hint:[/] {_escape(d.hint)}")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def load_or_exit(path: str) -> Menu:
    """Load a menu or print its problems and exit 2."""
    from ivr.menu import load_menu

    try:
        return load_menu(path)
    except IvrError as exc:
        raise FileProblems(exc.diagnostics) from None


def pacing_or_exit(voices: Path | None) -> Pacing:
    """How long prompts take: the WAVs' lengths in VOICES (from `ivr speak`), else the reading pace."""
    from ivr.call.pacing import READING, Pacing

    if voices is None:
        return READING
    try:
        return Pacing.from_voices(voices)
    except IvrError as exc:
        raise FileProblems(exc.diagnostics) from None


def voices_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--voices",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder written by `ivr speak`: prompts take their WAV's length (else a reading pace).",
    )(func)


def progress(label: str, *columns: Any) -> Progress:
    """A progress bar on stderr, shown on terminals only and gone when done."""
    from rich.progress import BarColumn, Progress, TextColumn

    return Progress(TextColumn(label), BarColumn(), *columns, console=err, transient=True, disable=not err.is_terminal)


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        write_atomic(output, text)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    err.print(f"wrote {output}")


def caller_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options describing who calls and when, shared by commands that place calls."""
    for option in reversed(
        [
            click.option("--number", default=DEFAULT_NUMBER, show_default=True, help="Caller's number."),
            click.option("--tier", help="Caller's account tier (caller.tier)."),
            click.option("--language", help="Caller's language (defaults to the menu's first)."),
            click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="Caller data (repeatable)."),
            click.option("--at", "at", metavar="DATETIME", help="When the call happens, e.g. 2026-11-24T10:00."),
        ]
    ):
        func = option(func)
    return func


def make_caller(menu: Menu, number: str, tier: str | None, language: str | None, variables: tuple[str, ...]) -> Caller:
    from ivr.call import Caller

    data: dict[str, Any] = {}
    for item in variables:
        name, sep, value = item.partition("=")
        if not sep or not name:
            fail(f"--var {item!r} is not NAME=VALUE")
        declared = menu.inputs.get(name)
        if menu.inputs and declared is None:
            fail(
                f"--var {name!r} is not caller data this menu declares",
                f"its `inputs:` are {', '.join(sorted(menu.inputs))}; add {name!r} there to give it",
            )
        try:
            data[name] = declared.parse(value) if declared is not None else value
        except ValueError as exc:
            fail(f"--var {name}: {exc}", f"{name!r} is declared as {declared.type if declared else 'text'}")
    if language is not None and language not in menu.languages:
        fail(f"--language {language!r} is not one of the menu's languages: {', '.join(menu.languages)}")
    return Caller(number=number, tier=tier, language=language, variables=data)


def make_clock(menu: Menu, at: str | None) -> SimClock:
    from ivr.call import SimClock

    if at is None:
        return SimClock()
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        fail(f"--at {at!r} is not a date and time", "write it like 2026-11-24T10:00 (menu's time zone)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=menu.timezone)
    return SimClock(moment)


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--db`` alone: the default records database; ``--db PATH``: that one; absent: no records."""
    return click.option(
        "--db",
        "db",
        is_flag=False,
        flag_value="",
        default=None,
        metavar="[PATH]",
        help="Keep call records in SQLite (default: your data folder).",
    )(func)


def open_records(db: str | None) -> RecordStore | None:
    if db is None:
        return None
    from ivr.records.store import RecordStore, default_path

    try:
        return RecordStore(Path(db) if db else default_path())
    except IvrError as exc:
        raise FileProblems(exc.diagnostics) from None


def store_record(store: RecordStore, record: CallRecord) -> None:
    try:
        store.add(record)
    except IvrError as exc:
        raise FileProblems(exc.diagnostics, EXIT_FAILED) from None


def parse_duration(text: str, option: str) -> float:
    from ivr.menu.durations import parse_seconds

    try:
        return parse_seconds(text)
    except ValueError as exc:
        fail(f"{option}: {exc}")


def _json_safe(value: Any) -> Any:
    """JSON has no infinity: an overloaded row's endless ASA becomes null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def parse_rate(text: str) -> float:
    """``"50/s"`` -> 50.0 calls a second (also /m, /h, or a bare number per second)."""
    number, _, unit = text.strip().partition("/")
    scale = {"": 1.0, "s": 1.0, "m": 1 / 60, "min": 1 / 60, "h": 1 / 3600}.get(unit.strip().lower())
    try:
        value = float(number)
    except ValueError:
        value = -1.0
    if scale is None or not value > 0:  # NaN is not more than 0 either
        fail(f"--rate {text!r} is not a call rate", "write it as 50/s, 3000/m or 50000/h")
    if not value * scale <= MAX_LOAD_RATE:
        fail(f"--rate {text!r} is more than {MAX_LOAD_RATE:,} calls a second", "ivr load places calls one by one")
    return value * scale


def run_tui(app: Any, headless: bool = False) -> bool:
    """Run a Textual app; True (and one line on stderr) when it stopped on an unexpected error."""
    app.run(headless=headless)
    message = getattr(app, "crash_message", None)
    if message is None and not app.return_code:
        return False
    err.print(message or f"ivr stopped with status {app.return_code}", markup=False, highlight=False)
    return True
