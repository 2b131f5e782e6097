"""Render simulation results and staffing tables: rich tables, a terminal chart, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ivr.contact.erlang import Staffing
from ivr.contact.metrics import Row, combine_rows
from ivr.render.cells import pct, report_table
from ivr.traffic.load import LoadReport
from ivr.traffic.simulation import SimulationResult

BAR_WIDTH = 30


def _secs(value: float | None) -> str:
    """Seconds in at most 4 characters, so a figure is never cut: 9.5, 182, 1823, then 304m, then 51h."""
    if value is None:
        return "–"
    if value < 100:
        return f"{value:.1f}"
    if value < 10_000:
        return f"{value:.0f}"
    if value < 36_000:
        return f"{value / 60:.0f}m"
    return f"{value / 3600:.0f}h"


def _sl_text(row: Row) -> Text:
    if row.service_level is None:
        return Text("–", style="dim")
    text = Text(pct(row.service_level), style="green" if row.met else "bold red")
    offered = row.service_level_offered
    if row.short_abandoned and offered is not None and pct(offered) != pct(row.service_level):  # both differ
        text.append(f"\n({pct(offered)})", style="dim")
    return text


def by_interval(result: SimulationResult) -> list[Row]:
    """All queues together, one row per interval."""
    groups: dict[float, list[Row]] = defaultdict(list)
    for row in result.rows:
        groups[row.start].append(row)
    return [combine_rows(rows, "*", rows[0].occupancy) for _, rows in sorted(groups.items())]


def _interval_cells(row: Row, label: str) -> list[Any]:
    return [
        label,
        str(row.offered),
        str(row.answered),
        f"{row.abandoned}/{row.short_abandoned}",
        _sl_text(row),
        _secs(row.asa),
        _secs(row.p90_wait),
        _secs(row.aht),
        pct(row.occupancy, 0),
        f"{row.average_queue:.1f}/{row.max_queue}",
    ]


def _total_cells(row: Row) -> list[Any]:
    target = f"{row.service_level_target * 100:.0f}%"
    if row.met is None:
        verdict = Text(f"– {target}", style="dim")
    else:
        verdict = Text(f"{'✓' if row.met else '✗'} {target}", style="green" if row.met else "bold red")
    return [
        row.queue if row.queue != "*" else "all",
        str(row.offered),
        str(row.answered),
        f"{row.abandoned}/{row.short_abandoned}",
        _sl_text(row),
        verdict,
        _secs(row.asa),
        _secs(row.p90_wait),
        _secs(row.longest_wait),
        _secs(row.aht),
        pct(row.fcr, 0),
    ]


INTERVAL_HEADERS = ["interval", "offer", "answ", "aband", "SL", "ASA", "p90", "AHT", "occ", "queue"]
TOTAL_HEADERS = ["queue", "offer", "answ", "aband", "SL", "target", "ASA", "p90", "max", "AHT", "FCR"]
LEGEND = (
    "aband: abandoned/of which under 5 s. SL: service level (✓ met, ✗ missed), answered within the target "
    "time / offered less abandons under 5 s (in brackets where it differs: / every call offered, as ivr "
    "staff reports it). ASA, p90 and max (longest) wait, AHT: seconds (m: minutes, h: hours). occ: occupancy. "
    "queue: average/longest queue. FCR: first-contact resolution. Definitions: docs/metrics.md."
)


def render(result: SimulationResult, queue: str | None = None) -> Group:
    """The report: interval table, totals against target, and the chart."""
    rows = [r for r in result.rows if r.queue == queue] if queue else by_interval(result)
    which = f"queue {queue}" if queue else "all queues"
    minutes = int(result.interval // 60)
    intervals = report_table(f"{result.menu}: {which}, per {minutes}-minute interval", INTERVAL_HEADERS, name_width=14)
    for row in rows:
        intervals.add_row(*_interval_cells(row, result.labels.get(row.start, f"{row.start:.0f}")))
    totals = report_table("Totals against each queue's service-level target", TOTAL_HEADERS, name_width=14)
    for row in result.totals:
        totals.add_row(*_total_cells(row), end_section=row.queue == result.totals[-2].queue)
    outcomes = ", ".join(f"{name}: {count}" for name, count in result.menu_outcomes.items())
    summary = Text(
        f"{result.calls} callers in {result.hours:g} h from {result.start:%Y-%m-%d %H:%M} (seed {result.seed}); "
        f"where they went: {outcomes}. Simulated in {result.wall_seconds:.2f} s "
        f"({'FIFO fast path' if result.engine == 'fifo' else 'event simulation'}).",
        style="dim",
    )
    legend = Text(LEGEND, style="dim")
    return Group(intervals, totals, legend, Text(), chart(result, rows), Text(), summary)


def chart(result: SimulationResult, rows: list[Row]) -> Text:
    """Service level (bar, target marked) and average queue length per interval."""
    text = Text("Service level and queue length over the day\n", style="bold")
    longest = max((r.average_queue for r in rows), default=0.0) or 1.0
    for row in rows:
        label = result.labels.get(row.start, f"{row.start:.0f}")
        text.append(f"{label:>8} ")
        target_at = round(row.service_level_target * BAR_WIDTH)
        filled = round((row.service_level or 0) * BAR_WIDTH)
        style = "dim" if row.service_level is None else ("green" if row.met else "red")
        for i in range(BAR_WIDTH):
            if i == target_at - 1:
                text.append("┃", style="bold yellow")
            else:
                text.append("█" if i < filled else "·", style=style if i < filled else "dim")
        text.append(f" {pct(row.service_level):>6}  ")
        queue_bar = round(row.average_queue / longest * 12)
        text.append("▆" * queue_bar, style="cyan")
        text.append(f" {row.average_queue:.1f}\n")
    text.append("┃ = target", style="yellow")
    return text


def as_json(result: SimulationResult) -> str:
    payload = {
        "menu": result.menu,
        "start": result.start.isoformat(),
        "hours": result.hours,
        "seed": result.seed,
        "interval_seconds": result.interval,
        "intervals": [{"label": result.labels.get(r.start), **r.as_dict()} for r in result.rows],
        "totals": [r.as_dict() for r in result.totals],
        "menu_outcomes": result.menu_outcomes,
        "calls": result.calls,
        "wall_seconds": result.wall_seconds,
        "engine": result.engine,
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


def as_csv(result: SimulationResult) -> str:
    buffer = io.StringIO()
    fields = ["label", *(name for name in Row.__slots__), "met"]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in result.rows:
        writer.writerow({"label": result.labels.get(row.start), **row.as_dict()})
    for row in result.totals:
        writer.writerow({"label": "total", **row.as_dict()})
    return buffer.getvalue()


def staffing_table(rows: list[Staffing], chosen: int, erlang_a: bool) -> Table:
    """Agents around the number chosen. With abandonment, where Erlang A's classic figures and
    ``ivr simulate``'s differ, both are shown (docs/metrics.md, "Two definitions")."""
    table = Table(header_style="bold", pad_edge=False)
    headers = ["agents", "SL", *(["SL sim"] if erlang_a else []), "ASA s"]
    headers += [*(["wait s"] if erlang_a else []), "occ", "P(wait)", *(["abandon"] if erlang_a else [])]
    for header in headers:
        table.add_column(header, justify="right")
    for row in rows:
        style = "bold green" if row.agents == chosen else None
        cells = [str(row.agents), pct(row.service_level)]
        if erlang_a:
            cells.append(pct(row.service_level_short_out))
        cells.append(_secs(row.asa_seconds))
        if erlang_a:
            cells.append(_secs(row.wait_seconds))
        cells += [pct(row.occupancy), pct(row.probability_wait)]
        if erlang_a:
            cells.append(pct(row.abandon_rate))
        table.add_row(*cells, style=style)
    return table


def queue_staffing_table(menu: str, rows: list[Any]) -> Group:
    """``ivr staff FILE``: per queue, its load at the busiest hour and the agents it needs."""
    table = report_table(
        f"{menu}: agents each queue needs at the busiest hour",
        ["queue", "calls/h", "AHT s", "target", "need", "have", "SL", "ASA s", "aband"],
        name_width=16,
    )
    for row in rows:
        short = row.needed > row.logged_in
        table.add_row(
            row.queue,
            f"{row.calls_per_hour:.0f}",
            _secs(row.aht),
            f"{row.target[0] * 100:.0f}/{row.target[1]:g}",
            Text(str(row.needed), style="bold"),
            Text(str(row.logged_in), style="bold red" if short else "green"),
            pct(row.expected.service_level),
            _secs(row.expected.asa_seconds),
            pct(row.expected.abandon_rate) if row.patience else "–",
        )
    legend = Text(
        "calls/h: callers reaching the queue at the traffic's busiest hour (by its shares, or measured by "
        "walking simulated callers through the menu). AHT includes wrap-up. need: fewest agents meeting the "
        "target by Erlang A (Erlang C when callers never hang up), the queue served alone. have: agents "
        "with its skill (red: fewer than needed). SL, ASA, aband: expected with `need` agents.",
        style="dim",
    )
    return Group(table, legend)


STAFFING_LEGEND = (
    "SL: answered within the target time / every call offered (the target is met on this). SL sim: the "
    "same / calls offered less abandons within 5 s, as ivr simulate reports it. ASA: mean wait of answered "
    "calls, as ivr simulate reports it. wait: mean wait of every offered call, abandoned callers' included "
    "(Erlang A's E[Wq]). occ: occupancy. Definitions: docs/metrics.md."
)


def print_simulation(console: Console, result: SimulationResult, queue: str | None) -> None:
    console.print(render(result, queue))


def load_report(report: LoadReport, menu_path: str) -> Group:
    """SIPp-style figures of a load run: periodic and cumulative, distributions, and the queues."""
    from rich.table import Table as RichTable

    head = Text(
        f"{report.callers:,} callers on {menu_path} at {report.rate:g} calls/s over "
        f"{report.simulated_seconds:,.0f} simulated s; peak {report.peak_concurrent:,} calls at once",
        style="bold",
    )
    periods = report_table(
        "Periodic figures",
        ["at s", "started", "in menu", "waiting", "talking", "done", "aband", "failed"],
        name_width=14,
    )
    step = max(1, len(report.periods) // 20)
    shown = report.periods[::step]
    if report.periods and shown[-1] is not report.periods[-1]:
        shown.append(report.periods[-1])
    for p in shown:
        periods.add_row(
            f"{p.at:,.0f}",
            f"{p.started:,}",
            f"{p.in_menu:,}",
            f"{p.waiting:,}",
            f"{p.talking:,}",
            f"{p.completed:,}",
            f"{p.abandoned:,}",
            f"{p.failed:,}",
        )
    outcomes = RichTable(title="Outcomes", title_justify="left", header_style="bold", box=box.SIMPLE_HEAD)
    outcomes.add_column("outcome")
    outcomes.add_column("calls", justify="right")
    for name, count in report.outcomes.most_common():
        outcomes.add_row(name, f"{count:,}")
    totals = Text.assemble(
        ("completed ", "bold"),
        f"{report.completed:,}  ",
        ("abandoned ", "bold"),
        f"{report.abandoned:,}  ",
        ("blocked ", "bold"),
        f"{report.blocked:,}  ",
        ("failed ", "bold red" if report.failed else "bold"),
        f"{sum(report.failed.values()):,}" + (f" ({dict(report.failed)})" if report.failed else ""),
    )
    parts: list[Any] = [head, periods, outcomes, totals, Text()]
    parts.append(_distribution("Time in the menu", report.time_in_menu))
    parts.append(_distribution("Call length", report.call_length))
    if report.queues:
        queues = report_table("Queues", TOTAL_HEADERS, name_width=14)
        for row in report.queues:
            queues.add_row(*_total_cells(row))
        parts.append(queues)
    return Group(*parts)


def _distribution(title: str, counts: Counter[str]) -> Text:
    from ivr.traffic.load import bucket_names

    text = Text(f"{title}\n", style="bold")
    biggest = max(counts.values(), default=0) or 1
    for name in bucket_names():
        count = counts.get(name, 0)
        text.append(f"{name:>10} ")
        text.append("█" * round(count / biggest * 30), style="cyan")
        text.append(f" {count:,}\n")
    return text


def load_report_json(report: LoadReport) -> str:
    return json.dumps(
        {
            "callers": report.callers,
            "rate_per_second": report.rate,
            "simulated_seconds": report.simulated_seconds,
            "peak_concurrent": report.peak_concurrent,
            "completed": report.completed,
            "abandoned": report.abandoned,
            "blocked": report.blocked,
            "failed": dict(report.failed),
            "outcomes": dict(report.outcomes),
            "time_in_menu": dict(report.time_in_menu),
            "call_length": dict(report.call_length),
            "periods": [vars(p) for p in report.periods],
            "queues": [r.as_dict() for r in report.queues],
        },
        indent=2,
    )


def timing_table(path: str, language: str, reaches: list[dict[str, Any]]) -> Table:
    """`ivr check --timing`: seconds before each destination, best and with every reprompt."""
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
