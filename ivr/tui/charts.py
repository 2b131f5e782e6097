"""A trend over simulated time, drawn to a fixed scale: a column a sample, eighth blocks over as many rows as
the widget has, the scale on the left. A fixed scale (0-100 % for a service level) keeps a one-point dip
looking like one point, where an auto-scaled sparkline draws it as a cliff."""

from __future__ import annotations

from collections import deque

from rich.text import Text
from textual.widgets import Static

BLOCKS = " ▁▂▃▄▅▆▇█"


class TrendChart(Static):
    """Samples from 0 to ``top`` (or to a round number above the largest seen, when ``grows``), newest on
    the right; a ``target`` is marked on the scale."""

    def __init__(
        self, top: float, unit: str = "", target: float | None = None, grows: bool = False, **kwargs: object
    ) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.top = top
        self.unit = unit
        self.target = target
        self.grows = grows
        self.samples: deque[float | None] = deque(maxlen=400)

    def add(self, value: float | None) -> None:
        """One more sample (None: nothing to draw yet, a gap)."""
        self.samples.append(value)
        self.refresh()

    def clear(self) -> None:
        self.samples.clear()
        self.refresh()

    def scale(self) -> float:
        if not self.grows:
            return self.top
        most = max((v for v in self.samples if v is not None), default=0.0)
        step = self.top
        return max(step, -(-most // step) * step)

    def labels(self, rows: int, top: float, target_row: int | None) -> list[str]:
        """The scale, a label a row: the top, the target, 0; one row says the whole range."""
        if rows == 1:
            return [f"0-{top:g}{self.unit}"]
        out = [""] * rows
        out[0], out[-1] = f"{top:g}{self.unit}", f"0{self.unit}"
        if target_row is not None and 0 < target_row < rows - 1 and self.target is not None:
            out[target_row] = f"{self.target:g}{self.unit}"
        return out

    def render(self) -> Text:
        rows = max(1, self.size.height)
        top = self.scale()
        target_row = None
        if self.target is not None and 0 < self.target <= top:
            target_row = min(rows - 1, int((1 - self.target / top) * rows))
        labels = self.labels(rows, top, target_row)
        axis = max(len(label) for label in labels)
        width = max(1, self.size.width - axis - 1)
        shown = list(self.samples)[-width:]
        out = Text()
        for row, label in enumerate(labels):
            marked = row == target_row
            out.append(f"{label:>{axis}}", style="bold red" if marked and label else "dim")
            out.append("┼" if marked else "┤", style="red" if marked else "dim")
            floor = (rows - 1 - row) * 8  # eighths below this row
            for value in shown:
                if value is None:
                    out.append(" ")
                    continue
                eighths = round(min(max(value, 0.0), top) / top * rows * 8) if top else 0
                below_target = self.target is not None and value < self.target
                out.append(BLOCKS[min(8, max(0, eighths - floor))], style="red" if below_target else "green")
            if row < rows - 1:
                out.append("\n")
        return out
