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


def test_two_seat_role_play_through_to_the_ticket_and_the_survey_in_the_callers_tab(tmp_path: Path) -> None:
    """One tab plays the caller (/caller), another the representative (/representative): the caller's call
    reaches a queue and pops up at the desk; the trainee notes the claim; the caller hears the reference
    and answers the survey in their own tab; the ticket and the answers are stored."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    port = free_port()
    db = tmp_path / "classroom.sqlite3"
    briefs = ROOT / "briefs" / "customer-service.briefs.yaml"
    args = ("serve", "menus/customer-service.yaml", *OPEN, "--port", str(port), "--db", str(db))
    args += ("--briefs", str(briefs))
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
            "--no-first-run",
            "--disable-background-networking",
            "--disable-background-timer-throttling",  # the tab not in front keeps drawing
            "--disable-renderer-backgrounding",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1400,1000",
        ):
            options.add_argument(flag)
        browser = webdriver.Chrome(service=Service(CHROMEDRIVER or ""), options=options)
        browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SEEN})

        def seen(text: str, since: int = 0) -> Callable[[], bool]:
            script = "return !!window.__ivrHas && window.__ivrHas(arguments[0], arguments[1])"
            return lambda: bool(browser.execute_script(script, text, since))

        def mark() -> int:
            return int(browser.execute_script("return window.__ivrMark()"))

        def terminal() -> Any:
            until(lambda: browser.find_elements(By.CSS_SELECTOR, "textarea.xterm-helper-textarea"), "a terminal")
            return browser.find_elements(By.CSS_SELECTOR, "textarea.xterm-helper-textarea")[0]

        browser.get(f"http://127.0.0.1:{port}/representative")
        desk = browser.current_window_handle
        until(seen("you are Trainee 1"), "the representative's desk")
        browser.switch_to.new_window("tab")
        browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SEEN})  # per tab
        browser.get(f"http://127.0.0.1:{port}/caller")
        caller = browser.current_window_handle
        phone = terminal()
        until(seen("The late parcel"), "the caller's brief on the phone")
        for key, heard in (("c", "For English"), ("1", "For a complaint"), ("2", "status of an order")):
            since = mark()
            phone.send_keys(key)
            until(seen(heard, since), f"{heard!r} after {key!r}")
        since = mark()
        phone.send_keys("1")
        until(seen("8-digit order number", since), "the order number asked for")
        since = mark()
        phone.send_keys("12345678")
        until(seen("press 1", since), "the order number read back")
        phone.send_keys("1")  # confirmed: the order-status queue, where the trainee answers
        until(seen("Talking to Trainee 1", since), "the caller answered by the trainee", 60)

        browser.switch_to.window(desk)
        until(seen("Incoming call"), "the screen pop at the desk")
        assert seen("order_id = 12345678")()  # what the caller entered in the other tab
        desk_terminal = terminal()
        desk_terminal.send_keys("parcel is late")
        desk_terminal.send_keys(Keys.CONTROL, "s")
        until(seen("noted doubt (resolved) for Caller 1"), "the note kept at the desk")

        browser.switch_to.window(caller)
        until(seen("Your reference number is T R N"), "the reference read back in the caller's tab", 60)
        # the survey, answered in the caller's tab, each answer once its question has been heard
        for key, question in (("1", "Was your problem solved?"), ("5", "rate our service"), ("5", "How well did")):
            until(seen(question), f"the survey question {question!r}", 60)
            phone.send_keys(key)

        def rows(query: str) -> list[tuple[object, ...]]:
            if not db.exists():
                return []
            with sqlite3.connect(db) as connection:
                return list(connection.execute(query))

        until(lambda: rows("SELECT * FROM survey_answers"), "the survey answers stored", 60)
        tickets = rows("SELECT category, resolved, note, representative FROM tickets")
        assert tickets == [("doubt", 1, "parcel is late", "Trainee 1")]
        answers = dict(rows("SELECT question, answer FROM survey_answers"))
        assert answers == {"resolved": "yes", "service": "5", "representative": "5"}
        calls = rows("SELECT caller FROM calls")
        assert calls == [("+923001112223",)]  # the brief's caller
    finally:
        if browser is not None:
            browser.quit()
        server.terminate()
        server.wait(timeout=10)
