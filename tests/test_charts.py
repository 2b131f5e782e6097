"""The floor's trends: drawn to a fixed scale over simulated time, so a small dip looks small."""

from __future__ import annotations

from textual.app import App, ComposeResult

from ivr.tui.charts import BLOCKS, TrendChart


class _Chart(App[None]):
    def __init__(self, chart: TrendChart) -> None:
        super().__init__()
        self.chart = chart

    def compose(self) -> ComposeResult:
        yield self.chart


def heights(text: str, rows: int) -> list[int]:
    """Each column's height in eighths, from the drawn rows (the scale on the left cut off)."""
    lines = text.split("\n")
    assert len(lines) == rows
    bars = [line[line.index("┤") + 1 if "┤" in line else line.index("┼") + 1 :] for line in lines]
    return [sum(BLOCKS.index(bars[row][col]) for row in range(rows)) for col in range(len(bars[0]))]


async def test_a_one_point_dip_in_service_level_looks_like_one_point() -> None:
    chart = TrendChart(100, "%", target=40, id="sl")
    async with _Chart(chart).run_test(size=(30, 4)) as pilot:
        chart.styles.height = 4
        for value in [95.0] * 8 + [94.0] + [95.0] * 4 + [50.0, None, 100.0, 30.0]:
            chart.add(value)
        await pilot.pause()
        drawn = chart.render()
    columns = heights(str(drawn), 4)
    assert columns[:13] == [30] * 13  # 95 % and 94 % are the same height on 0-100 %
    assert columns[13:] == [16, 0, 32, 10]  # half, a gap, full, under the target
    lines = str(drawn).split("\n")
    assert lines[0].startswith("100%") and lines[-1].lstrip().startswith("0%")
    assert lines[2].startswith(" 40%┼")  # the target marked on the scale, in the row it falls in
    red = {drawn.plain[span.start : span.end] for span in drawn.spans if span.style == "red"}
    assert red - {" "} == {"▂", "█", "┼"}  # only the column under the target is red (and the mark)


async def test_a_count_grows_its_scale_in_round_steps_and_one_row_says_its_range() -> None:
    chart = TrendChart(5, grows=True)
    async with _Chart(chart).run_test(size=(20, 1)) as pilot:
        chart.styles.height = 1
        for value in (0.0, 3.0, 7.0):
            chart.add(value)
        await pilot.pause()
        drawn = str(chart.render())
    assert drawn.startswith("0-10┤")  # 7 waiting: the scale goes to the next step of 5
