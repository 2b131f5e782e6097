"""Commands that open the Textual screen: run, serve (in browsers) and demo."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ivr.cli.common import (
    EXIT_CRASHED,
    EXIT_FAILED,
    FileProblems,
    caller_options,
    db_option,
    err,
    fail,
    load_or_exit,
    make_caller,
    make_clock,
    open_records,
    parse_duration,
    run_tui,
)
from ivr.menu.centre_model import MAX_WARM_UP
from ivr.source.diagnostics import IvrError


def briefs_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--briefs FILE``: caller briefs for role play (see docs/tui.md)."""
    return click.option(
        "--briefs",
        "briefs_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Caller briefs (a *.briefs.yaml file): the caller's phone shows who to play; B: the next one.",
    )(func)


def load_briefs_or_exit(path: Path | None, menu: Any) -> list[Any]:
    """The briefs of ``path`` checked against ``menu`` (none without a path); exit 2 with file:line problems."""
    if path is None:
        return []
    from ivr.replay.briefs import load_briefs

    try:
        return load_briefs(path, menu).briefs
    except IvrError as exc:
        raise FileProblems(exc.diagnostics) from None


def bidi_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--bidi shape|terminal``: who lays out right-to-left text (see ivr.tui.rtl); sets IVR_BIDI."""

    def keep(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is not None:
            os.environ["IVR_BIDI"] = value  # read by the screen, and by `ivr serve`'s tabs, which inherit it
        return value

    return click.option(
        "--bidi",
        type=click.Choice(["shape", "terminal"]),
        callback=keep,
        expose_value=False,
        help="shape (default): ivr joins and orders Urdu for the screen; terminal: the terminal does its own bidi.",
    )(func)


@click.command()
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
@click.option(
    "--warm-up",
    "warm_up",
    default="0s",
    show_default=True,
    help="Let the floor run this long (up to 4h) before the screen opens, so it is busy, not empty.",
)
@click.option(
    "--scenario",
    metavar="NAME|FILE",
    help="Open on a staged floor: one of the menu's `centre.scenarios`, or a scenario file.",
)
@click.option(
    "--seat",
    type=click.Choice(["caller", "representative"]),
    hidden=True,  # set by `ivr serve` for its /caller and /representative tabs (two-seat role play)
    help="Two-seat role play under ivr serve: this tab's seat in the room named by IVR_ROOM.",
)
@briefs_option
@db_option
@caller_options
@bidi_option
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
    warm_up: str,
    scenario: str | None,
    briefs_file: Path | None,
    seat: str | None,
) -> None:
    """Open the simulator on FILE: the caller's phone, the menu map and the representatives' floor."""
    menu = load_or_exit(str(file))  # errors are shown here, before the screen takes over
    briefs = load_briefs_or_exit(briefs_file, menu)
    room = os.environ.get("IVR_ROOM") if seat is not None else None
    if seat is not None and not room:
        fail(
            "--seat is for the tabs of `ivr serve`, which names their room in IVR_ROOM", "open ivr serve's /caller page"
        )
    if seat == "representative":
        from ivr.tui.desk import DeskApp

        assert room is not None
        sys.exit(EXIT_CRASHED if run_tui(DeskApp(room, menu.name)) else 0)
    warm_seconds = parse_duration(warm_up, "--warm-up")
    if not 0 <= warm_seconds <= MAX_WARM_UP:
        fail("--warm-up must be from 0 to 4h")
    opening = None
    if scenario is not None:
        from ivr.menu.scenarios import find_scenario

        try:
            opening = find_scenario(menu, scenario)
        except IvrError as exc:
            raise FileProblems(exc.diagnostics) from None
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
        warm_up=warm_seconds,
        briefs=briefs,
        room=room,
    )
    app.opening = opening
    crashed = run_tui(app)
    if store is not None and store.pending:  # the screen said so already; say it where it stays
        try:
            store.flush()
        except IvrError as exc:
            note = f"{len(store.pending)} call record(s) of this session were not stored."
            raise FileProblems(exc.diagnostics, EXIT_FAILED, note) from None
    if crashed:
        sys.exit(EXIT_CRASHED)


@click.command()
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
@briefs_option
@bidi_option
def serve(
    file: Path, host: str, port: int, role: str, db: str | None, at: str | None, sessions: int, briefs_file: Path | None
) -> None:
    """Serve the simulator to web browsers (a classroom): each browser tab gets its own app on FILE.

    /caller and /representative seat two trainees for role play: the caller's call, on reaching a queue,
    goes to a trainee at a representative's desk in another tab."""
    from ivr.tui.server import ClassroomServer

    menu = load_or_exit(str(file))  # a broken menu or --at is reported here, not in every browser
    parts = [sys.executable, "-m", "ivr", "run", str(Path(file).resolve()), "--mute"]
    load_briefs_or_exit(briefs_file, menu)
    if briefs_file is not None:
        parts += ["--briefs", str(briefs_file.resolve())]
    if db:
        parts += ["--db", str(Path(db).resolve())]
    if at is not None:
        make_clock(menu, at)
        parts += ["--at", at]
    seats = {
        "": [*parts, "--role", role],
        "caller": [*parts, "--seat", "caller"],
        "representative": [*parts, "--seat", "representative"],
    }
    server = ClassroomServer(seats, sessions=sessions, host=host, port=port, title=f"ivr: {file}")
    url = f"http://{host}:{port}"
    err.print(f"serving {file} at {url} to {sessions} tabs at most (Ctrl+C stops)")
    err.print(f"role play in two seats: {url}/caller for the caller, {url}/representative for the representative")
    try:
        server.serve()
    except OSError as exc:
        fail(f"cannot serve on {host}:{port}: {exc.strerror or exc}", "choose another --port")


@click.command()
@click.argument("script", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--call", "call_name", help="Which call of the script (default: the first).")
@click.option("--paused", is_flag=True, help="Start paused: N steps, space plays.")
@click.option("--mute", is_flag=True, help="Do not speak the prompts.")
@bidi_option
def demo(script: Path, call_name: str | None, paused: bool, mute: bool) -> None:
    """Play a scripted call in the TUI: key presses shown, expectations checked. Space pauses, N steps, R restarts."""
    from ivr.replay.scripts import load_script

    try:
        loaded = load_script(script)
    except IvrError as exc:
        raise FileProblems(exc.diagnostics) from None
    load_or_exit(str(loaded.menu_path))  # a broken menu is reported here, before the screen takes over
    names = [c.name for c in loaded.file.calls]
    if call_name is not None and call_name not in names:
        fail(f"--call {call_name!r} is not in {script}", "calls: " + ", ".join(repr(n) for n in names))
    from ivr.tui.demo import DemoApp

    index = names.index(call_name) if call_name else 0
    if run_tui(DemoApp(loaded, index, autoplay=not paused, mute=mute)):
        sys.exit(EXIT_CRASHED)
