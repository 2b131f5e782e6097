"""A session in the simulator as one HTML page a trainer can hand out: the figures per queue, the floor over
the session (service level and callers waiting, drawn to fixed scales), every call made with what happened,
and each call's transcript. One self-contained file: no script, no fetched font or style."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ivr.contact.metrics import Row

if TYPE_CHECKING:
    from ivr.records.store import CallRecord  # the page reads records; the store itself is not needed

WIDTH, HEIGHT, MARGIN = 640, 180, 40  # the plots' drawing area, in SVG units


@dataclass(frozen=True, slots=True)
class FloorSample:
    """The floor at one moment of the session."""

    at: datetime  # the simulated clock
    waiting: int
    talking: int
    agents: int
    service_level: float | None  # 0..1, over the session so far


@dataclass(frozen=True, slots=True)
class CallHeard:
    """One call made in the session: its record and its transcript lines (time, text)."""

    record: CallRecord
    lines: list[tuple[float, str]]


@dataclass
class Session:
    """Everything a handout shows."""

    menu: str
    started: datetime
    calls: list[CallHeard] = field(default_factory=list)
    timeline: list[FloorSample] = field(default_factory=list)
    figures: list[Row] = field(default_factory=list)
    targets: dict[str, tuple[float, float]] = field(default_factory=dict)  # queue -> (share, within seconds)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} s"


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}.{int(seconds * 10) % 10}"


def plot(
    title: str, samples: Sequence[tuple[datetime, float | None]], top: float, unit: str, line: float | None = None
) -> str:
    """An SVG line chart from 0 to ``top`` (a fixed scale: a small dip looks small) over the time the
    samples span (the same for every plot of a session), with an optional dashed target ``line``; points
    that are None (nothing to say yet) are left out."""
    points = [(at, value) for at, value in samples if value is not None]
    span_from = samples[0][0] if samples else None
    span_to = samples[-1][0] if samples else None
    parts = [
        f'<svg viewBox="0 0 {WIDTH + 2 * MARGIN} {HEIGHT + 2 * MARGIN}" role="img" aria-label="{_e(title)}">',
        f'<text x="{MARGIN}" y="{MARGIN - 16}" class="title">{_e(title)}</text>',
        f'<rect x="{MARGIN}" y="{MARGIN}" width="{WIDTH}" height="{HEIGHT}" class="frame"/>',
    ]
    for share in (0.0, 0.5, 1.0):  # the scale, fixed
        level = MARGIN + HEIGHT * (1 - share)
        parts.append(
            f'<text x="{MARGIN - 6}" y="{level + 4:.1f}" class="axis" text-anchor="end">{top * share:g}{unit}</text>'
        )
    if line is not None and 0 <= line <= top:
        level = MARGIN + HEIGHT * (1 - line / top)
        parts.append(f'<line x1="{MARGIN}" x2="{MARGIN + WIDTH}" y1="{level:.1f}" y2="{level:.1f}" class="target"/>')
    if points and span_from is not None and span_to is not None:
        first, last = span_from, span_to
        span = max((last - first).total_seconds(), 1.0)

        def x(at: datetime) -> float:
            return MARGIN + WIDTH * (at - first).total_seconds() / span

        def y(value: float) -> float:
            return MARGIN + HEIGHT * (1 - min(max(value, 0.0), top) / top)

        drawn = " ".join(f"{x(at):.1f},{y(value):.1f}" for at, value in points)
        parts.append(f'<polyline points="{drawn}" class="series"/>')
        for at, anchor in ((first, "start"), (last, "end")):
            label = f"{at:%H:%M}"
            parts.append(
                f'<text x="{x(at):.1f}" y="{MARGIN + HEIGHT + 16}" class="axis" text-anchor="{anchor}">{label}</text>'
            )
    else:
        parts.append(f'<text x="{MARGIN + 10}" y="{MARGIN + HEIGHT / 2}" class="axis">nothing to draw yet</text>')
    parts.append("</svg>")
    return "".join(parts)


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #17692f; } .short { color: #a31b1b; font-weight: bold; }
svg { width: 100%; max-width: 45rem; display: block; margin: 0.5rem 0; }
svg .frame { fill: none; stroke: #bbb; } svg .series { fill: none; stroke: #1f5fa8; stroke-width: 2; }
svg .target { stroke: #a31b1b; stroke-dasharray: 6 4; } svg .axis { font-size: 12px; fill: #555; }
svg .title { font-size: 14px; font-weight: bold; }
ol.transcript { list-style: none; padding: 0; font-family: ui-monospace, monospace; font-size: 0.9rem; }
ol.transcript li { display: flex; gap: 1rem; } ol.transcript time { color: #777; min-width: 4rem; }
ol.transcript span { unicode-bidi: plaintext; }
@media print { h2 { break-after: avoid; } section.call { break-inside: avoid; } }
"""


def session_html(session: Session) -> str:
    """The handout of ``session`` as one HTML document."""
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(session.menu)}: simulator session of {session.started:%Y-%m-%d %H:%M}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{_e(session.menu)}: simulator session</h1>",
        f"<p>Started {session.started:%A %d %B %Y, %H:%M} (simulated clock); {len(session.calls)} call(s) made, "
        f"{len(session.timeline)} floor sample(s).</p>",
    ]
    out += _figures(session)
    out.append("<h2>The floor over the session</h2>")
    target = max((share for share, _ in session.targets.values()), default=None)
    sl = [(s.at, None if s.service_level is None else s.service_level * 100) for s in session.timeline]
    out.append(plot("Service level so far (%)", sl, 100.0, "", None if target is None else target * 100))
    most = max((s.waiting for s in session.timeline), default=0)
    top = float(max(5, -(-most // 5) * 5))  # a round scale that holds the busiest moment
    out.append(plot("Callers waiting", [(s.at, float(s.waiting)) for s in session.timeline], top, ""))
    out += _calls(session.calls)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _figures(session: Session) -> list[str]:
    out = ["<h2>Figures per queue</h2>"]
    if not session.figures:
        return [*out, "<p>This menu has no representatives: there are no queue figures.</p>"]
    out.append(
        "<table><tr><th>queue</th><th>offered</th><th>answered</th><th>abandoned</th>"
        "<th>service level (target)</th><th>ASA</th><th>longest wait</th></tr>"
    )
    for row in session.figures:
        share, within = session.targets.get(row.queue, (row.service_level_target, 0.0))
        met = row.service_level is not None and row.service_level >= share
        css = "ok" if met else "short" if row.service_level is not None else ""
        target = f"{share * 100:.0f} % in {within:.0f} s" if within else f"{share * 100:.0f} %"
        if row.queue == "*":  # a mix of the queues' own targets: said as what it is, not as a target
            css, target = "", "each queue against its own target"
        name = "all queues" if row.queue == "*" else row.queue
        out.append(
            f"<tr><td>{_e(name)}</td><td class='n'>{row.offered}</td><td class='n'>{row.answered}</td>"
            f"<td class='n'>{row.abandoned}</td><td class='n {css}'>{_percent(row.service_level)} ({_e(target)})</td>"
            f"<td class='n'>{_seconds(row.asa)}</td><td class='n'>{_seconds(row.longest_wait)}</td></tr>"
        )
    out.append("</table>")
    return out


def _calls(calls: list[CallHeard]) -> list[str]:
    out = ["<h2>Calls made</h2>"]
    if not calls:
        return [*out, "<p>No call was made in this session.</p>"]
    out.append("<table><tr><th>#</th><th>started</th><th>outcome</th><th>queue</th><th>wait</th><th>keys</th></tr>")
    for number, call in enumerate(calls, 1):
        record = call.record
        out.append(
            f"<tr><td class='n'>{number}</td><td>{record.started_at:%H:%M:%S}</td><td>{_e(record.outcome)}</td>"
            f"<td>{_e(record.queue or '–')}</td><td class='n'>{_seconds(record.time_in_queue)}</td>"
            f"<td>{_e(record.keys or '–')}</td></tr>"
        )
    out.append("</table>")
    for number, call in enumerate(calls, 1):
        out.append(f"<section class='call'><h2>Call {number}: {_e(call.record.outcome)}</h2><ol class='transcript'>")
        out += [f"<li><time>{_clock(at)}</time><span dir='auto'>{_e(text)}</span></li>" for at, text in call.lines]
        out.append("</ol></section>")
    return out
