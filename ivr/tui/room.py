"""Two-seat role play under `ivr serve`: the room that pairs callers with representatives across tabs.

Each browser tab is a process of its own, so a trainee playing the caller and a trainee playing the
representative cannot share one app. The call keeps its one owner, the caller's tab (its
:class:`ivr.call.driver.LiveCall`); the room, in the server's process, only carries messages between the
tabs over a Unix socket, one JSON object per line:

- a caller seat says ``queued`` (with the screen pop's card) when its call reaches a queue, ``gone`` when
  the call ends;
- the room answers the caller with ``waiting`` (their place) or ``answered`` (by whom), and offers the
  call to the representative who has waited longest as ``incoming``;
- the representative says ``hold``, ``transfer`` or ``note``, which the room passes to their caller;
- every representative seat is sent the ``roster``: who is seated, talking or free, and who waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CALLER, REPRESENTATIVE = "caller", "representative"
MAX_LINE = 64 * 1024  # bytes in one message; a seat that sends more is disconnected
MAX_SEATS = 400


def encode(message: dict[str, Any]) -> bytes:
    return (json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8")


def decode(line: bytes) -> dict[str, Any] | None:
    """A message from a line, or None when it is not a JSON object with a text ``type``."""
    try:
        message = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return None
    return message


@dataclass(eq=False)
class Seat:
    """One tab in the room."""

    kind: str
    name: str
    writer: asyncio.StreamWriter
    partner: Seat | None = None
    card: dict[str, Any] | None = None  # a caller's screen pop card, while their call waits or talks
    since: float = field(default_factory=time.monotonic)  # when the seat's present state began
    held: bool = False

    def send(self, message: dict[str, Any]) -> None:
        if not self.writer.is_closing():
            self.writer.write(encode(message))

    @property
    def state(self) -> str:
        if self.kind == CALLER:
            return "talking" if self.partner else ("waiting" if self.card else "in the menu")
        if self.partner is None:
            return "available"
        return "on hold" if self.held else "talking"


class Room:
    """Pairs queued calls from caller seats with representative seats, first come, first served."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.seats: list[Seat] = []
        self.waiting: deque[Seat] = deque()
        self.numbers = {CALLER: 0, REPRESENTATIVE: 0}
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_unix_server(self._serve, path=self.path, limit=MAX_LINE)

    async def stop(self) -> None:
        """Stop listening and close every seat (each tab is told the room closed)."""
        if self._server is not None:
            self._server.close()
            for seat in self.seats:
                seat.writer.close()
            if self._tasks:  # each seat's reader sees its end and finishes
                await asyncio.wait(self._tasks, timeout=2)
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seat: Seat | None = None
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        try:
            hello = decode(await reader.readline())
            kind = hello.get("seat") if hello is not None and hello["type"] == "hello" else None
            if kind not in (CALLER, REPRESENTATIVE):
                writer.write(encode({"type": "refused", "why": "say hello as a caller or a representative"}))
                return
            if len(self.seats) >= MAX_SEATS:
                writer.write(encode({"type": "refused", "why": f"the room has its {MAX_SEATS} seats taken"}))
                return
            self.numbers[kind] += 1
            label = "Trainee" if kind == REPRESENTATIVE else "Caller"
            seat = Seat(kind, f"{label} {self.numbers[kind]}", writer)
            self.seats.append(seat)
            seat.send({"type": "welcome", "name": seat.name})
            self._match()
            while line := await reader.readline():
                message = decode(line)
                if message is not None:
                    self.handle(seat, message)
        except (ValueError, ConnectionError):  # a line over MAX_LINE, or the tab went away
            pass
        finally:
            if seat is not None:
                self._leave(seat)
            writer.close()

    # -- what the seats say ----------------------------------------------------------------------------

    def handle(self, seat: Seat, message: dict[str, Any]) -> None:
        kind = message["type"]
        if seat.kind == CALLER:
            if kind == "queued" and isinstance(message.get("card"), dict) and seat.card is None:
                seat.card = message["card"]
                seat.since = time.monotonic()
                self.waiting.append(seat)
                self._match()
            elif kind == "gone":
                self._caller_gone(seat)
        elif seat.partner is not None:
            caller = seat.partner
            if kind == "hold":
                seat.held = bool(message.get("on"))
                caller.send({"type": "hold", "on": seat.held})
                self._roster()
            elif kind == "transfer" and isinstance(message.get("queue"), str):
                caller.send({"type": "transfer", "queue": message["queue"]})
                self._part(seat)
            elif kind == "note":
                caller.send(
                    {
                        "type": "note",
                        "agent": seat.name,
                        "category": str(message.get("category") or "other"),
                        "resolved": bool(message.get("resolved")),
                        "text": str(message.get("text") or "")[:2000],
                    }
                )
                self._part(seat)

    def _caller_gone(self, caller: Seat) -> None:
        if caller in self.waiting:
            self.waiting.remove(caller)
        caller.card = None
        if caller.partner is not None:
            caller.partner.send({"type": "gone", "caller": caller.name})
            self._part(caller.partner)
        else:
            self._match()

    def _part(self, representative: Seat) -> None:
        """The representative is done with their caller: both are free, and the next caller is offered."""
        caller = representative.partner
        representative.partner = None
        representative.held = False
        representative.since = time.monotonic()
        if caller is not None:
            caller.partner = None
            caller.card = None
        self._match()

    def _leave(self, seat: Seat) -> None:
        if seat in self.seats:
            self.seats.remove(seat)
        if seat.kind == CALLER:
            self._caller_gone(seat)
            return
        caller = seat.partner
        if caller is not None:  # the representative's tab closed mid-call: the caller's tab decides what next
            caller.send({"type": "lost", "agent": seat.name})
            caller.partner = None
            caller.card = None
        seat.partner = None
        self._match()

    # -- pairing -------------------------------------------------------------------------------------

    def _match(self) -> None:
        """Offer waiting callers to free representatives, longest idle first; tell the rest their place."""
        free = sorted((s for s in self.seats if s.kind == REPRESENTATIVE and s.partner is None), key=lambda s: s.since)
        while self.waiting and free:
            caller, representative = self.waiting.popleft(), free.pop(0)
            caller.partner, representative.partner = representative, caller
            caller.since = representative.since = time.monotonic()
            representative.send({"type": "incoming", "caller": caller.name, "card": caller.card})
            caller.send({"type": "answered", "agent": representative.name})
        seated = sum(s.kind == REPRESENTATIVE for s in self.seats)
        for place, caller in enumerate(self.waiting, 1):
            caller.send({"type": "waiting", "position": place, "representatives": seated})
        self._roster()

    def _roster(self) -> None:
        now = time.monotonic()
        rows = [
            {"name": s.name, "state": s.state, "for": round(now - s.since), "with": s.partner.name if s.partner else ""}
            for s in self.seats
            if s.kind == REPRESENTATIVE
        ]
        message = {"type": "roster", "representatives": rows, "waiting": len(self.waiting)}
        for seat in self.seats:
            if seat.kind == REPRESENTATIVE:
                seat.send(message)


class SeatLink:
    """A tab's connection to the room: ``run`` it as a task; each message the room sends goes to ``deliver``
    (and ``{"type": "closed"}`` when the room goes away)."""

    def __init__(self, path: str, kind: str, deliver: Callable[[dict[str, Any]], None]) -> None:
        self.path = path
        self.kind = kind
        self.deliver = deliver
        self._writer: asyncio.StreamWriter | None = None
        self._unsent: list[dict[str, Any]] = []

    async def run(self) -> None:
        try:
            reader, writer = await asyncio.open_unix_connection(self.path, limit=MAX_LINE)
        except OSError as exc:
            self.deliver({"type": "closed", "why": f"cannot reach the room at {self.path}: {exc.strerror or exc}"})
            return
        self._writer = writer
        writer.write(encode({"type": "hello", "seat": self.kind}))
        for unsent in self._unsent:
            writer.write(encode(unsent))
        self._unsent.clear()
        try:
            while line := await reader.readline():
                message = decode(line)
                if message is not None:
                    self.deliver(message)
        except (ValueError, ConnectionError):
            pass
        finally:
            writer.close()
            self._writer = None
        self.deliver({"type": "closed", "why": "the server's room closed"})

    def send(self, message: dict[str, Any]) -> None:
        """Send ``message`` now, or as soon as the link is up."""
        if self._writer is None:
            self._unsent.append(message)
        elif not self._writer.is_closing():
            self._writer.write(encode(message))
