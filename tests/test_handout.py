"""The session handout (E): one HTML page with the figures, the floor over time and every call made."""

from __future__ import annotations

import itertools
import re
import time
from html.parser import HTMLParser
from pathlib import Path

from tests.conftest import toasts
from tests.test_tui import app, listen, until


class _Page(HTMLParser):
    """The text, the table rows and the drawn series of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.rows: list[list[str]] = []
        self.series: list[str] = []
        self.rtl: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr":
            self.rows.append([])
        if tag == "polyline":
            self.series.append(found.get("points") or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.rows and data.strip() and self.lasttag in ("td", "th"):
            self.rows[-1].append(data.strip())


async def test_the_session_handout_holds_the_figures_the_floor_and_each_call(tmp_path: Path) -> None:
    tui = app(record_dir=tmp_path, traffic=True)
    async with tui.run_test(size=(120, 40), notifications=True) as pilot:
        tui.advance(15 * 60)  # the floor runs a quarter of an hour before the class calls
        await pilot.pause()
        await pilot.press("c", "1")
        listen(tui)
        await pilot.press("0")  # a representative, straight away
        for _ in range(40):
            if tui.call is None or tui.call.ended:
                break
            tui.advance(30)
            await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        await pilot.press("E")  # upper case works as lower case
        await until(pilot, lambda: any("Handout" in shown for shown in toasts(tui)))
        (written,) = (tmp_path / "sessions").glob("session-*.html")
        assert written.name in "".join(toasts(tui)).replace("\n", "")  # the screen says where it went
    page = _Page()
    page.feed(written.read_text(encoding="utf-8"))
    text = " ".join(page.text)
    assert "customer-service" in text and "Calls made" in text
    assert "Welcome to Roshan Telecom" in text  # the call's transcript, as the phone showed it
    assert any(row[:1] == ["1"] for row in page.rows)  # call 1 in the calls table
    queues = [row[0] for row in page.rows if row and row[0] in ("general", "all queues")]
    assert queues, page.rows  # figures per queue
    assert len(page.series) == 2 and all(len(s.split()) >= 10 for s in page.series)  # a point a minute
    levels = [float(point.split(",")[1]) for point in page.series[0].split()]
    assert all(40 <= y <= 220 for y in levels)  # SL drawn inside its fixed 0-100 % frame
    assert re.search(r"\d+ % \(\d+ % in \d+ s\)", text)  # "82 % (80 % in 20 s)"


async def test_a_finished_call_is_replayed_on_the_map_node_by_node(tmp_path: Path) -> None:
    from ivr.tui.panels import MenuMap

    tui = app(record_dir=tmp_path)
    async with tui.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("m")  # nothing to replay yet: the screen says what to do
        await until(pilot, lambda: any("No call has finished yet" in shown for shown in toasts(tui)))
        await pilot.press("c", "1")
        listen(tui)
        await pilot.press("4")  # technical service
        listen(tui)
        await pilot.press("h")
        await pilot.pause()
        path = tui.session.calls[-1].record.path
        assert path[:3] == ["opening_hours", "language", "greeting"] and "technical" in path
        tui.replay_step = 0.05
        map_ = tui.query_one(MenuMap)
        marked: list[tuple[str, float]] = []
        mark = map_.mark
        map_.mark = lambda event: (marked.append((event.node, time.monotonic())), mark(event))  # type: ignore[method-assign]
        await pilot.press("M")
        await until(pilot, lambda: len(marked) >= len(path))
        assert [node for node, _ in marked] == path  # every node, in the order the call went
        gaps = [b - a for (_, a), (_, b) in itertools.pairwise(marked)]
        assert min(gaps) >= 0.04  # one at a time, at the replay's pace
        assert map_.current == path[-1]
        assert map_.visited == set(path)
