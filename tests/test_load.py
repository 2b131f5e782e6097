"""`ivr load`: its callers are live calls on the one line, living the queue phase a person lives."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_ivr

MENU = """\
version: 1
name: Load line
languages: [en]
start: main
centre:
  agents: [{name: Rep, count: 1, skills: {help: 1}}]
  handle_time: {dist: fixed, mean: 200}
  wrap_up: 0
  patience: {dist: fixed, mean: 150}
queues:
  help:
    announce: {every: 30s}
    callback: {after: 60s, accept_rate: 1.0}
nodes:
  main:
    type: menu
    prompt: {en: Press 1 for help.}
    options:
      "1": {label: help, goto: wait}
  wait:
    type: queue
    queue: help
    after: rate
  rate:
    type: survey
    questions:
      - id: helped
        prompt: {en: Press 1 if we helped.}
        answers: {"1": yes, "2": no}
    next: bye
  bye:
    type: hangup
    prompt: {en: Goodbye.}
"""


def test_load_callers_are_offered_callbacks_on_the_line_and_take_them(tmp_path: Path) -> None:
    menu = tmp_path / "line.yaml"
    menu.write_text(MENU, encoding="utf-8")
    result = run_ivr("load", str(menu), "--callers", "20", "--rate", "1/s", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    outcomes = payload["outcomes"]
    # one representative, 200 s a call: the first caller is answered; everyone after waits, is offered a
    # callback after 60 s (a key choice on the call) and, at accept rate 1, presses the key and hangs up
    assert outcomes == {"answered": 1, "callback": 19}, outcomes
    assert payload["completed"] == 20 and payload["abandoned"] == 0


def test_a_line_that_ends_as_it_is_dialled_ends_every_load_caller(tmp_path: Path) -> None:
    """A menu whose first node hangs up at once, with nothing said: the end came while the call was being
    dialled, before the load's caller knew its call, and `ivr load` waited for it for ever."""
    menu = tmp_path / "instant.yaml"
    menu.write_text(
        "version: 1\nname: instant\nstart: bye\nqueues: { q: {} }\n"
        "centre: { agents: [{ name: A, skills: { q: 1 } }] }\n"
        "nodes:\n  bye: { type: hangup, prompt: false }\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "ivr", "load", str(menu), "--callers", "5", "--rate", "1/s", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outcomes"] == {"ended in menu: completed": 5}
