"""What a menu designer does from the simulator: the menu reloads when its files change (errors shown,
the last good menu kept running), and S saves the call so far as a script."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual.widgets import Static

from ivr.call.clock import SimClock
from ivr.call.driver import LiveCall
from ivr.call.engine import Caller
from ivr.call.session import Call
from ivr.menu.compiled import Menu
from ivr.menu.loader import load_menu
from ivr.replay.record import Recorder
from ivr.source.atomic import write_atomic
from ivr.source.diagnostics import IvrError
from ivr.tui.crash import CrashReport
from ivr.tui.panels import MenuMap, Phone


class DesignerActions(CrashReport):
    """Live reload and save-as-script; part of :class:`ivr.tui.app.IvrApp`, which holds the call."""

    menu: Menu
    menu_path: Path
    record_dir: Path
    saved_scripts: list[Path]
    caller: Caller
    clock: SimClock
    live: LiveCall | None
    tape: Recorder | None
    _stamps: dict[Path, float]

    # Provided by the app.
    @property
    def call(self) -> Call | None:
        raise NotImplementedError

    def action_hang_up(self) -> None:
        raise NotImplementedError

    def _build_line(self) -> None:
        raise NotImplementedError

    def _refresh_floor(self) -> None:
        raise NotImplementedError

    def action_save_script(self) -> None:
        """Save the call so far as a script (keys, silences, and what was heard as expectations)."""
        if self.tape is None or self.call is None:
            self.notify("Make a call first (C), then save it as a script (S).")
            return
        target = self.record_dir / f"recorded-{datetime.now():%Y%m%d-%H%M%S}.call.yaml"
        made_as = self.call.caller  # the caller this call was made as (a brief's, or the command line's)
        caller: dict[str, object] = {"number": made_as.number}
        if made_as.language:
            caller["language"] = made_as.language
        if made_as.tier:
            caller["tier"] = made_as.tier
        if made_as.variables:
            caller["variables"] = dict(made_as.variables)
        start = self.clock.wall(self.call.started_at).astimezone(self.menu.timezone)
        text = self.tape.script(self.menu_path, target, caller, start)
        try:
            self.record_dir.mkdir(parents=True, exist_ok=True)
            if target.exists():
                raise FileExistsError(f"{target} exists")
            write_atomic(target, text)
        except OSError as exc:
            self.notify(f"Cannot save the script: {exc}", severity="error", timeout=10)
            return
        self.saved_scripts.append(target)
        self.notify(f"Saved {target}; replay it with `ivr replay {target}`.")

    def _source_stamps(self) -> dict[Path, float]:
        stamps = {}
        for source in self.menu.sources:
            path = Path(source.path)
            try:
                stamps[path] = path.stat().st_mtime
            except OSError:
                stamps[path] = 0.0
        return stamps

    def _check_reload(self) -> None:
        if self._source_stamps() != self._stamps:
            self.action_reload()

    def action_reload(self) -> None:
        """Load the menu file again; on errors, show them and keep running the last good menu."""
        self._stamps = self._source_stamps()
        errors = self.query_one("#errors", Static)
        try:
            menu = load_menu(self.menu_path)
        except IvrError as exc:
            errors.update(Text(str(exc), style="red"))
            errors.add_class("-shown")
            self.notify("The menu has errors; still running the last good one.", severity="error")
            return
        errors.remove_class("-shown")
        errors.update("")
        self.menu = menu
        self._stamps = self._source_stamps()
        if self.call is not None and not self.call.ended:
            self.action_hang_up()
        self.live = None
        self._build_line()
        self.query_one(MenuMap).rebuild(menu)
        self.query_one(Phone).show_status("Menu reloaded. Press C to call.")
        self.notify(f"Reloaded {menu.path}: {len(menu.nodes)} nodes.")
        self._refresh_floor()

    def action_save_screenshot(self) -> None:
        """An SVG of the screen in ``screenshots/`` beside the saved scripts; the path is told either way."""
        if self.is_web:  # in a browser (ivr serve) the browser downloads it
            self.deliver_screenshot()
            return
        folder = self.record_dir / "screenshots"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(path=str(folder))
        except OSError as exc:
            self.notify(f"Cannot save a screenshot in {folder}: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"Saved the screen as {path}", title="Screenshot")
