"""`ivr serve`: one simulator app per browser tab, with limits a classroom server needs.

textual-serve runs each tab's app as a child process. Left as it is, a tab can ask for a 20000x20000
terminal (gigabytes in the child), any number of tabs can be opened, `/static/` lists its folder, and a
child that does not answer the "quit" message outlives its tab and the server. This module bounds each of
those: sizes are clamped, tabs are counted against a limit, the static folder is served without a listing,
and every child runs in its own process group that is sent SIGTERM, then SIGKILL, when its tab closes or the
server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import os
import signal
import tempfile
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from ivr.tui.room import Room

log = logging.getLogger("ivr.serve")

MIN_WIDTH, MAX_WIDTH = 20, 400  # cells: a 4K screen at a small font is about 380 wide
MIN_HEIGHT, MAX_HEIGHT = 5, 150
QUIT_GRACE = 3.0  # seconds a child has to leave after "quit" before SIGTERM, and again before SIGKILL


def clamp_size(width: object, height: object) -> tuple[int, int]:
    """A terminal size from what a browser sent: numbers kept within the ranges above, anything else 80x24."""
    return (_clamp(width, 80, MIN_WIDTH, MAX_WIDTH), _clamp(height, 24, MIN_HEIGHT, MAX_HEIGHT))


def _clamp(value: object, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value)) if not isinstance(value, int) else value
    except ValueError:
        return default
    return max(low, min(high, number))


class TabProcess(AppService):
    """One tab's app, started in a process group of its own so that it can be ended whatever it does."""

    def __init__(self, argv: list[str], **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = argv

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,  # its own process group: signals reach whatever it started too
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def stop(self) -> None:
        """Ask the app to quit; if it has not gone within a few seconds, SIGTERM its group, then SIGKILL."""
        task, self._task = self._task, None
        process = self._process
        if task is None or process is None:
            return
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        await self.send_meta({"type": "quit"})
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None:
                _signal_group(process.pid, sig)
            try:
                await asyncio.wait_for(asyncio.shield(process.wait()), QUIT_GRACE)
                break
            except TimeoutError:
                continue
        _signal_group(process.pid, signal.SIGKILL)  # anything the app started and left behind
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


SEATS = ("caller", "representative")  # the pages of two-seat role play: /caller and /representative


class ClassroomServer(Server):
    """textual-serve's server with clamped sizes, a session limit, no folder listing and children that end;
    and the room of two-seat role play, whose pages are /caller and /representative.

    ``seats`` maps each page to the command its tabs run: "" for /, and each of :data:`SEATS`."""

    def __init__(self, seats: dict[str, list[str]], *, sessions: int, **kwargs: Any) -> None:
        super().__init__(" ".join(seats[""]), **kwargs)
        self.seats = seats
        self.sessions = sessions
        self.tabs: set[TabProcess] = set()
        self._room_dir = tempfile.TemporaryDirectory(prefix="ivr-room-")
        self.room = Room(str(Path(self._room_dir.name) / "room.sock"))
        os.environ["IVR_ROOM"] = self.room.path  # each tab's process inherits it

    async def _make_app(self) -> web.Application:
        # textual-serve's own routes, but the static folder is served without a listing (show_index=False)
        app = web.Application()
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                *(web.get(f"/{seat}", self.handle_index) for seat in SEATS),
                *(web.get(f"/ws/{seat}", self.handle_websocket) for seat in SEATS),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_startup.append(self._open_room)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def _open_room(self, app: web.Application) -> None:
        await self.room.start()

    async def on_shutdown(self, app: web.Application) -> None:
        await asyncio.gather(*(tab.stop() for tab in list(self.tabs)), return_exceptions=True)
        await self.room.stop()
        self._room_dir.cleanup()

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """textual-serve's page; on a role-play seat's page (/caller, /representative), with that seat's own
        websocket, so that the tab runs the seat's command."""
        if len(self.tabs) >= self.sessions:
            return web.Response(status=503, text=full_page(self.title, self.sessions), content_type="text/html")
        seat = request.path.strip("/")
        if seat not in SEATS:
            return await super().handle_index(request)
        context = await Server.handle_index.__wrapped__(self, request)  # type: ignore[attr-defined]
        context["app_websocket_url"] = f"{context['app_websocket_url']}/{seat}"
        context["application"]["name"] = f"{self.title} · {seat}"
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if len(self.tabs) >= self.sessions:
            raise web.HTTPServiceUnavailable(text=f"all {self.sessions} sessions are in use")
        websocket = web.WebSocketResponse(heartbeat=15)
        width, height = clamp_size(request.query.get("width", 80), request.query.get("height", 24))
        seat = request.path.rsplit("/", 1)[-1]
        tab = TabProcess(
            self.seats.get(seat if seat in SEATS else "", self.seats[""]),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        self.tabs.add(tab)  # counted before the first await, so two tabs at once cannot both take the last seat
        try:
            await websocket.prepare(request)
            await tab.start(width, height)
            await self._read_tab(websocket, tab)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a broken connection must not take the server down
            log.warning("tab closed: %s", error)
        finally:
            await tab.stop()
            self.tabs.discard(tab)
        return websocket

    async def _read_tab(self, websocket: web.WebSocketResponse, tab: TabProcess) -> None:
        """Pass the browser's keys and resizes to the app; ignore messages that are not well formed."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind, data = envelope[0], envelope[1]
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and isinstance(data, str):
                await tab.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await tab.set_terminal_size(*clamp_size(data.get("width"), data.get("height")))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await tab.blur()
            elif kind == "focus":
                await tab.focus()


def full_page(title: str, sessions: int) -> str:
    """The page a browser gets when every seat is taken."""
    name = html.escape(title)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{name}: full</title></head><body style='font-family: sans-serif; margin: 3em'>"
        f"<h1>All {sessions} seats are taken</h1>"
        f"<p>{name} is open in {sessions} browser tabs already, the most this server allows.</p>"
        "<p>Close a tab you no longer use, then reload this page, or ask whoever started the server to "
        "start it again with a larger <code>--sessions</code>.</p></body></html>"
    )
