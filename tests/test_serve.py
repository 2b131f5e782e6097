"""`ivr serve`: the simulator in a web browser (headless Chromium), a key press reaching the app."""

from __future__ import annotations

import contextlib
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


@contextlib.contextmanager
def classroom(tmp_path: Path, *extra: str) -> Iterator[tuple[Any, int, Path]]:
    """`ivr serve` on the bundled line (records in a database under ``tmp_path``) and a headless Chromium
    that keeps what each tab receives (:data:`SEEN`); yields the browser, the port and the database."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    port = free_port()
    db = tmp_path / "classroom.sqlite3"
    args = ("serve", "menus/customer-service.yaml", *OPEN, "--port", str(port), "--db", str(db), *extra)
    server = subprocess.Popen([sys.executable, "-m", "ivr", *args], cwd=ROOT, stdout=subprocess.DEVNULL)
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
            "--disable-background-timer-throttling",  # a tab not in front keeps drawing
            "--disable-renderer-backgrounding",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1400,1000",
        ):
            options.add_argument(flag)
        browser = webdriver.Chrome(service=Service(CHROMEDRIVER or ""), options=options)
        yield browser, port, db
    finally:
        if browser is not None:
            browser.quit()
        server.terminate()
        server.wait(timeout=10)


class Tab:
    """One browser tab on a page of the server, read through what it has received."""

    def __init__(self, browser: Any, url: str, new: bool = False) -> None:
        from selenium.webdriver.common.by import By

        self.browser = browser
        if new:
            browser.switch_to.new_window("tab")
        browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SEEN})  # per tab
        browser.get(url)
        self.handle = browser.current_window_handle
        selector = "textarea.xterm-helper-textarea"
        until(lambda: browser.find_elements(By.CSS_SELECTOR, selector), "a terminal on the page")
        self.terminal = browser.find_elements(By.CSS_SELECTOR, selector)[0]

    def front(self) -> Tab:
        self.browser.switch_to.window(self.handle)
        return self

    def seen(self, text: str, since: int = 0) -> Callable[[], bool]:
        """``text`` drawn on the page (after the first ``since`` characters it received)."""
        script = "return !!window.__ivrHas && window.__ivrHas(arguments[0], arguments[1])"
        return lambda: bool(self.browser.execute_script(script, text, since))

    def mark(self) -> int:
        return int(self.browser.execute_script("return window.__ivrMark()"))

    def type(self, *keys: str) -> None:
        self.terminal.send_keys(*keys)

    def press_when_heard(self, key: str, heard: str, seconds: float = 30) -> None:
        """Press ``key``, then wait until the screen shows ``heard``."""
        since = self.mark()
        self.type(key)
        until(self.seen(heard, since), f"{heard!r} after {key!r}", seconds)


def rows(db: Path, query: str) -> list[tuple[object, ...]]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as connection:
        return list(connection.execute(query))


def test_a_browser_calls_the_line(tmp_path: Path) -> None:
    with classroom(tmp_path) as (browser, port, db):
        tab = Tab(browser, f"http://127.0.0.1:{port}")
        until(tab.seen("Press C to call"), "the app's first screen")  # the app starts in its own process
        # call, English, each once the caller has heard what to press; then leave a suggestion: the call
        # is transferred and recorded
        tab.press_when_heard("c", "For English")
        tab.press_when_heard("1", "For a complaint")
        tab.type("3")
        until(lambda: rows(db, "SELECT outcome, keys FROM calls"), "the call in the records")
        assert rows(db, "SELECT outcome, keys FROM calls") == [("transferred", "13")]


def test_two_seat_role_play_through_to_the_ticket_and_the_survey_in_the_callers_tab(tmp_path: Path) -> None:
    """One tab plays the caller (/caller), another the representative (/representative): the caller's call
    reaches a queue and pops up at the desk; the trainee notes the claim; the caller hears the reference
    and answers the survey in their own tab; the ticket and the answers are stored."""
    from selenium.webdriver.common.keys import Keys

    briefs = ROOT / "briefs" / "customer-service.briefs.yaml"
    with classroom(tmp_path, "--briefs", str(briefs)) as (browser, port, db):
        desk = Tab(browser, f"http://127.0.0.1:{port}/representative")
        until(desk.seen("you are Trainee 1"), "the representative's desk")
        phone = Tab(browser, f"http://127.0.0.1:{port}/caller", new=True)
        until(phone.seen("The late parcel"), "the caller's brief on the phone")
        phone.press_when_heard("c", "For English")
        phone.press_when_heard("1", "For a complaint")
        phone.press_when_heard("2", "status of an order")
        phone.press_when_heard("1", "8-digit order number")
        phone.press_when_heard("12345678", "press 1")  # the order number read back
        phone.press_when_heard("1", "Talking to Trainee 1", 60)  # the orders queue, where the trainee answers

        desk.front()
        until(desk.seen("Incoming call"), "the screen pop at the desk")
        assert desk.seen("order_id = 12345678")()  # what the caller entered in the other tab
        desk.type("parcel is late")
        desk.type(Keys.CONTROL, "s")
        until(desk.seen("noted doubt (resolved) for Caller 1"), "the note kept at the desk")

        phone.front()
        until(phone.seen("Your reference number is T R N"), "the reference read back in the caller's tab", 60)
        # the survey, answered in the caller's tab, each answer once its question has been heard
        for key, question in (("1", "Was your problem solved?"), ("5", "rate our service"), ("5", "How well did")):
            until(phone.seen(question), f"the survey question {question!r}", 60)
            phone.type(key)

        until(lambda: rows(db, "SELECT * FROM survey_answers"), "the survey answers stored", 60)
        tickets = rows(db, "SELECT category, resolved, note, representative FROM tickets")
        assert tickets == [("doubt", 1, "parcel is late", "Trainee 1")]
        answers = dict(rows(db, "SELECT question, answer FROM survey_answers"))
        assert answers == {"resolved": "yes", "service": "5", "representative": "5"}
        assert rows(db, "SELECT caller FROM calls") == [("+923001112223",)]  # the brief's caller
