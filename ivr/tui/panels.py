"""The TUI's panels: the caller's phone, the menu map and the representatives' floor."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, DataTable, RichLog, Static, Tree
from textual.widgets.tree import TreeNode

from ivr.call.events import CallEvent, NodeEntered, PromptPlayed
from ivr.contact.participants import Floor
from ivr.menu.compiled import Menu
from ivr.menu.text import fill, pick
from ivr.render.transcript import clock_text, describe
from ivr.tui.charts import TrendChart
from ivr.tui.rtl import BidiMode, bidi_mode, has_rtl, is_rtl, visual_lines

KEYPAD = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")
LIT_SECONDS = 0.3  # how long a pressed key stays lit


class Keypad(Widget):
    """The phone's twelve keys, three to a row, drawn as one widget (twelve buttons cost a tenth of a second
    at start-up). A click presses the key under the pointer; a pressed key lights up for a moment."""

    DEFAULT_CSS = """
    Keypad {
        height: 4;
    }
    Keypad > .keypad--key {
        background: $surface-lighten-1;
        text-style: bold;
    }
    Keypad > .keypad--lit {
        background: $accent;
        color: $text;
        text-style: bold;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"keypad--key", "keypad--lit"}
    GUTTER = 1  # blank columns between two keys

    class Pressed(Message):
        """A key of the keypad was pressed (clicked, or pressed for the caller by a demo)."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lit: str | None = None
        self._unlight: Timer | None = None

    def _columns(self) -> list[tuple[int, int]]:
        """Where each of the three columns of keys starts, and how wide it is."""
        usable = max(3, self.size.width - 2 * self.GUTTER)
        widths = [usable // 3 + (1 if i < usable % 3 else 0) for i in range(3)]
        starts = [0, widths[0] + self.GUTTER, widths[0] + widths[1] + 2 * self.GUTTER]
        return list(zip(starts, widths, strict=True))

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keypad--key")
        lit_style = self.get_component_rich_style("keypad--lit")
        rows = []
        for row in range(4):
            line = Text()
            for col, (_, width) in enumerate(self._columns()):
                key = KEYPAD[row * 3 + col]
                if col:
                    line.append(" " * self.GUTTER)
                line.append(key.center(width), lit_style if key == self.lit else key_style)
            rows.append(line)
        return Text("\n").join(rows)

    def key_at(self, x: int, y: int) -> str | None:
        """The key drawn at ``x``, ``y`` (in the widget), or None between keys."""
        if not 0 <= y < 4:
            return None
        for col, (start, width) in enumerate(self._columns()):
            if start <= x < start + width:
                return KEYPAD[y * 3 + col]
        return None

    def offset_of(self, key: str) -> tuple[int, int]:
        """Where ``key`` is drawn (the middle of its cell), as a click would find it."""
        index = KEYPAD.index(key)
        start, width = self._columns()[index % 3]
        return start + width // 2, index // 3

    def on_click(self, event: events.Click) -> None:
        key = self.key_at(event.x, event.y)
        if key is not None:
            self.press(key)

    def press(self, key: str) -> None:
        """Press ``key``: it lights up, and the app is told."""
        self.light(key)
        self.post_message(self.Pressed(key))

    def light(self, key: str) -> None:
        """Show ``key`` as pressed for a moment."""
        self.lit = key
        self.refresh()
        if self._unlight is not None:
            self._unlight.stop()
        self._unlight = self.set_timer(LIT_SECONDS, self._dark)

    def _dark(self) -> None:
        self.lit = None
        self.refresh()


class TitleBar(Static):
    """The app's title and subtitle on the top line. Textual's Header lays the whole screen out again
    whenever its title changes (a frame of ~100 ms), and the clock in the subtitle changes every simulated
    second; this line is always one row the screen's width, so it is only drawn again."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
        content-align: center middle;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def on_mount(self) -> None:
        for name in ("title", "sub_title"):
            self.watch(self.app, name, self._show)
        self._show()

    def _show(self) -> None:
        self.update(self.app.format_title(self.app.title, self.app.sub_title), layout=False)


class PromptBox(VerticalScroll):
    """What the line is saying. A prompt longer than the box scrolls, and its border says so. Right-to-left
    text is shaped, wrapped and reordered for the box's width (see :mod:`ivr.tui.rtl`), right-aligned.

    The text is a widget inside the box: a widget scrolls its children, not its own text, so a bare Static
    that said "more ↓ scroll" could be scrolled by its border's two lines only."""

    DEFAULT_CSS = """
    PromptBox { scrollbar-size-vertical: 1; }
    PromptBox > Static { height: auto; }
    """
    said: tuple[str, bool] | None = None  # the prompt in reading order, and whether its language is RTL
    _drawn_width = 0

    def __init__(self, content: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Static(content)

    def compose(self) -> ComposeResult:
        yield self._text

    @property
    def content(self) -> Any:
        """What the box shows (as given to :meth:`update`)."""
        return self._text.content

    def shown_text(self) -> str:
        return str(self._text.render())

    def update(self, content: Text | str) -> None:
        self._text.update(content)

    def show(self, content: Text | str) -> None:
        """Show ``content`` (a status, a brief: not a prompt reworded for the box's width) from its top."""
        self.said = None
        self.update(content)
        self._from_top()

    def say(self, text: str, rtl: bool) -> None:
        """Show what the line says, in its language's direction, from its top."""
        self.said = (text, rtl)
        self._draw()
        self._from_top()

    def _from_top(self) -> None:
        self.scroll_home(animate=False)
        self.call_after_refresh(self.hint_more)  # once laid out: whether there is more to scroll to

    def _draw(self) -> None:
        if self.said is None:
            return
        text, rtl = self.said
        self._drawn_width = self.size.width
        if has_rtl(text) and bidi_mode() is BidiMode.SHAPE:  # wrapped here, in reading order, then reordered
            # the column of a scrollbar kept free: it appears only once the lines are there
            width = (self.content_region.width or 41) - 1
            text = "\n".join(visual_lines(text, width, rtl))
        self.update(Text(text, justify="right" if rtl else "left"))

    def on_resize(self) -> None:
        if self.size.width != self._drawn_width:  # only the width changes how right-to-left text wraps
            self._draw()
        self.hint_more()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.hint_more()

    def hint_more(self) -> None:
        """Say on the border whether there is more below (or, scrolled to the end, above)."""
        region = self.scrollable_content_region
        lines = self._text.get_content_height(region.size, region.size, region.width)
        hint = ""
        if lines > region.height:
            hint = "↑ scroll back" if self.scroll_y >= lines - region.height else "more ↓ scroll"
        if hint != (self.border_subtitle or ""):  # setting it repaints the box, even to the same text
            self.border_subtitle = hint


class Phone(Vertical):
    """The caller's side: what the line is saying, a keypad, and the transcript of the call."""

    ALLOW_MAXIMIZE = True  # projector mode (V)

    def compose(self) -> ComposeResult:
        if getattr(self.app, "briefs", None):  # the caller's brief, in role play with briefs
            yield PromptBox(id="brief")
        yield PromptBox("Press C to call.", id="prompt")
        yield Keypad(id="keypad")
        with Horizontal(id="call-buttons"):
            yield Button("Call", id="call", variant="success")
            yield Button("Hang up", id="hangup", variant="error")
        yield RichLog(id="transcript", wrap=True, markup=False, min_width=20)  # wrap at the panel, never crop

    def show_prompt(self, event: PromptPlayed) -> None:
        self.query_one("#prompt", PromptBox).say(event.text, is_rtl(event.language))

    def show_status(self, message: str) -> None:
        self.query_one("#prompt", PromptBox).show(Text(message, style="italic"))

    def log_event(self, event: CallEvent) -> None:
        log = self.query_one("#transcript", RichLog)
        # Scrolled at once, in the frame that shows the line: RichLog's own scroll waits a frame more (before
        # the log has a size, RichLog keeps the lines and scrolls when it has one).
        scroll: bool | None = False if log.size else None
        if isinstance(event, PromptPlayed) and has_rtl(event.text) and bidi_mode() is BidiMode.SHAPE:
            # Shaped and reordered here, wrapped to the log's width first so the lines read in order
            width = (log.scrollable_content_region.width or 40) - len(clock_text(event.at)) - 6  # stamp, ♪, slack
            rtl = is_rtl(event.language)
            stamp = clock_text(event.at) + "  "
            for i, line in enumerate(visual_lines(event.text, width, rtl)):
                text = Text(stamp if i == 0 else " " * len(stamp), style="dim")
                text.append("♪ " if i == 0 else "  ", style="magenta")
                text.append(line.rjust(width) if rtl else line, style="italic")  # RTL lines end at the right
                log.write(text, scroll_end=scroll)
        else:
            described = describe(event)
            when, body = described.divide([len(clock_text(event.at)) + 2])
            grid = Table.grid()  # wrapped lines hang under the text, so the time column stays clear
            grid.add_column(no_wrap=True)
            grid.add_column(overflow="fold")
            grid.add_row(when, body)
            log.write(grid, scroll_end=scroll)
        if scroll is False:
            log.scroll_end(animate=False, immediate=True, x_axis=False)

    def clear(self) -> None:
        self.query_one("#transcript", RichLog).clear()


WAYS_OUT = ("option", "case", "default", "next", "after", "key", "exhausted", "busy", "back")  # drawn in this order


def _way(kind: str, label: str) -> str:
    """How the map names a way out of a node."""
    if kind == "next":
        return ""
    if kind == "back":
        return f"{label} back"
    if kind == "busy":
        return "queue busy"
    return label


class MenuMap(Tree[str]):
    """The menu as a tree from its start node; the current node is highlighted and the path taken marked."""

    ALLOW_MAXIMIZE = True  # projector mode (V)
    # The guides under the cursor look like the others (as under the mouse they do by default), so the lines
    # below a node do not change look when the cursor or a mark moves onto or off it: see _refresh_node.
    DEFAULT_CSS = """
    MenuMap > .tree--guides-selected { color: $surface-lighten-2; }
    MenuMap:focus > .tree--guides-selected { color: $surface-lighten-3; }
    MenuMap:light > .tree--guides-selected { color: $surface-darken-1; }
    """
    _whole_branches = False

    def __init__(self, menu: Menu) -> None:
        super().__init__(menu.name, data=menu.start, id="map")
        self.menu = menu
        self.current: str | None = None
        self.visited: set[str] = set()
        self.nodes_by_id: dict[str, list[TreeNode[str]]] = {}

    def on_mount(self) -> None:
        self.show_root = False
        self.rebuild(self.menu)

    def rebuild(self, menu: Menu) -> None:
        """Lay the tree out again (after a reload): each node once, at its first place, and every way out of
        it (options, global keys, where attempts lead, the busy route, back and repeat) as a branch, or as
        a ↺ leaf where the node it leads to is drawn elsewhere."""
        self.menu = menu
        self.clear()
        self.nodes_by_id = {}
        placed: set[str] = set()
        queue = deque([(self.root, menu.start, "", False)])
        while queue:
            parent, node_id, via, pointer = queue.popleft()
            label = self._label(node_id, via)
            if node_id in placed or pointer:  # drawn elsewhere; back and repeat only ever point
                parent.add_leaf(Text.assemble(label, (" ↺", "dim")), data=node_id)
                continue
            placed.add(node_id)
            item = parent.add(label, data=node_id, expand=True)
            self.nodes_by_id.setdefault(node_id, []).append(item)
            edges = [e for kind in WAYS_OUT for e in menu.edges.get(node_id, ()) if e.kind == kind]
            for edge in edges:
                queue.append((item, edge.target, _way(edge.kind, edge.label), edge.kind == "back"))
            node = menu.nodes[node_id]
            repeat = node.settings.keys.repeat if node.settings is not None and node.kind == "menu" else None
            if repeat:
                queue.append((item, node_id, f"{repeat} again", True))
            if not edges and not repeat:
                item.allow_expand = False
        self.root.expand()  # each label above already carries its marks (_label)

    def _label(self, node_id: str, via: str) -> Text:
        node = self.menu.nodes[node_id]
        style = "bold reverse" if node_id == self.current else ("green" if node_id in self.visited else "")
        prefix = f"{via} → " if via else ""
        return Text.assemble((prefix, "dim"), (node_id, style), (f" {node.kind}", "dim"))

    def _refresh_node(self, node: TreeNode[str]) -> None:
        """Repaint the lines of ``node`` itself. Textual repaints the node's whole branch, as its cursor and
        hover restyle the guides below; here only the mouse's hover does. The call's marks and the cursor
        follow the caller through every press, and each press repainted most of the map (10 ms of the
        40 ms frame after a key)."""
        if self._whole_branches:
            super()._refresh_node(node)
            return
        top = self.scroll_offset.y
        for number, line in enumerate(self._tree_lines[top : top + self.size.height], top):
            if line.node is node:
                self._refresh_line(number)

    def watch_hover_line(self, previous_hover_line: int, hover_line: int) -> None:
        self._whole_branches = True  # the lines under the mouse's node are highlighted: the branch changes
        try:
            super().watch_hover_line(previous_hover_line, hover_line)
        finally:
            self._whole_branches = False

    def mark(self, event: NodeEntered) -> None:
        # only the node left and the node entered change look: relabelling every node redraws the tree
        changed = {event.node} if self.current is None else {self.current, event.node}
        self.current = event.node
        self.visited.add(event.node)
        self.refresh_marks(changed)
        items = self.nodes_by_id.get(event.node)
        if items:
            self.move_cursor(items[0])

    def forget_call(self) -> None:
        """No call yet: no node is current and none visited (Tree.reset would clear the tree)."""
        self.current = None
        self.visited = set()
        self.refresh_marks()

    def refresh_marks(self, only: set[str] | None = None) -> None:
        """Label the nodes again (``only`` those, when given) with the current and visited marks."""
        for node_id, items in self.nodes_by_id.items():
            if only is not None and node_id not in only:
                continue
            for item in items:
                via = ""
                if isinstance(item.label, Text) and " → " in item.label.plain:
                    via = item.label.plain.split(" → ", 1)[0]
                item.set_label(self._label(node_id, via))

    def prompt_of(self, node_id: str, language: str, variables: Mapping[str, Any] | None = None) -> str:
        """The node's prompt, with the call's variables filled in and the others shown by name: ‹name›."""
        spec = self.menu.nodes[node_id].spec
        text = getattr(spec, "prompt", None)
        if not text:
            return f"({self.menu.nodes[node_id].kind})"
        return fill(pick(text, language, self.menu.default_language), variables or {}, "‹{}›", language)


class FloorView(Vertical):
    """Agents and their states, waiting callers with their waits, and the figures so far."""

    ALLOW_MAXIMIZE = True  # projector mode (V)

    def compose(self) -> ComposeResult:
        yield Static(id="figures")
        with Horizontal(id="trends"):
            yield Static("SL", classes="trend-label")
            yield TrendChart(100, "%", id="sl-trend")
            yield Static("waiting", classes="trend-label")
            yield TrendChart(5, grows=True, id="queue-trend")
        with Horizontal(id="floor-tables"):
            yield DataTable(id="agents", cursor_type="none", zebra_stripes=True)
            yield DataTable(id="waiting", cursor_type="none", zebra_stripes=True)

    def on_mount(self) -> None:
        agents = self.query_one("#agents", DataTable)
        # Fixed widths where values change as the floor moves ("available" / "talking", "59 s" / "12 m"),
        # so that the table does not re-lay itself, and a snapshot does not depend on when it is taken.
        agents.add_column("agent")
        agents.add_column("state", width=9)
        agents.add_column("for", width=4)
        agents.add_column("with", width=5)
        self.query_one("#waiting", DataTable).add_columns("caller", "queue", "wait")
        self.sampled_at: float | None = None

    def show(
        self,
        floor: Floor,
        live_contact: int | None,
        live_place: tuple[int, float] | None,
        seat: tuple[str, float | None] | None = None,
    ) -> None:
        """The floor now; ``seat`` is the user's own line in role play: their state and since when."""
        colours = {"available": "green", "talking": "yellow", "wrap-up": "cyan", "break": "dim", "logged out": "dim"}
        shown = {"logged out": "gone home"}  # the state column is 9 wide: abbreviate, never crop
        agent_rows: list[tuple[str, tuple[Any, ...]]] = []
        if seat is not None:  # role play: the trainee is on the floor too, first
            state_name, since_at = seat
            since_text = "" if since_at is None else _span(floor.at - since_at)
            who_text = Text("caller", style="bold magenta") if state_name == "talking" else ""
            mine = (Text("you", style="bold magenta"), Text(state_name, style=colours.get(state_name, "")))
            agent_rows.append(("you", (*mine, Text(since_text, justify="right"), who_text)))
        for agent in floor.agents:
            who: str | Text = "" if agent.contact is None else f"#{agent.contact}"
            if agent.contact is not None and agent.contact == live_contact:
                who = Text("you", style="bold magenta")
            state = Text(shown.get(agent.state, agent.state), style=colours.get(agent.state, ""))
            since = Text(_span(floor.at - agent.since), justify="right")
            agent_rows.append((agent.name, (agent.name, state, since, who)))
        show_rows(self.query_one("#agents", DataTable), agent_rows)
        waiting_rows: list[tuple[str, tuple[Any, ...]]] = []
        for caller in sorted(floor.waiting, key=lambda w: -w.wait):
            style = "bold magenta" if caller.live else ""
            name = "you" if caller.live else f"#{caller.contact}"
            cells = (Text(name, style=style), caller.queue, Text(f"{caller.wait:.0f} s", style=style))
            waiting_rows.append((str(caller.contact), cells))
        show_rows(self.query_one("#waiting", DataTable), waiting_rows)
        total = floor.totals[-1]
        sl = total.service_level
        figures = queue_figures(floor, 2 if self.app.has_class("-short") else MAX_QUEUE_LINES)
        if live_place is not None:
            figures.append(f"\nyou: number {live_place[0]}, about {live_place[1]:.0f} s", style="bold magenta")
        shown_figures = self.query_one("#figures", Static)
        # an unchanged Static is not laid out again
        if _cell_key(figures) != _cell_key(getattr(shown_figures, "shown", None)):
            shown_figures.shown = figures  # type: ignore[attr-defined]
            shown_figures.update(figures)
        self.sample(floor, sl)

    def sample(self, floor: Floor, sl: float | None) -> None:
        """A column on each trend every TREND_EVERY simulated seconds (not every redraw: time is the axis)."""
        if self.sampled_at is not None and floor.at - self.sampled_at < TREND_EVERY:
            return
        if self.sampled_at is not None and floor.at < self.sampled_at:  # the day restarted
            self.query_one("#sl-trend", TrendChart).clear()
            self.query_one("#queue-trend", TrendChart).clear()
        self.sampled_at = floor.at
        shares = {share for share, _ in floor.targets.values()}
        trend = self.query_one("#sl-trend", TrendChart)
        trend.target = shares.pop() * 100 if len(shares) == 1 else None  # one target to mark, or none
        trend.add(None if sl is None else sl * 100)
        self.query_one("#queue-trend", TrendChart).add(float(len(floor.waiting)))


MAX_QUEUE_LINES = 5  # queue lines above the tables; the busiest first
TREND_EVERY = 30.0  # simulated seconds a column of the trends stands for


def show_rows(table: DataTable[Any], rows: list[tuple[str, tuple[Any, ...]]]) -> None:
    """Show ``rows`` (key, cells) in ``table``, changing only the cells that changed. The floor is drawn
    ten times a second; clearing and refilling a table re-lays the whole screen each time (a ~90 ms frame
    at 120x40), where most ticks change one "for" cell or none."""
    keys = [key for key, _ in rows]
    if [row.value for row in table.rows] != keys:
        table.clear()
        for key, cells in rows:
            table.add_row(*cells, key=key)
        return
    columns = list(table.columns)
    for key, cells in rows:
        for column, cell in zip(columns, cells, strict=True):
            if _cell_key(table.get_cell(key, column)) != _cell_key(cell):
                table.update_cell(key, column, cell)


def _cell_key(cell: object) -> object:
    """What a cell shows, style included (rich's ``Text ==`` compares the words and spans only)."""
    if isinstance(cell, Text):
        return (cell.plain, str(cell.style), cell.justify, tuple(cell.spans))
    return cell


def queue_figures(floor: Floor, limit: int = MAX_QUEUE_LINES) -> Text:
    """One line a queue with calls, as a trainer explains it: "billing  SL 82% (target 80% in 60 s)",
    waiting, longest wait, ASA, abandons; green when the target is met, red when missed. Before any call
    is offered it says so, instead of a red 0 %."""
    waiting: dict[str, list[float]] = {}
    for caller in floor.waiting:
        waiting.setdefault(caller.queue, []).append(caller.wait)
    rows = [r for r in floor.totals[:-1] if r.offered or r.queue in waiting]
    total = floor.totals[-1]
    text = Text()
    if not rows:
        text.append("No calls offered yet.", style="dim")
    rows.sort(key=lambda r: (-len(waiting.get(r.queue, ())), -r.offered))
    width = max((len(r.queue) for r in rows[:limit]), default=0)
    for i, row in enumerate(rows[:limit]):
        share, seconds = floor.targets.get(row.queue, (row.service_level_target, 0.0))
        colour = "green" if row.met else "red" if row.met is not None else "dim"
        queued = waiting.get(row.queue, [])
        text.append("\n" if i else "")
        text.append(f"{row.queue:<{width}}  ", style="bold")
        text.append("SL " + (f"{row.service_level * 100:.0f}%" if row.service_level is not None else "–"), colour)
        text.append(f" (target {share * 100:.0f}% in {seconds:.0f} s)", style="dim")
        text.append(f"  waiting {len(queued)}")
        if queued:
            text.append(f", longest {max(queued):.0f} s")
        text.append("  ASA " + (f"{row.asa:.0f} s" if row.asa is not None else "–"))
        text.append(f"  aband {row.abandoned}/{row.offered}")
    if len(rows) > limit:
        text.append(f"\n+{len(rows) - limit} more queues with calls (V: the floor full screen)", style="dim")
    occupancy = f"{total.occupancy * 100:.0f}%" if total.occupancy is not None else "–"
    text.append(f"\nall queues: {total.answered}/{total.offered} answered, occupancy {occupancy}", style="dim")
    return text


def _span(seconds: float) -> str:
    """Time in a state, short enough for a narrow column: "45 s", "3 m", "2 h"."""
    if seconds < 60:
        return f"{max(seconds, 0):.0f} s"
    if seconds < 3600:
        return f"{seconds // 60:.0f} m"
    return f"{seconds // 3600:.0f} h"
