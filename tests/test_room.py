"""The room of two-seat role play: callers' queued calls go to representatives in other tabs, first come,
first served, and what the representative does reaches their caller."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from ivr.tui.room import MAX_LINE, Room

CARD = {"number": "+920000000001", "queue": "orders", "journey": ["Chose English"], "collected": {}}


class Tab:
    """A seat's end of the socket, as a tab's app uses it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def sit(cls, room: Room, seat: str) -> Tab:
        reader, writer = await asyncio.open_unix_connection(room.path, limit=MAX_LINE * 2)
        tab = cls(reader, writer)
        tab.say({"type": "hello", "seat": seat})
        return tab

    def say(self, message: dict[str, Any]) -> None:
        self.writer.write((json.dumps(message) + "\n").encode())

    async def heard(self, kind: str) -> dict[str, Any]:
        """The next message of ``kind`` (others, such as the roster, are passed over)."""
        while True:
            line = await asyncio.wait_for(self.reader.readline(), 5)
            assert line, f"the room closed before saying {kind!r}"
            message = json.loads(line)
            if message["type"] == kind:
                return message


async def open_room(tmp_path: Path) -> Room:
    room = Room(str(tmp_path / "room.sock"))
    await room.start()
    return room


async def test_a_queued_caller_goes_to_the_representative_and_hears_what_they_do(tmp_path: Path) -> None:
    room = await open_room(tmp_path)
    try:
        caller = await Tab.sit(room, "caller")
        assert (await caller.heard("welcome"))["name"] == "Caller 1"
        caller.say({"type": "queued", "card": CARD})
        waiting = await caller.heard("waiting")
        assert waiting == {"type": "waiting", "position": 1, "representatives": 0}  # nobody seated yet
        desk = await Tab.sit(room, "representative")
        assert (await desk.heard("welcome"))["name"] == "Trainee 1"
        incoming = await desk.heard("incoming")
        assert incoming["card"] == CARD and incoming["caller"] == "Caller 1"
        assert (await caller.heard("answered"))["agent"] == "Trainee 1"
        roster = await desk.heard("roster")
        assert roster["representatives"][0]["state"] == "talking" and roster["waiting"] == 0
        desk.say({"type": "hold", "on": True})
        assert (await caller.heard("hold"))["on"] is True
        assert (await desk.heard("roster"))["representatives"][0]["state"] == "on hold"
        desk.say({"type": "note", "category": "doubt", "resolved": True, "text": "parcel is late"})
        note = await caller.heard("note")
        assert note == {
            "type": "note",
            "agent": "Trainee 1",
            "category": "doubt",
            "resolved": True,
            "text": "parcel is late",
        }
        roster = await desk.heard("roster")
        assert roster["representatives"][0]["state"] == "available"
    finally:
        await room.stop()


async def test_callers_are_answered_in_the_order_they_queued_and_a_hang_up_leaves_the_queue(tmp_path: Path) -> None:
    room = await open_room(tmp_path)
    try:
        first, second, third = [await Tab.sit(room, "caller") for _ in range(3)]
        for tab in (first, second, third):
            await tab.heard("welcome")
            tab.say({"type": "queued", "card": CARD})
            await tab.heard("waiting")
        second.say({"type": "gone"})  # hung up while waiting: the third moves up
        assert (await third.heard("waiting"))["position"] == 2
        desk = await Tab.sit(room, "representative")
        assert (await desk.heard("incoming"))["caller"] == "Caller 1"
        desk.say({"type": "transfer", "queue": "billing"})
        assert (await first.heard("transfer"))["queue"] == "billing"
        assert (await desk.heard("incoming"))["caller"] == "Caller 3"
        third.writer.close()  # the caller's tab closed mid-conversation: the desk is told
        assert (await desk.heard("gone"))["caller"] == "Caller 3"
    finally:
        await room.stop()


async def test_a_representative_who_leaves_mid_call_is_reported_to_the_caller(tmp_path: Path) -> None:
    room = await open_room(tmp_path)
    try:
        desk = await Tab.sit(room, "representative")
        caller = await Tab.sit(room, "caller")
        caller.say({"type": "queued", "card": CARD})
        await desk.heard("incoming")
        desk.writer.close()
        assert (await caller.heard("lost"))["agent"] == "Trainee 1"
    finally:
        await room.stop()


async def test_nonsense_is_ignored_and_an_endless_line_ends_the_seat(tmp_path: Path) -> None:
    room = await open_room(tmp_path)
    try:
        stranger = await Tab.sit(room, "manager")  # not a seat the room has
        assert (await stranger.heard("refused"))["why"]
        caller = await Tab.sit(room, "caller")
        await caller.heard("welcome")
        for junk in (b"not json\n", b"[1, 2]\n", b'{"type": 3}\n', b'{"type": "note"}\n'):
            caller.writer.write(junk)  # a caller cannot note a claim either
        caller.say({"type": "queued", "card": CARD})
        assert (await caller.heard("waiting"))["position"] == 1  # still served after the junk
        caller.writer.write(b"x" * (MAX_LINE + 10) + b"\n")
        await caller.writer.drain()
        assert await asyncio.wait_for(caller.reader.read(), 5) == b""  # disconnected
        await asyncio.sleep(0.05)
        assert room.seats == [] and not room.waiting
    finally:
        await room.stop()
