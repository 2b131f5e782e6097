"""Pieces every report table shares: percentages, seconds and the table style."""

from __future__ import annotations

from rich import box
from rich.table import Table


def pct(value: float | None, digits: int = 1) -> str:
    """0.8123 -> "81.2%"; no value -> a dash."""
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def report_table(title: str, headers: list[str], name_width: int | None = None) -> Table:
    """A plain table: the first column names (cut to ``name_width`` with an ellipsis, else wrapped), the
    others are right-aligned figures."""
    table = Table(
        title=title,
        title_justify="left",
        header_style="bold",
        pad_edge=False,
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        collapse_padding=True,
    )
    if name_width is None:
        table.add_column(headers[0], overflow="fold")
    else:
        table.add_column(headers[0], no_wrap=True, max_width=name_width, overflow="ellipsis")
    for header in headers[1:]:
        width = 6 if header == "SL" else max(4, len(header))
        table.add_column(header, justify="right", no_wrap=True, min_width=width)
    return table
