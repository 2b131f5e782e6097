"""Commands that place one call: call (interactive or with --keys) and record."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ivr.call.session import CallStatus
from ivr.cli.common import (
    EXIT_FAILED,
    caller_options,
    db_option,
    err,
    fail,
    load_or_exit,
    make_caller,
    make_clock,
    open_records,
    out,
    pacing_or_exit,
    store_record,
    voices_option,
)
from ivr.source.atomic import write_atomic


@click.command()
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
    from ivr.records.cdr import LiveRecorder
    from ivr.render.transcript import TranscriptPrinter

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
        if session.status == CallStatus.ACTIVE or live.on_hold:
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
    while live.status == CallStatus.ACTIVE or live.on_hold:
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


@click.command()
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
    from ivr.render.transcript import TranscriptPrinter
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
