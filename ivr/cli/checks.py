"""Commands for testers: replay scripted calls and fuzz a menu with random callers."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from ivr.call.clock import DEFAULT_AT
from ivr.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    FileProblems,
    _escape,
    err,
    fail,
    load_or_exit,
    make_clock,
    out,
    write_output,
)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-k", "keyword", help="Only calls whose file::name matches: words, and, or, not, ().")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML here.")
@click.option("--coverage", "show_coverage", is_flag=True, help="Report which menu paths the calls exercised.")
@click.option("--fail-under", type=float, help="Fail when total coverage is below this percentage.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="Print the transcript of passing calls too.")
@click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Scripts may use menus below this folder (default: the current folder and each script's project).",
)
def replay(
    paths: tuple[Path, ...],
    keyword: str | None,
    junit: Path | None,
    show_coverage: bool,
    fail_under: float | None,
    as_json: bool,
    verbose: bool,
    root: Path | None,
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
    suite = run_suite(list(paths), keyword, root)
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
            elif verbose:
                out.print(report.render_passed(result))
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
        raise FileProblems(suite.invalid)
    if not results:
        fail("no calls to replay", "name *.call.yaml files or folders holding them (and check -k)", EXIT_FAILED)
    if any(not r.passed for r in results):
        sys.exit(EXIT_FAILED)
    if fail_under is not None and total < fail_under:
        err.print(f"[red]coverage {total:.1f}% is under --fail-under {fail_under:g}%[/]")
        sys.exit(EXIT_FAILED)


@click.command()
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

    from ivr.traffic.fuzz import Lines, reproducer
    from ivr.traffic.fuzz import fuzz as run_fuzz

    menu = load_or_exit(str(file))
    start = make_clock(menu, at or DEFAULT_AT.isoformat()).wall(0)
    with err.status(f"fuzzing {calls:,} calls…") if err.is_terminal else contextlib.nullcontext():
        report = run_fuzz(menu, calls, seed, start)
    table = Table(title=f"{report.calls:,} random calls on {menu.path} (seed {seed})", title_justify="left")
    table.add_column("outcome")
    table.add_column("calls", justify="right")
    for outcome, count in report.outcomes.most_common():
        table.add_row(outcome, f"{count:,}")
    out.print(table)
    written = []
    if report.findings:
        lines = Lines(menu)
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fail(f"cannot create {output}: {exc.strerror or exc}")
        for number, finding in enumerate(report.findings.values(), start=1):
            path = output / f"{finding.kind}-{number}.call.yaml"
            relative = os.path.relpath(Path(file).resolve(), output.resolve())
            name = f"{finding.kind}: {finding.detail}"
            write_output(reproducer(lines, finding, relative, name), path)
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
