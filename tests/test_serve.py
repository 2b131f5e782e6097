"""`ivr serve`: the simulator in a web browser (headless Chromium), a key press reaching the app."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
import time
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
        browser.get(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 20
        terminal = browser.find_elements(By.CSS_SELECTOR, "textarea.xterm-helper-textarea")
        while not terminal and time.monotonic() < deadline:
            time.sleep(0.2)
            terminal = browser.find_elements(By.CSS_SELECTOR, "textarea.xterm-helper-textarea")
        assert terminal, "the page has no terminal"
        time.sleep(2)  # the app starts in its own process behind the page
        for key in "c13":  # call, English, leave a suggestion: the call is transferred and recorded
            terminal[0].send_keys(key)
            time.sleep(0.7)
        rows: list[tuple[str, str]] = []
        deadline = time.monotonic() + 15
        while not rows and time.monotonic() < deadline:
            time.sleep(0.3)
            if db.exists():
                rows = list(sqlite3.connect(db).execute("SELECT outcome, keys FROM calls"))
        assert rows == [("transferred", "13")]
    finally:
        if browser is not None:
            browser.quit()
        server.terminate()
        server.wait(timeout=10)
