"""Replay results for people (rich) and for tools (JUnit XML, JSON)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ivr.render.transcript import describe
from ivr.replay.coverage import MenuCoverage
from ivr.replay.runner import CallResult, Failure


def failure_text(result: CallResult) -> str:
    """The plain-text story of a failed call: the step, expected vs actual, and the transcript so far."""
    failure = result.failure
    assert failure is not None
    return "\n".join(
        [
            f"{result.script.shown}:{failure.line}:{failure.col}: step {failure.step + 1} failed ({failure.cause})",
            f"  expected: {failure.expected}",
            f"  actual:   {failure.actual}",
            "  transcript so far:",
            *(f"    {describe(event).plain}" for event in result.transcript),
        ]
    )


def render_failure(result: CallResult) -> Group:
    failure = result.failure
    assert failure is not None
    lines: list[Text] = [
        Text.assemble(("FAIL ", "bold red"), (result.id, "bold")),
        Text(f"{result.script.shown}:{failure.line}:{failure.col}: step {failure.step + 1} ({failure.cause})"),
        Text.assemble(("  expected: ", "green"), failure.expected),
        Text.assemble(("  actual:   ", "red"), failure.actual),
        Text("  transcript so far:", style="dim"),
    ]
    lines += [Text("    ").append_text(describe(event)) for event in result.transcript]
    return Group(*lines, Text())


def render_passed(result: CallResult) -> Group:
    """A passing call's whole transcript (``ivr replay -v``): what the caller heard and did."""
    lines: list[Text] = [Text.assemble(("PASS ", "green"), (result.id, "bold"), (f"  {result.seconds:.1f} s", "dim"))]
    lines += [Text("    ").append_text(describe(event)) for event in result.transcript]
    return Group(*lines, Text())


CALL_ROWS = 100  # past this many calls the summary lists files, and only the calls that need a look


def render_summary(results: list[CallResult]) -> Group:
    table = Table(header_style="bold", pad_edge=False, show_edge=False, box=None)
    table.add_column("")
    table.add_column("call")
    table.add_column("sim s", justify="right")
    shown = results
    if len(results) > CALL_ROWS:
        shown = [r for r in results if not r.passed or r.optional_misses]
        files: dict[str, list[CallResult]] = {}
        for result in results:
            files.setdefault(result.script.shown, []).append(result)
        for name, calls in files.items():
            failed = sum(not r.passed for r in calls)
            mark = Text("FAIL", style="bold red") if failed else Text("PASS", style="green")
            words = f"{name}: {len(calls)} calls, {failed} failed"
            table.add_row(mark, words, f"{sum(r.seconds for r in calls):.1f}")
    for result in shown:
        mark = Text("PASS", style="green") if result.passed else Text("FAIL", style="bold red")
        label = Text(result.id)
        for miss in result.optional_misses:
            label.append(f"  (optional step {miss.step + 1} missed)", style="yellow")
        table.add_row(mark, label, f"{result.seconds:.1f}")
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    colour = "green" if not failed else "red"
    line = Text(f"{passed} passed, {failed} failed", style=f"bold {colour}")
    return Group(table, Text(), line)


def render_coverage(coverages: Iterable[MenuCoverage], total: float) -> Group:
    parts: list[Table | Text] = []
    for cov in coverages:
        table = Table(
            title=f"Coverage of {cov.menu.path}: {cov.percent():.1f}%",
            title_justify="left",
            header_style="bold",
            pad_edge=False,
        )
        table.add_column("what")
        table.add_column("covered", justify="right")
        table.add_column("untested")
        for kind, (done, count, missing) in cov.summary().items():
            shown = ", ".join(missing[:12]) + (f" … and {len(missing) - 12} more" if len(missing) > 12 else "")
            table.add_row(kind, f"{done}/{count}", Text(shown or "–", style="yellow" if missing else "dim"))
        parts.append(table)
    parts.append(Text(f"Total coverage: {total:.1f}%", style="bold"))
    return Group(*parts)


def junit_xml(results: list[CallResult]) -> str:
    suite = ET.Element(
        "testsuite",
        name="ivr replay",
        tests=str(len(results)),
        failures=str(sum(not r.passed for r in results)),
        errors="0",
    )
    for result in results:
        # `time` is wall time, as every CI dashboard reads it; the call's simulated length is a property
        case = ET.SubElement(
            suite, "testcase", classname=result.script.shown, name=result.call.name, time=f"{result.wall_seconds:.3f}"
        )
        properties = ET.SubElement(case, "properties")
        ET.SubElement(properties, "property", name="simulated_seconds", value=f"{result.seconds:.3f}")
        if result.failure is not None:
            element = ET.SubElement(case, "failure", message=_message(result.failure), type=result.failure.cause)
            element.text = failure_text(result)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def _message(failure: Failure) -> str:
    return f"expected {failure.expected}; actual: {failure.actual}"


def as_json(results: list[CallResult], coverage: float | None) -> str:
    return json.dumps(
        {
            "passed": sum(r.passed for r in results),
            "failed": sum(not r.passed for r in results),
            "coverage": coverage,
            "calls": [
                {
                    "id": r.id,
                    "passed": r.passed,
                    "simulated_seconds": r.seconds,
                    "wall_seconds": round(r.wall_seconds, 4),
                    "failure": None
                    if r.failure is None
                    else {
                        "step": r.failure.step + 1,
                        "line": r.failure.line,
                        "cause": r.failure.cause,
                        "expected": r.failure.expected,
                        "actual": r.failure.actual,
                    },
                }
                for r in results
            ],
        },
        indent=2,
        ensure_ascii=False,
    )
