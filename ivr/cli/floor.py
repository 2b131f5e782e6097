"""Commands about the representatives' floor: staff, simulate, load and report."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from ivr.call.clock import DEFAULT_AT
from ivr.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    MAX_ERLANGS,
    MAX_STAFF_CALLS,
    FileProblems,
    _escape,
    _json_safe,
    db_option,
    err,
    fail,
    load_or_exit,
    make_clock,
    open_records,
    out,
    parse_duration,
    parse_rate,
    progress,
    store_record,
)
from ivr.source.diagnostics import IvrError


@click.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--calls", type=float, help="Calls offered per interval (at most 1,000,000); or give a menu FILE.")
@click.option("--interval", default="30m", show_default=True, help="Length of the interval, e.g. 30m or 1h.")
@click.option("--aht", default="180s", show_default=True, help="Average handle time, e.g. 180s or 4m.")
@click.option("--target", default="80/20", show_default=True, help="Service level: PERCENT/SECONDS.")
@click.option("--patience", help="Callers' average patience: use Erlang A (with abandonment).")
@click.option("--max-occupancy", type=float, default=1.0, show_default=True, help="Cap on occupancy (0-1).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def staff(
    file: Path | None,
    calls: float | None,
    interval: str,
    aht: str,
    target: str,
    patience: str | None,
    max_occupancy: float,
    as_json: bool,
) -> None:
    """Agents needed for a load, by Erlang C (or Erlang A with --patience); or, given a menu FILE, for
    every queue of its centre at its traffic's busiest hour."""
    from ivr.contact.erlang import agents_needed, parse_target, staffing
    from ivr.render.reports import STAFFING_LEGEND, staffing_table

    if file is not None:
        if calls is not None:
            fail("give a menu FILE or --calls, not both")
        _staff_menu(file, as_json)
        return
    if calls is None:
        fail("give --calls (calls per interval), or a menu FILE to size each of its queues")

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
    if wait_limit is not None:
        out.print(STAFFING_LEGEND, style="dim")


def _staff_menu(file: Path, as_json: bool) -> None:
    """`ivr staff FILE`: each queue of the menu's centre sized from the menu's own traffic."""
    from ivr.render.reports import queue_staffing_table
    from ivr.traffic.sizing import size_queues

    menu = load_or_exit(str(file))
    if menu.centre is None or menu.centre.traffic is None:
        fail(f"{menu.path} has no traffic to size queues by", "add `centre.traffic` with `calls_per_hour` or `profile`")
    rows = size_queues(menu, seed=1, day=DEFAULT_AT.date())  # a working Tuesday, as scripts and fuzz use
    if as_json:
        out.print(json.dumps(_json_safe([r.as_dict() for r in rows]), indent=2), markup=False)
        return
    out.print(queue_staffing_table(menu.name, rows))


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--hours", type=float, default=8.0, show_default=True, help="Simulated hours of traffic.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same seed, same day).")
@click.option(
    "--start",
    "start_at",
    help="Local start, e.g. 2026-11-24T09:00 (default: today, at the profile's first hour with calls, else 09:00).",
)
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

    from ivr.render import reports
    from ivr.traffic.simulation import simulate as run

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
    opening = menu.centre.traffic.first_busy_hour()
    start = make_clock(menu, start_at or datetime.now(menu.timezone).strftime(f"%Y-%m-%dT{opening}")).wall(0)
    start = start.astimezone(menu.timezone)
    with progress("simulating", TimeElapsedColumn()) as bar:
        task = bar.add_task("simulate", total=1.0)
        store = open_records(db)
        stored = [0]

        def keep(record: Any) -> None:
            assert store is not None  # only passed on when there is a store
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
        sys.stdout.write(reports.as_json(result) + "\n")
    elif as_csv:
        sys.stdout.write(reports.as_csv(result))
    else:
        reports.print_simulation(out, result, queue)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--callers", type=click.IntRange(1, 5_000_000), default=1000, show_default=True, help="Calls to place.")
@click.option("--rate", default="10/s", show_default=True, help="Call rate: 50/s, 3000/m or 50000/h.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "--at", "at", metavar="DATETIME", help="When the first call starts (menu's time zone; default 2026-01-06T10:00)."
)
@click.option("--period", default="10s", show_default=True, help="Seconds between periodic figures.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def load(file: Path, callers: int, rate: str, seed: int, at: str | None, period: str, as_json: bool) -> None:
    """Push many simultaneous simulated callers through the menu and its queues, at a call rate."""
    from rich.progress import MofNCompleteColumn

    from ivr.render.reports import load_report, load_report_json
    from ivr.traffic.load import LoadStuck, run_load

    per_second = parse_rate(rate)
    every = parse_duration(period, "--period")
    if every <= 0:
        fail("--period must be more than 0")
    menu = load_or_exit(str(file))
    start = make_clock(menu, at or DEFAULT_AT.isoformat()).wall(0)
    with progress("calling", MofNCompleteColumn()) as bar:
        task = bar.add_task("load", total=callers)
        try:
            report = run_load(menu, callers, per_second, seed, start, every, lambda n: bar.update(task, completed=n))
        except LoadStuck as exc:
            fail(f"{file}: {exc}", "a fault in ivr: please report it with the menu", EXIT_FAILED)
    if as_json:
        sys.stdout.write(load_report_json(report) + "\n")
    else:
        out.print(load_report(report, menu.path))
    sys.exit(EXIT_FAILED if report.failed else EXIT_OK)


@click.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), help="Records database (default: yours).")
@click.option("--menu", "menu_name", help="Only calls on this menu (its `name`).")
@click.option("--source", type=click.Choice(["live", "simulated"]), help="Only live or only simulated calls.")
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True, help="How many paths to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one figure per row).")
def report(db: Path | None, menu_name: str | None, source: str | None, top: int, as_json: bool, as_csv: bool) -> None:
    """First-contact resolution, CSAT, service level per queue, common paths and drop-off per node."""
    from ivr.records.store import default_path
    from ivr.records.summary import summarize
    from ivr.render import records as records_report

    path = db or default_path()
    if not path.exists():
        fail(f"no records database at {path}", "make some calls with `ivr simulate --db` or `ivr call --db`")
    if as_json and as_csv:
        fail("choose one of --json and --csv")
    store = open_records(str(path))
    assert store is not None  # a path was given
    try:
        summary = summarize(store, menu_name, source, top)
    except IvrError as exc:
        raise FileProblems(exc.diagnostics) from None
    for problem in summary.skipped[:20]:
        err.print(f"[yellow]warning:[/] {path}: skipped {_escape(problem)}")
    if len(summary.skipped) > 20:
        err.print(f"[yellow]warning:[/] {path}: skipped {len(summary.skipped) - 20} more unreadable call rows")
    if as_json:
        sys.stdout.write(records_report.as_json(summary) + "\n")
    elif as_csv:
        sys.stdout.write(records_report.as_csv(summary))
    elif summary.calls == 0:
        out.print("no calls recorded" + (" for that selection" if menu_name or source else ""))
    else:
        out.print(records_report.render(summary))
