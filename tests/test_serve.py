"""`ivr serve`: the simulator in a web browser (headless Chromium), a key press reaching the app."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromium-driver not installed"),
]
OPEN = ("--at", "2026-11-24T11:00")  # inside the bundled line's opening hours, whenever the tests run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


# Screen updates reach the page as terminal output on a websocket, which xterm.js draws on a canvas: the
# page has no text to wait on. This wraps the page's WebSocket so that what the browser received can be
# read back, and a test waits until the screen has drawn what a person would wait to see.
SEEN = """
window.__ivrSeen = "";
const decoder = new TextDecoder();
const keep = (text) => {  // the text drawn, without the terminal's escape sequences
  window.__ivrSeen = (window.__ivrSeen + text.replace(/\x1b\\[[0-9;?]*[A-Za-z]/g, "")).slice(-20000000);
};
window.__ivrHas = (text, since) => window.__ivrSeen.indexOf(text, since) >= 0;
window.__ivrMark = () => window.__ivrSeen.length;
window.WebSocket = class extends window.WebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      if (typeof event.data !== "string") keep(decoder.decode(event.data, {stream: true}));
    });
  }
};
"""


def until(check: Callable[[], object], what: str, seconds: float = 30) -> None:
    """Poll ``check`` until it holds; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.1)


def test_a_browser_calls_the_line(tmp_path: Path) -> None:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    port = free_port()
    db = tmp_path / "classroom.sqlite3"
    args = ("serve", "menus/customer-service.yaml", *OPEN, "--port", str(port), "--db", str(db))
    server = subprocess.Popen(
        [sys.executable, "-m", "ivr", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    browser = None
    try:
        wait_for_port(port)
        options = Options()
        options.binary_location = CHROMIUM or ""
        for flag in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1400,1000",
        ):
            options.add_argument(flag)
        browser = webdriver.Chrome(service=Service(CHROMEDRIVER or ""), options=options)
        browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SEEN})
        browser.get(f"http://127.0.0.1:{port}")

        def seen(text: str, since: int = 0) -> Callable[[], bool]:
            """``text`` drawn on the page (after the first ``since`` characters it received)."""
            script = "return !!window.__ivrHas && window.__ivrHas(arguments[0], arguments[1])"
            return lambda: bool(browser.execute_script(script, text, since))

        def terminals() -> list[object]:
            return list(browser.find_elements(By.CSS_SELECTOR, "textarea.xterm-helper-textarea"))

        until(terminals, "a terminal on the page")
        terminal = terminals()[0]
        until(seen("Press C to call"), "the app's first screen")  # the app starts in its own process behind the page
        # call, English, each once the caller has heard what to press; then leave a suggestion: the call
        # is transferred and recorded
        for key, heard in (("c", "For English"), ("1", "For a complaint")):
            mark = int(browser.execute_script("return window.__ivrMark()"))
            terminal.send_keys(key)  # type: ignore[attr-defined]
            until(seen(heard, mark), f"the prompt {heard!r} on screen after {key!r}")
        terminal.send_keys("3")  # type: ignore[attr-defined]

        def recorded() -> list[tuple[str, str]]:
            return list(sqlite3.connect(db).execute("SELECT outcome, keys FROM calls")) if db.exists() else []

        until(recorded, "the call in the records")
        assert recorded() == [("transferred", "13")]
    finally:
        if browser is not None:
            browser.quit()
        server.terminate()
        server.wait(timeout=10)
