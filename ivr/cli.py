"""The ``ivr`` command."""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console

from ivr import __version__
from ivr.atomic import write_atomic
from ivr.diagnostics import Diagnostic, IvrError

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
MAX_STAFF_CALLS = 1_000_000  # `ivr staff --calls`: offered calls per interval
MAX_LOAD_RATE = 100_000  # `ivr load --rate`, calls a second
MAX_ERLANGS = 20_000  # `ivr staff`: offered load; the search for agents is linear in it
EXIT_CRASHED = 70  # EX_SOFTWARE: ivr itself failed (the log file it names has the details)
DEFAULT_AT = datetime(2026, 1, 6, 10, 0)  # a Tuesday morning: fuzz and load runs are the same any day

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, hint: str | None = None, code: int = EXIT_INVALID) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", markup=True)
    if hint:
        err.print(f"  hint: {hint}", markup=False)
    sys.exit(code)


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


def load_or_exit(path: str) -> Any:
    """Load a menu or print its problems and exit 2."""
    from ivr.menu import load_menu

    try:
        return load_menu(path)
    except IvrError as exc:
        print_diagnostics(exc.diagnostics, err)
        sys.exit(EXIT_INVALID)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ivr")
def cli() -> None:
    """Simulate IVR phone menus: check them, draw them, and call them."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.option("--disable", multiple=True, metavar="RULE", help="Switch a lint rule off (repeatable).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--rules", "list_rules", is_flag=True, help="List the lint rules and exit.")
@click.option("--timing", is_flag=True, help="Also show how long callers listen before each destination.")
@click.option(
    "--voices",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder written by `ivr speak`: use its WAV lengths (else estimated from the words).",
)
def check(
    files: tuple[Path, ...],
    fmt: str,
    disable: tuple[str, ...],
    strict: bool,
    list_rules: bool,
    timing: bool,
    voices: Path | None,
) -> None:
    """Validate and lint menu FILES.

    Exit status: 0 clean (warnings allowed), 1 lint errors, 2 a file is invalid or unreadable.
    """
    from ivr.menu import load_menu
    from ivr.menu.lint import RULES, lint_menu

    if list_rules:
        for rule, (severity, text) in RULES.items():
            out.print(f"{rule:22} {severity:8} {text}")
        return
    unknown = [r for r in disable if r not in RULES]
    if unknown:
        fail(f"unknown lint rule {unknown[0]!r}", "list them with `ivr check --rules`")
    results: list[dict[str, Any]] = []
    worst = EXIT_OK
    for path in files:
        try:
            menu = load_menu(path)
        except IvrError as exc:
            results.append({"path": str(path), "valid": False, "diagnostics": exc.diagnostics})
            worst = EXIT_INVALID
            continue
        found = lint_menu(menu, set(disable))
        if strict:
            found = [Diagnostic(**{**d.as_dict(), "severity": "error"}) for d in found]  # type: ignore[arg-type]
        if any(d.severity == "error" for d in found):
            worst = max(worst, EXIT_FAILED)
        results.append({"path": str(path), "valid": True, "diagnostics": found, "nodes": len(menu.nodes)})
        if timing:
            results[-1]["timing"] = _timing(menu, voices)
    errors = sum(d.severity == "error" for r in results for d in r["diagnostics"])
    warnings = sum(d.severity == "warning" for r in results for d in r["diagnostics"])
    if fmt == "json":
        payload = {
            "files": [{**r, "diagnostics": [d.as_dict() for d in r["diagnostics"]]} for r in results],
            "errors": errors,
            "warnings": warnings,
            "exit_status": worst,
        }
        out.print(json.dumps(payload, ensure_ascii=False, indent=2), markup=False)
    else:
        for r in results:
            print_diagnostics(r["diagnostics"], out)
            for language, reaches in r.get("timing", {}).items():
                out.print(_timing_table(r["path"], language, reaches))
        colour = "red" if errors else "yellow" if warnings else "green"
        checked = f"{len(files)} file{'s' * (len(files) != 1)} checked"
        out.print(f"[{colour}]{checked}: {errors} error(s), {warnings} warning(s)[/]")
    sys.exit(worst)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", help="Diagram language.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def graph(file: Path, fmt: str, output: Path | None) -> None:
    """Draw the menu in FILE, with no-input, no-match and attempts-used-up paths."""
    from ivr.menu.graph import render

    text = render(load_or_exit(str(file)), fmt)
    write_output(text, output)


@cli.command()
@click.argument("kind", type=click.Choice(["menu", "script"]), default="menu")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def schema(kind: str, output: Path | None) -> None:
    """Print the JSON Schema of menu files (or of call scripts), for editors."""
    from ivr.menu.model import MenuFileSchema
    from ivr.replay.model import ScriptFile

    model = MenuFileSchema if kind == "menu" else ScriptFile
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **model.model_json_schema(by_alias=True),
        "title": f"ivr {kind} file",
    }
    write_output(json.dumps(document, indent=2, ensure_ascii=False) + "\n", output)


def _timing(menu: Any, voices: Path | None) -> dict[str, list[dict[str, Any]]]:
    """Time to reach each destination, per language, from WAV lengths or estimates."""
    from ivr.menu.timing import time_to_reach

    pacing = pacing_or_exit(voices)
    measured = bool(pacing.by_id)

    def seconds(prompt_id: str, language: str, text: str) -> float:
        return pacing(text, language, prompt_id)

    return {
        language: [
            {
                **vars(r),
                "best": round(r.best, 1),
                "worst": round(r.worst, 1),
                "source": "wav" if measured else "estimate",
            }
            for r in time_to_reach(menu, language, seconds)
        ]
        for language in menu.languages
    }


def _timing_table(path: str, language: str, reaches: list[dict[str, Any]]) -> Any:
    from rich.table import Table

    source = reaches[0]["source"] if reaches else "estimate"
    how = "WAV lengths" if source == "wav" else "estimated from the words"
    table = Table(title=f"{path} ({language}): seconds before each destination, {how}", title_justify="left")
    table.add_column("destination")
    table.add_column("best", justify="right")
    table.add_column("worst, with reprompts", justify="right")
    table.add_column("path")
    for reach in reaches:
        style = "yellow" if reach["best"] > 60 else None
        table.add_row(
            reach["destination"],
            f"{reach['best']:.0f}",
            f"{reach['worst']:.0f}",
            " › ".join(reach["path"]),
            style=style,
        )
    return table


def pacing_or_exit(voices: Path | None) -> Any:
    """How long prompts take: the WAVs' lengths in VOICES (from `ivr speak`), else the reading pace."""
    from ivr.call.pacing import READING, Pacing

    if voices is None:
        return READING
    try:
        return Pacing.from_voices(voices)
    except IvrError as exc:
        print_diagnostics(exc.diagnostics, err)
        sys.exit(EXIT_INVALID)


def voices_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--voices",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder written by `ivr speak`: prompts take their WAV's length (else a reading pace).",
    )(func)


def progress(label: str, *columns: Any) -> Any:
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
            click.option("--number", default="+920000000000", show_default=True, help="Caller's number."),
            click.option("--tier", help="Caller's account tier (caller.tier)."),
            click.option("--language", help="Caller's language (defaults to the menu's first)."),
            click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="Caller data (repeatable)."),
            click.option("--at", "at", metavar="DATETIME", help="When the call happens, e.g. 2026-11-24T10:00."),
        ]
    ):
        func = option(func)
    return func


def make_caller(menu: Any, number: str, tier: str | None, language: str | None, variables: tuple[str, ...]) -> Any:
    from ivr.call import Caller

    data: dict[str, str] = {}
    for item in variables:
        name, sep, value = item.partition("=")
        if not sep or not name:
            fail(f"--var {item!r} is not NAME=VALUE")
        data[name] = value
    if language is not None and language not in menu.languages:
        fail(f"--language {language!r} is not one of the menu's languages: {', '.join(menu.languages)}")
    return Caller(number=number, tier=tier, language=language, variables=data)


def make_clock(menu: Any, at: str | None) -> Any:
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


def open_records(db: str | None) -> Any:
    if db is None:
        return None
    from ivr.records.store import RecordStore, default_path

    try:
        return RecordStore(Path(db) if db else default_path())
    except IvrError as exc:
        print_diagnostics(exc.diagnostics, err)
        sys.exit(EXIT_INVALID)


def store_record(store: Any, record: Any) -> None:
    try:
        store.add(record)
    except IvrError as exc:
        print_diagnostics(exc.diagnostics, err)
        sys.exit(EXIT_FAILED)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--keys", help='Run without asking: e.g. "1 2 wait 1234#" (see docs/menu-format.md).')
@click.option("--json", "as_json", is_flag=True, help="Print events as JSON lines.")
@click.option("-v", "--verbose", is_flag=True, help="Also show nodes entered and variables set.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the floor behind the menu.")
@click.option("--no-traffic", is_flag=True, help="No other callers on the floor.")
@voices_option
@db_option
@caller_options
def call(
    file: Path,
    keys: str | None,
    as_json: bool,
    verbose: bool,
    seed: int,
    no_traffic: bool,
    voices: Path | None,
    db: str | None,
    number: str,
    tier: str | None,
    language: str | None,
    variables: tuple[str, ...],
    at: str | None,
) -> None:
    """Call the menu in FILE: interactively, or with --keys and a printed transcript.

    Prompts take their speaking time and timeouts start when a prompt ends. When the menu has
    representatives (a `centre`), a caller handed to a queue hears their place and the wait, waits on the
    floor with the background callers, is answered, and goes on to what follows (reference, survey).
    """
    import uuid

    from ivr.call.keys import KeysSyntaxError, parse_keys, play_steps
    from ivr.call.line import Line
    from ivr.console import TranscriptPrinter
    from ivr.records.cdr import LiveRecorder

    menu = load_or_exit(str(file))
    steps = None
    if keys is not None:
        try:
            steps = parse_keys(keys)
        except KeysSyntaxError as exc:
            fail(f"--keys: {exc}")
    pacing = pacing_or_exit(voices)
    store = open_records(db)
    caller = make_caller(menu, number, tier, language, variables)
    clock = make_clock(menu, at)
    printer = TranscriptPrinter(out, as_json=as_json, verbose=verbose)
    recorder = LiveRecorder(menu, clock.wall(), f"live-{uuid.uuid4().hex[:12]}")
    references = store.references(block=1) if store is not None else None
    line = Line(menu, clock, seed=seed, background=not no_traffic, pacing=pacing, references=references)
    live = line.dial(caller, [printer, recorder.on_call])
    session = live.call
    unused = 0
    if steps is not None:
        unused = play_steps(live, steps)
        if session.status == "active" or live.on_hold:
            live.hang_up()
    else:
        interactive(live)
    if store is not None:
        store_record(store, recorder.finish(session))
        err.print(f"[dim]recorded the call in {store.path}[/]")
    if unused:
        fail(f"the call was over at {session.state!r} with {unused} key(s) not used", code=EXIT_FAILED)


def interactive(live: Any) -> None:
    """Read keys from the terminal: Enter alone is silence (the timeout fires), `q` hangs up. Prompts are
    heard to their end before the next line is read; in a queue the caller waits for their turn (or for
    a callback offer, answered with its key)."""
    from ivr.call import CallOver
    from ivr.call.keys import stay_on_the_line, wait_for_turn

    if sys.stdin.isatty():
        err.print("[dim]Type keys (0-9 * #) and Enter. Enter alone: stay silent. q: hang up.[/]")
    while live.status == "active" or live.on_hold:
        if live.on_hold and not live.callback_open:
            wait_for_turn(live)
            continue
        live.listen()
        try:
            typed = input("keys> " if sys.stdin.isatty() else "")
        except (EOFError, KeyboardInterrupt):
            live.hang_up()
            break
        text = typed.strip()
        if text.lower() in ("q", "quit", "hangup"):
            live.hang_up()
        elif not text:
            if live.on_hold:
                stay_on_the_line(live)
            else:
                live.wait_for_timeout()
        elif bad := [ch for ch in text.replace(" ", "") if ch not in "0123456789*#"]:
            err.print(f"[yellow]{bad[0]!r} is not a phone key; use 0-9, * and #[/]")
        else:
            keys = text.replace(" ", "")
            pressed = ""
            try:
                for key in keys:
                    live.press(key)
                    pressed += key
            except CallOver:
                err.print(f"[yellow]the call was over; {keys[len(pressed) :]!r} not pressed[/]")
    live.listen()


def parse_duration(text: str, option: str) -> float:
    from ivr.menu.durations import parse_seconds

    try:
        return parse_seconds(text)
    except ValueError as exc:
        fail(f"{option}: {exc}")


@cli.command()
@click.option("--calls", type=float, required=True, help="Calls offered per interval (at most 1,000,000).")
@click.option("--interval", default="30m", show_default=True, help="Length of the interval, e.g. 30m or 1h.")
@click.option("--aht", default="180s", show_default=True, help="Average handle time, e.g. 180s or 4m.")
@click.option("--target", default="80/20", show_default=True, help="Service level: PERCENT/SECONDS.")
@click.option("--patience", help="Callers' average patience: use Erlang A (with abandonment).")
@click.option("--max-occupancy", type=float, default=1.0, show_default=True, help="Cap on occupancy (0-1).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def staff(
    calls: float, interval: str, aht: str, target: str, patience: str | None, max_occupancy: float, as_json: bool
) -> None:
    """Agents needed for a load, by Erlang C (or Erlang A with --patience)."""
    from ivr.contact.erlang import agents_needed, parse_target, staffing
    from ivr.simreport import staffing_table

    length, handle = parse_duration(interval, "--interval"), parse_duration(aht, "--aht")
    wait_limit = parse_duration(patience, "--patience") if patience else None
    try:
        fraction, seconds = parse_target(target)
    except ValueError as exc:
        fail(f"--target: {exc}")
    if not 0 < calls <= MAX_STAFF_CALLS:  # written so that NaN fails too
        fail(f"--calls must be more than 0 and at most {MAX_STAFF_CALLS:,}")
    if length <= 0 or handle <= 0:
        fail("--interval and --aht must be more than 0")
    if not 0 < max_occupancy <= 1:
        fail("--max-occupancy must be more than 0 and at most 1")
    rate = calls / length
    if rate * handle > MAX_ERLANGS:
        fail(
            f"the load is {rate * handle:,.0f} erlangs; ivr staff works up to {MAX_ERLANGS:,} "
            "(a floor of about as many agents)",
            "check --calls, --interval and --aht: calls per interval times AHT over the interval length",
        )
    needed = agents_needed(rate, handle, fraction, seconds, wait_limit, max_occupancy)
    around = [staffing(n, rate, handle, seconds, wait_limit) for n in range(max(1, needed - 2), needed + 4)]
    chosen = next(r for r in around if r.agents == needed)
    traffic = rate * handle
    if as_json:
        payload = {
            **chosen.as_dict(),
            "traffic_erlangs": traffic,
            "model": "erlang-a" if wait_limit else "erlang-c",
            "target": {"service_level": fraction, "seconds": seconds},
            "table": [r.as_dict() for r in around],
        }
        out.print(json.dumps(_json_safe(payload), indent=2), markup=False)
        return
    model = f"Erlang A, patience {wait_limit:g} s" if wait_limit else "Erlang C"
    out.print(
        f"[bold]{needed} agents[/] for {calls:g} calls per {length / 60:g} min at {handle:g} s AHT "
        f"({traffic:.2f} erlangs), target {fraction * 100:g}% in {seconds:g} s ({model})"
    )
    out.print(staffing_table(around, needed, wait_limit is not None))


def _json_safe(value: Any) -> Any:
    """JSON has no infinity: an overloaded row's endless ASA becomes null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--hours", type=float, default=8.0, show_default=True, help="Simulated hours of traffic.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same seed, same day).")
@click.option("--start", "start_at", help="Local start, e.g. 2026-11-24T09:00 (default: today 09:00).")
@click.option("--queue", help="Show the intervals of one queue instead of all together.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (intervals, then totals).")
@click.option("-v", "--verbose", is_flag=True, help="With --db: say on stderr how many calls are stored so far.")
@db_option
def simulate(
    file: Path,
    hours: float,
    seed: int,
    start_at: str | None,
    queue: str | None,
    as_json: bool,
    as_csv: bool,
    verbose: bool,
    db: str | None,
) -> None:
    """Simulate a day of the contact centre behind the menu in FILE (records every call with --db)."""
    from rich.progress import TimeElapsedColumn

    from ivr import simreport
    from ivr.call.simulation import simulate as run

    menu = load_or_exit(str(file))
    if menu.centre is None or not menu.centre.agents:
        fail(f"{menu.path} has no representatives", "add a `centre:` section with `agents:` (docs/menu-format.md)")
    if menu.centre.traffic is None:
        fail(f"{menu.path} has no background traffic", "add `centre.traffic` with `calls_per_hour` or `profile`")
    if queue is not None and queue not in menu.queues:
        fail(f"--queue {queue!r} is not a queue of this menu: {', '.join(menu.queues)}")
    if not 0 < hours <= 24 * 62:
        fail("--hours must be more than 0 and at most 1488 (62 days)")
    if as_json and as_csv:
        fail("choose one of --json and --csv")
    start = make_clock(menu, start_at or datetime.now(menu.timezone).strftime("%Y-%m-%dT09:00")).wall(0)
    start = start.astimezone(menu.timezone)
    with progress("simulating", TimeElapsedColumn()) as bar:
        task = bar.add_task("simulate", total=1.0)
        store = open_records(db)
        stored = [0]

        def keep(record: Any) -> None:
            store_record(store, record)
            stored[0] += 1
            if verbose:
                print(f"stored {stored[0]}", file=sys.stderr, flush=True)

        result = run(
            menu,
            hours,
            seed,
            start,
            lambda done: bar.update(task, completed=done),
            keep if store else None,
            store.references() if store else None,  # unique in the database, whatever ran before
        )
    if store is not None:
        err.print(f"[dim]stored {stored[0]:,} call records in {store.path}[/]")
    if as_json:
        sys.stdout.write(simreport.as_json(result) + "\n")
    elif as_csv:
        sys.stdout.write(simreport.as_csv(result))
    else:
        simreport.print_simulation(out, result, queue)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-k", "keyword", help="Only calls whose file::name matches: words, and, or, not, ().")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML here.")
@click.option("--coverage", "show_coverage", is_flag=True, help="Report which menu paths the calls exercised.")
@click.option("--fail-under", type=float, help="Fail when total coverage is below this percentage.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
def replay(
    paths: tuple[Path, ...],
    keyword: str | None,
    junit: Path | None,
    show_coverage: bool,
    fail_under: float | None,
    as_json: bool,
) -> None:
    """Replay scripted calls (*.call.yaml) on simulated time.

    Exit status: 0 all passed, 1 a call failed (or coverage is under --fail-under), 2 a script is invalid.
    """
    from ivr.replay import report
    from ivr.replay.coverage import overall
    from ivr.replay.suite import keyword_matcher, run_suite

    if keyword is not None:
        try:
            keyword_matcher(keyword)
        except ValueError as exc:
            fail(str(exc))
    suite = run_suite(list(paths), keyword)
    results = suite.results
    total = overall(suite.coverage.values()) if suite.coverage else 0.0
    if junit is not None:
        write_output(report.junit_xml(results), junit)
    if as_json:
        sys.stdout.write(report.as_json(results, total if show_coverage or fail_under is not None else None) + "\n")
    else:
        for result in results:
            if not result.passed:
                out.print(report.render_failure(result))
        if results:
            out.print(report.render_summary(results))
        if suite.deselected:
            out.print(f"[dim]{suite.deselected} call(s) deselected by -k[/]")
        if suite.skipped:
            out.print(
                f"[yellow]{len(suite.skipped)} call(s) skipped by their `skip` marker:[/] " + ", ".join(suite.skipped)
            )
        if show_coverage or fail_under is not None:
            out.print(report.render_coverage(suite.coverage.values(), total))
    if suite.invalid:
        print_diagnostics(suite.invalid, err)
        sys.exit(EXIT_INVALID)
    if not results:
        fail("no calls to replay", "name *.call.yaml files or folders holding them (and check -k)", EXIT_FAILED)
    if any(not r.passed for r in results):
        sys.exit(EXIT_FAILED)
    if fail_under is not None and total < fail_under:
        err.print(f"[red]coverage {total:.1f}% is under --fail-under {fail_under:g}%[/]")
        sys.exit(EXIT_FAILED)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Script to write.")
@click.option("--name", default="recorded call", show_default=True, help="Name of the recorded call.")
@click.option("--force", is_flag=True, help="Overwrite an existing script.")
@caller_options
def record(
    file: Path,
    output: Path,
    name: str,
    force: bool,
    number: str,
    tier: str | None,
    language: str | None,
    variables: tuple[str, ...],
    at: str | None,
) -> None:
    """Make an interactive call on FILE and save it as a script with what you heard as expectations."""
    from ivr.call.line import Line
    from ivr.console import TranscriptPrinter
    from ivr.replay.record import Recorder

    if output.exists() and not force:
        fail(f"{output} already exists", "choose another name, or pass --force to overwrite it")
    if not output.name.endswith(".call.yaml"):
        fail(f"{output} should end in .call.yaml so that replay and pytest find it")
    menu = load_or_exit(str(file))
    caller = make_caller(menu, number, tier, language, variables)
    clock = make_clock(menu, at)
    recorder = Recorder(name)
    line = Line(menu, clock, seed=1, background=False)
    interactive(line.dial(caller, [TranscriptPrinter(out), recorder]))
    caller_doc: dict[str, Any] = {"number": number}
    if language:
        caller_doc["language"] = language
    if tier:
        caller_doc["tier"] = tier
    text = recorder.script(file, output, caller_doc, clock.wall(0).astimezone(menu.timezone))
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(output, text)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    err.print(f"recorded {len(recorder.steps)} steps to {output}; replay it with `ivr replay {output}`")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--calls", type=click.IntRange(1, 10_000_000), default=10_000, show_default=True, help="Random calls.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same seed, same calls).")
@click.option("--at", "at", metavar="DATETIME", help="When the calls start (half are spread over the next week).")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("fuzz-findings"),
    show_default=True,
    help="Folder for the reproducing scripts.",
)
def fuzz(file: Path, calls: int, seed: int, at: str | None, output: Path) -> None:
    """Random callers on FILE: find crashes, calls that never end, dropped calls, unreached destinations.

    Exit status: 0 nothing found, 1 findings (each written as the shortest script reproducing it), 2 invalid.
    """
    from rich.table import Table

    from ivr.call import Engine
    from ivr.replay.fuzz import fuzz as run_fuzz
    from ivr.replay.fuzz import reproducer

    menu = load_or_exit(str(file))
    start = make_clock(menu, at or DEFAULT_AT.isoformat()).wall(0)
    with err.status(f"fuzzing {calls:,} calls…") if err.is_terminal else _nothing():
        report = run_fuzz(menu, calls, seed, start)
    table = Table(title=f"{report.calls:,} random calls on {menu.path} (seed {seed})", title_justify="left")
    table.add_column("outcome")
    table.add_column("calls", justify="right")
    for outcome, count in report.outcomes.most_common():
        table.add_row(outcome, f"{count:,}")
    out.print(table)
    written = []
    if report.findings:
        engine = Engine(menu)
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fail(f"cannot create {output}: {exc.strerror or exc}")
        for number, finding in enumerate(report.findings.values(), start=1):
            path = output / f"{finding.kind}-{number}.call.yaml"
            relative = os.path.relpath(Path(file).resolve(), output.resolve())
            name = f"{finding.kind}: {finding.detail}"
            write_output(reproducer(engine, finding, relative, name), path)
            written.append((finding, path))
    for finding, path in written:
        out.print(
            f"[bold red]{finding.kind}[/] {_escape(finding.detail)}: {len(finding.actions)} action(s), "
            f"reproduced by {path}"
        )
    for node in report.unreached:
        out.print(f"[yellow]warning:[/] destination {node!r} was never reached")
    if not written:
        out.print(f"[green]no crashes, stuck or dropped calls in {report.calls:,} calls[/]")
    sys.exit(EXIT_FAILED if written else EXIT_OK)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--callers", type=click.IntRange(1, 5_000_000), default=1000, show_default=True, help="Calls to place.")
@click.option("--rate", default="10/s", show_default=True, help="Call rate: 50/s, 3000/m or 50000/h.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option("--at", "at", metavar="DATETIME", help="When the first call starts (menu's time zone).")
@click.option("--period", default="10s", show_default=True, help="Seconds between periodic figures.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def load(file: Path, callers: int, rate: str, seed: int, at: str | None, period: str, as_json: bool) -> None:
    """Push many simultaneous simulated callers through the menu and its queues, at a call rate."""
    from rich.progress import MofNCompleteColumn

    from ivr.replay.load import run_load
    from ivr.simreport import load_report, load_report_json

    per_second = parse_rate(rate)
    every = parse_duration(period, "--period")
    if every <= 0:
        fail("--period must be more than 0")
    menu = load_or_exit(str(file))
    start = make_clock(menu, at or DEFAULT_AT.isoformat()).wall(0)
    with progress("calling", MofNCompleteColumn()) as bar:
        task = bar.add_task("load", total=callers)
        report = run_load(menu, callers, per_second, seed, start, every, lambda n: bar.update(task, completed=n))
    if as_json:
        sys.stdout.write(load_report_json(report) + "\n")
    else:
        out.print(load_report(report, menu.path))
    sys.exit(EXIT_FAILED if report.failed else EXIT_OK)


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


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder.")
@click.option("--language", "languages", multiple=True, help="Only these languages (repeatable).")
def speak(file: Path, output: Path, languages: tuple[str, ...]) -> None:
    """Write every prompt of FILE, in every language, to WAV files with a manifest.json (cached by text)."""
    from ivr.menu.timing import menu_prompts
    from ivr.voice.engine import VoiceUnavailable
    from ivr.voice.wav import WavWriter

    menu = load_or_exit(str(file))
    unknown = [lang for lang in languages if lang not in menu.languages]
    if unknown:
        fail(f"--language {unknown[0]!r} is not one of the menu's languages: {', '.join(menu.languages)}")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create {output}: {exc.strerror or exc}")
    writer = WavWriter(output)
    entries = []
    made = cached = 0
    prompts = [p for p in menu_prompts(menu) if not languages or p.language in languages]
    with err.status(f"speaking {len(prompts)} prompts…") if err.is_terminal else _nothing():
        for prompt in prompts:
            try:
                rendered = writer.render(prompt.text, prompt.language)
            except (VoiceUnavailable, OSError) as exc:
                _write_manifest(output, menu, entries)  # what was already written stays usable
                fail(f"cannot speak {prompt.prompt_id} ({prompt.language}): {exc}", code=EXIT_FAILED)
            cached += rendered.cached
            made += not rendered.cached
            entries.append(
                {
                    "prompt_id": prompt.prompt_id,
                    "language": prompt.language,
                    "text": prompt.text,
                    "file": rendered.path.name,
                    "seconds": round(rendered.seconds, 3),
                }
            )
    _write_manifest(output, menu, entries)
    total = sum(e["seconds"] for e in entries)
    out.print(
        f"{len(entries)} prompts ({made} new, {cached} cached), {total / 60:.1f} minutes of speech, "
        f"in {output}; manifest: {output / 'manifest.json'}"
    )


def _write_manifest(output: Path, menu: Any, entries: list[dict[str, Any]]) -> None:
    document = {"menu": menu.name, "languages": menu.languages, "prompts": entries}
    target = output / "manifest.json"
    try:
        write_atomic(target, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror or exc}", code=EXIT_FAILED)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the floor's traffic.")
@click.option("--paused", is_flag=True, help="Start with the clock stopped.")
@click.option("--speed", type=click.Choice(["1", "10", "60"]), default="1", show_default=True, help="Clock speed.")
@click.option("--no-traffic", is_flag=True, help="No other callers on the floor.")
@click.option("--mute", is_flag=True, help="Do not speak the prompts.")
@click.option(
    "--role",
    type=click.Choice(["caller", "representative"]),
    default="caller",
    show_default=True,
    help="representative: you answer the caller and write the note of the claim.",
)
@click.option(
    "--scripts",
    "scripts_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where S saves the call as a script (default: here).",
)
@db_option
@caller_options
def run(
    file: Path,
    seed: int,
    paused: bool,
    speed: str,
    no_traffic: bool,
    mute: bool,
    role: str,
    scripts_dir: Path | None,
    db: str | None,
    number: str,
    tier: str | None,
    language: str | None,
    variables: tuple[str, ...],
    at: str | None,
) -> None:
    """Open the simulator on FILE: the caller's phone, the menu map and the representatives' floor."""
    menu = load_or_exit(str(file))  # errors are shown here, before the screen takes over
    from ivr.tui.app import IvrApp

    clock = make_clock(menu, at)
    store = open_records(db)
    if store is not None:
        store.patience(0.25)  # the screen must not freeze while another program holds the database
    app = IvrApp(
        file,
        seed=seed,
        at=clock.wall(0),
        paused=paused,
        speed=int(speed),
        traffic=not no_traffic,
        caller=make_caller(menu, number, tier, language, variables),
        mute=mute,
        role=role,
        store=store,
        record_dir=scripts_dir,
    )
    crashed = run_tui(app)
    if store is not None and store.pending:  # the screen said so already; say it where it stays
        try:
            store.flush()
        except IvrError as exc:
            print_diagnostics(exc.diagnostics, err)
            err.print(f"[red]{len(store.pending)} call record(s) of this session were not stored.[/]")
            sys.exit(EXIT_FAILED)
    if crashed:
        sys.exit(EXIT_CRASHED)


def run_tui(app: Any, headless: bool = False) -> bool:
    """Run a Textual app; True (and one line on stderr) when it stopped on an unexpected error."""
    app.run(headless=headless)
    message = getattr(app, "crash_message", None)
    if message is None and not app.return_code:
        return False
    err.print(message or f"ivr stopped with status {app.return_code}", markup=False, highlight=False)
    return True


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: the whole LAN).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port.")
@click.option("--role", type=click.Choice(["caller", "representative"]), default="caller", show_default=True)
@click.option("--db", "db", metavar="PATH", help="Keep every browser's call records in this SQLite file.")
@click.option("--at", "at", metavar="DATETIME", help="When each tab's calls start, e.g. 2026-11-24T10:00.")
@click.option(
    "--sessions",
    type=click.IntRange(1, 200),  # each tab is a Python process of its own (about 60 MB)
    default=8,
    show_default=True,
    help="Most browser tabs served at once; past it a tab gets a page saying the seats are taken.",
)
def serve(file: Path, host: str, port: int, role: str, db: str | None, at: str | None, sessions: int) -> None:
    """Serve the simulator to web browsers (a classroom): each browser tab gets its own app on FILE."""
    from ivr.tui.server import ClassroomServer

    menu = load_or_exit(str(file))  # a broken menu or --at is reported here, not in every browser
    parts = [sys.executable, "-m", "ivr", "run", str(Path(file).resolve()), "--mute", "--role", role]
    if db:
        parts += ["--db", str(Path(db).resolve())]
    if at is not None:
        make_clock(menu, at)
        parts += ["--at", at]
    server = ClassroomServer(parts, sessions=sessions, host=host, port=port, title=f"ivr: {file}")
    err.print(f"serving {file} at http://{host}:{port} to {sessions} tabs at most (Ctrl+C stops)")
    try:
        server.serve()
    except OSError as exc:
        fail(f"cannot serve on {host}:{port}: {exc.strerror or exc}", "choose another --port")


@cli.command()
@click.argument("script", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--call", "call_name", help="Which call of the script (default: the first).")
@click.option("--paused", is_flag=True, help="Start paused: N steps, space plays.")
@click.option("--mute", is_flag=True, help="Do not speak the prompts.")
def demo(script: Path, call_name: str | None, paused: bool, mute: bool) -> None:
    """Play a scripted call in the TUI: key presses shown, expectations checked. Space pauses, N steps, R restarts."""
    from ivr.replay.scripts import load_script

    try:
        loaded = load_script(script)
    except IvrError as exc:
        print_diagnostics(exc.diagnostics, err)
        sys.exit(EXIT_INVALID)
    load_or_exit(str(loaded.menu_path))  # a broken menu is reported here, before the screen takes over
    names = [c.name for c in loaded.file.calls]
    if call_name is not None and call_name not in names:
        fail(f"--call {call_name!r} is not in {script}", "calls: " + ", ".join(repr(n) for n in names))
    from ivr.tui.demo import DemoApp

    index = names.index(call_name) if call_name else 0
    if run_tui(DemoApp(loaded, index, autoplay=not paused, mute=mute)):
        sys.exit(EXIT_CRASHED)


@cli.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), help="Records database (default: yours).")
@click.option("--menu", "menu_name", help="Only calls on this menu (its `name`).")
@click.option("--source", type=click.Choice(["live", "simulated"]), help="Only live or only simulated calls.")
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True, help="How many paths to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one figure per row).")
def report(db: Path | None, menu_name: str | None, source: str | None, top: int, as_json: bool, as_csv: bool) -> None:
    """First-contact resolution, CSAT, service level per queue, common paths and drop-off per node."""
    from ivr import recordsreport
    from ivr.records.store import default_path
    from ivr.records.summary import summarize

    path = db or default_path()
    if not path.exists():
        fail(f"no records database at {path}", "make some calls with `ivr simulate --db` or `ivr call --db`")
    if as_json and as_csv:
        fail("choose one of --json and --csv")
    store = open_records(str(path))
    try:
        summary = summarize(store, menu_name, source, top)
    except IvrError as exc:
        print_diagnostics(exc.diagnostics, err)
        sys.exit(EXIT_INVALID)
    for problem in summary.skipped[:20]:
        err.print(f"[yellow]warning:[/] {path}: skipped {_escape(problem)}")
    if len(summary.skipped) > 20:
        err.print(f"[yellow]warning:[/] {path}: skipped {len(summary.skipped) - 20} more unreadable call rows")
    if as_json:
        sys.stdout.write(recordsreport.as_json(summary) + "\n")
    elif as_csv:
        sys.stdout.write(recordsreport.as_csv(summary))
    elif summary.calls == 0:
        out.print("no calls recorded" + (" for that selection" if menu_name or source else ""))
    else:
        out.print(recordsreport.render(summary))


@contextlib.contextmanager
def _nothing() -> Any:
    yield


def main() -> None:
    """Entry point of the ``ivr`` console script."""
    try:
        cli.main(prog_name="ivr", standalone_mode=True)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
