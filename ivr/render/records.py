"""`ivr report`: the records as rich tables with a chart, or as JSON / CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rich.console import Group
from rich.text import Text

from ivr.records.summary import Summary
from ivr.render.cells import pct, report_table


def render(summary: Summary) -> Group:
    sources = ", ".join(f"{n:,} {s}" for s, n in summary.sources.items())
    head = Text.assemble(
        (f"{summary.calls:,} calls", "bold"),
        f" ({sources})  ",
        ("first-contact resolution ", "bold"),
        pct(summary.fcr),
        f" of {summary.tickets:,} tickets  ",
        ("CSAT ", "bold"),
        pct(summary.csat),
        " (answers of 4 or 5)",
    )
    outcomes = report_table("Outcomes", ["outcome", "calls", "share"])
    for name, count in summary.outcomes.items():
        outcomes.add_row(name, f"{count:,}", pct(count / summary.calls if summary.calls else None))
    categories = report_table("Tickets by category", ["category", "tickets"])
    for name, count in summary.by_category.items():
        categories.add_row(name, f"{count:,}")
    queues = report_table("Service level per queue", ["queue", "offered", "answered", "abandoned", "SL", "ASA s"])
    for q in summary.queues:
        queues.add_row(
            q.queue,
            f"{q.offered:,}",
            f"{q.answered:,}",
            f"{q.abandoned:,}",
            pct(q.service_level),
            "–" if q.asa is None else f"{q.asa:.1f}",
        )
    survey = report_table("Survey", ["question", "answers", "average", "4 or 5", "yes"])
    for s in summary.survey:
        survey.add_row(
            s.question,
            f"{s.answers:,}",
            "–" if s.average is None else f"{s.average:.2f}",
            pct(s.top_two),
            pct(s.yes),
        )
    paths = report_table("Most common paths", ["path", "calls", "share"])
    for path, count in summary.paths:
        paths.add_row(" › ".join(path), f"{count:,}", pct(count / summary.calls if summary.calls else None))
    return Group(head, Text(), outcomes, categories, queues, survey, paths, drop_off_chart(summary))


def drop_off_chart(summary: Summary) -> Text:
    """Where callers hang up inside the menu: the share of callers who reached a node and hung up there."""
    text = Text("Drop-off per node (callers who hung up there / callers who reached it)\n", style="bold")
    if not summary.drop_off:
        text.append("nobody hung up inside the menu\n", style="dim")
        return text
    width = max(len(d.node) for d in summary.drop_off)
    top = max(d.rate for d in summary.drop_off) or 1.0
    for d in summary.drop_off:
        text.append(f"{d.node:>{width}} ")
        text.append("█" * max(1, round(d.rate / top * 30)), style="red")
        text.append(f" {d.rate * 100:.1f}% ({d.hung_up:,} of {d.entered:,})\n")
    return text


def as_dict(summary: Summary) -> dict[str, Any]:
    return {
        "calls": summary.calls,
        "sources": summary.sources,
        "outcomes": summary.outcomes,
        "first_contact_resolution": summary.fcr,
        "tickets": summary.tickets,
        "tickets_by_category": summary.by_category,
        "csat": summary.csat,
        "queues": [{**vars(q), "service_level": q.service_level} for q in summary.queues],
        "survey": [vars(s) for s in summary.survey],
        "paths": [{"path": p, "calls": n} for p, n in summary.paths],
        "drop_off": [{**vars(d), "rate": d.rate} for d in summary.drop_off],
        "skipped": summary.skipped,
    }


def as_csv(summary: Summary) -> str:
    """Long format, one figure per row: section, name, figure, value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "name", "figure", "value"])
    writer.writerow(["total", "", "calls", summary.calls])
    writer.writerow(["total", "", "first_contact_resolution", summary.fcr])
    writer.writerow(["total", "", "csat", summary.csat])
    for name, count in summary.outcomes.items():
        writer.writerow(["outcome", name, "calls", count])
    for q in summary.queues:
        for figure in ("offered", "answered", "abandoned", "short_abandoned", "service_level", "asa"):
            writer.writerow(["queue", q.queue, figure, getattr(q, figure)])
    for s in summary.survey:
        for figure in ("answers", "average", "top_two", "yes"):
            writer.writerow(["survey", s.question, figure, getattr(s, figure)])
    for path, count in summary.paths:
        writer.writerow(["path", " > ".join(path), "calls", count])
    for d in summary.drop_off:
        writer.writerow(["drop_off", d.node, "rate", d.rate])
        writer.writerow(["drop_off", d.node, "hung_up", d.hung_up])
    return buffer.getvalue()


def as_json(summary: Summary) -> str:
    return json.dumps(as_dict(summary), indent=2, ensure_ascii=False)
