"""`ivr serve` under real websocket clients: sizes clamped, a session limit, no folder listing, and every
tab's process ended when its tab closes or the server stops (issue 12)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from ivr.tui.server import MAX_HEIGHT, MAX_WIDTH, TabProcess, clamp_size
from tests.conftest import ROOT
from tests.test_serve import OPEN, free_port, wait_for_port

pytestmark = pytest.mark.slow


def children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is ``pid``, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def environment(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


async def until(check: object, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {check}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    args = ("serve", "menus/customer-service.yaml", *OPEN, "--port", str(port), "--sessions", "2")
    process = subprocess.Popen(
        [sys.executable, "-m", "ivr", *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for_port(port)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_sizes_from_a_browser_are_clamped() -> None:
    assert clamp_size(20000, 20000) == (MAX_WIDTH, MAX_HEIGHT)
    assert clamp_size("-5", 0) == (20, 5)
    assert clamp_size("wide", None) == (80, 24)
    assert clamp_size("1e9", "") == (80, 24)


async def test_a_classroom_server_keeps_its_limits(server: tuple[subprocess.Popen[bytes], int]) -> None:
    process, port = server
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        # a tab asking for a 20000x20000 terminal gets the largest the server allows
        first = await http.ws_connect(f"{base}/ws?width=20000&height=20000")
        await until(lambda: len(children(process.pid)) == 1)
        (tab,) = children(process.pid)
        env = environment(tab)
        assert (env["COLUMNS"], env["ROWS"]) == (str(MAX_WIDTH), str(MAX_HEIGHT))
        # messages that are not well formed are ignored, and the tab still answers
        for junk in ("not json", '["resize"]', '["resize", {"width": "x"}]', "[]", '["stdin", 5]'):
            await first.send_str(junk)
        await first.send_str('["resize", {"width": 1000000000, "height": 1000000000}]')
        await first.send_str('["ping", "still there"]')
        reply = await first.receive(timeout=20)
        while reply.type == aiohttp.WSMsgType.BINARY:  # screen updates come first
            reply = await first.receive(timeout=20)
        assert reply.json() == ["pong", "still there"]
        assert alive(tab)

        second = await http.ws_connect(f"{base}/ws")
        await until(lambda: len(children(process.pid)) == 2)
        # both seats taken: the page says so, and a third websocket is refused
        async with http.get(base) as page:
            assert page.status == 503
            assert "All 2 seats are taken" in await page.text()
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"{base}/ws")
        assert refused.value.status == 503
        assert len(children(process.pid)) == 2

        # the static folder serves its files but does not list itself
        async with http.get(f"{base}/static/") as listing:
            assert listing.status in (403, 404)
        async with http.get(f"{base}/static/js/textual.js") as script:
            assert script.status == 200

        # closing a tab ends its process, and frees its seat
        await first.close()
        await until(lambda: not alive(tab), seconds=10)
        for _ in range(50):  # the seat is given back once the server has finished with the tab's process
            async with http.get(base) as page:
                status = page.status
            if status == 200:
                break
            await asyncio.sleep(0.1)
        assert status == 200
        (other,) = children(process.pid)

        # stopping the server ends every tab's process
        process.send_signal(signal.SIGTERM)
        await until(lambda: process.poll() is not None, seconds=15)
        assert not alive(other)
        await second.close()


async def test_a_tab_that_ignores_quit_and_sigterm_is_killed(tmp_path: Path) -> None:
    started = tmp_path / "started"
    stubborn = (
        "import pathlib, signal, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"pathlib.Path({str(started)!r}).write_text('x')\n"
        "print('__GANGLION__', flush=True)\n"
        "time.sleep(120)\n"
    )

    async def nowhere(_: object) -> None:
        return None

    async def close() -> None:
        return None

    from textual_serve.download_manager import DownloadManager

    tab = TabProcess(
        [sys.executable, "-c", stubborn],
        write_bytes=nowhere,
        write_str=nowhere,
        close=close,
        download_manager=DownloadManager(),
    )
    await tab.start(80, 24)
    await until(started.exists)
    pid = tab.pid
    assert pid is not None and alive(pid)
    begun = time.monotonic()
    await tab.stop()
    assert not alive(pid)
    assert time.monotonic() - begun < 10
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.parametrize("bidi", ["shape", "terminal"])
async def test_a_browser_tab_gets_urdu_shaped_and_in_display_order(tmp_path: Path, bidi: str) -> None:
    """Urdu in the browser was drawn left to right, letter by letter in isolated forms: xterm.js does no
    shaping or bidi. What the tab's app sends the browser is now joined letters in display order (or,
    with --bidi terminal, the text as it is, for a terminal that does its own)."""
    port = free_port()
    args = ("serve", "menus/customer-service.yaml", *OPEN, "--port", str(port), "--bidi", bidi)
    process = subprocess.Popen(
        [sys.executable, "-m", "ivr", *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    shaped = "ﮟﯿﺋﺎﺑﺩ"  # "دبائیں" (press) joined, right to left: how the greeting's Urdu must reach the screen
    try:
        wait_for_port(port)
        async with aiohttp.ClientSession() as http:
            tab = await http.ws_connect(f"http://127.0.0.1:{port}/ws?width=160&height=48")
            sent = bytearray()
            deadline = time.monotonic() + 40
            called = False
            while time.monotonic() < deadline:
                try:
                    message = await tab.receive(timeout=2)
                except TimeoutError:
                    message = None
                if message is not None and message.type == aiohttp.WSMsgType.BINARY:
                    sent += message.data
                text = sent.decode("utf-8", errors="ignore")
                if not called and "Press C to call" in text:
                    await tab.send_str('["stdin", "c"]')
                    called = True
                if shaped in text or (bidi == "terminal" and "دبائیں" in text):
                    break
            text = sent.decode("utf-8", errors="ignore")
            assert called, "the phone never showed"
            if bidi == "shape":
                assert shaped in text and "دبائیں" not in text
            else:
                assert "دبائیں" in text and shaped not in text
            await tab.close()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
