"""Shared helpers: write menu files, run the CLI the way a user does, drive calls."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from ivr.call import Caller, Engine, SimClock
from ivr.call.session import Call
from ivr.menu import load_menu

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
MENUS = ROOT / "menus"


@pytest.fixture
def write_menu(tmp_path: Path) -> Callable[..., Path]:
    """Write YAML (dedented) to a file in a temp folder and return its path."""

    def write(text: str, name: str = "menu.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


def run_ivr(
    *args: str,
    stdin: str | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real `ivr` command in a subprocess and capture what a user would see."""
    return subprocess.run(
        [sys.executable, "-m", "ivr", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb", **(env or {})},
        preexec_fn=preexec_fn,
        timeout=60,
    )


def start(path: Path | str, caller: Caller | None = None, clock: SimClock | None = None) -> Call:
    return Engine(load_menu(path)).start_call(caller, clock)


def said(call: Call) -> list[str]:
    """Every prompt text the caller heard, in order."""
    return [e.text for e in call.transcript if e.name == "prompt_played"]


def toasts(app: object) -> list[str]:
    """The notifications on screen, as a person reads them: the title (if any), then the message."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]  # type: ignore[attr-defined]


def connect_flow(message: dict[str, str]) -> str:
    """An Amazon Connect flow (the 2019-10-30 flow language) that says ``message`` (the parameters of a
    MessageParticipant: a `Text` or a `PromptId`) and hangs up."""
    import json

    say = {
        "Identifier": "say",
        "Type": "MessageParticipant",
        "Parameters": message,
        "Transitions": {"NextAction": "end"},
    }
    end = {"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
    return json.dumps({"Version": "2019-10-30", "StartAction": "say", "Actions": [say, end]})


def names(call: Call) -> list[str]:
    return [e.name for e in call.transcript]


SIMPLE = """
name: simple
start: main
defaults:
  representative: agent
queues:
  billing: {}
  general: {}
nodes:
  main:
    type: menu
    prompt: For billing, press 1. For orders, press 2.
    short_prompt: Billing, press 1. Orders, press 2.
    help: Billing questions, press 1. Order questions, press 2. A person, press 0.
    options:
      "1": { goto: billing, set: { topic: billing } }
      "2": orders
  orders:
    type: menu
    prompt: For order status, press 1.
    options:
      "1": status
  status:
    type: collect
    prompt: Enter your order number, then press hash.
    variable: order_id
    min_digits: 4
    max_digits: 6
    confirm:
      prompt: You entered {order_id|digits}. If correct, press 1. To re-enter, press 2.
    next: bye
  billing:
    type: queue
    queue: billing
  agent:
    type: queue
    queue: general
  bye:
    type: hangup
    prompt: Goodbye.
"""


# The inner loop (`make quick`, `pytest -m "not slow"`) is the logic tested in this process. A test that
# starts a real `ivr` process, drives a whole screen through Pilot, or opens a browser costs a second or
# more; it is marked slow by what it does, so that a new one lands in the whole suite without anyone
# having to remember the marker.
_SLOW_CALLS = ("run_ivr(", ".run_test(", "subprocess.", "webdriver", "pytester.")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    import inspect

    sources: dict[object, str] = {}
    for item in items:
        function = getattr(item, "function", None)
        if function is None or item.get_closest_marker("slow"):
            continue
        if function not in sources:
            try:
                sources[function] = inspect.getsource(function)
            except (OSError, TypeError):
                sources[function] = ""
        if any(call in sources[function] for call in _SLOW_CALLS):
            item.add_marker(pytest.mark.slow)
