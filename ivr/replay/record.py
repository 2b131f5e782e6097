"""Record a call as an editable script: what the caller did, and what they heard, as expectations."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from ivr.call.events import CallEvent, HungUp, NoInput, NoMatch, PromptPlayed, Queued, Transferred
from ivr.call.session import Call

EXCERPT = 60


class Recorder:
    """Listens to a call and to the caller's actions; :meth:`script` gives the recorded call."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.steps: list[dict[str, Any]] = []
        self._heard: list[CallEvent] = []  # prompts, no-inputs and no-matches since the last action
        self._call: Call | None = None
        self._queued_at: float | None = None
        self._last_action_at = 0.0

    def attach(self, call: Call) -> None:
        self._call = call
        self._heard = [e for e in call.transcript if isinstance(e, PromptPlayed)]
        self._expect_now()

    def __call__(self, event: CallEvent) -> None:
        if isinstance(event, PromptPlayed | NoInput | NoMatch):
            self._heard.append(event)
        elif isinstance(event, Queued):
            self._queued_at = event.at

    def catch_up(self) -> None:
        """Before an action in an app where time just runs: record the silence that mattered since the
        last action, as the replay will need it (the timeouts that fired, and any wait in a queue)."""
        call = self._call
        if call is None:
            return
        seconds = 0.0
        for event in self._heard:
            if isinstance(event, NoInput):
                node = call.menu.nodes[event.node]
                seconds += node.settings.timeout if node.settings else 0.0
        if self._queued_at is not None and call.status == "queued":
            seconds += max(call.elapsed - max(self._queued_at, self._last_action_at), 0.0)
        if seconds > 0:
            self.stayed_silent(seconds)

    def pressed(self, keys: str) -> None:
        self.steps.append({"press": keys})
        self._expect_now()

    def stayed_silent(self, seconds: float) -> None:
        self.steps.append({"silence": round(seconds, 3)})
        self._expect_now()

    def hung_up(self) -> None:
        self.steps.append("hangup")
        self._expect_now()

    def _expect_now(self) -> None:
        call = self._call
        if call is None:
            return
        self._last_action_at = call.elapsed
        expect: dict[str, Any] = {}
        ending = call.transcript[-1] if call.transcript else None
        if isinstance(ending, Queued):
            expect["queued"] = ending.queue
        elif isinstance(ending, Transferred):
            expect["transferred"] = ending.destination
        elif isinstance(ending, HungUp):
            expect["hung_up"] = ending.reason
        else:
            expect["node"] = call.state
        for event in self._heard:
            if isinstance(event, NoInput | NoMatch):
                expect[event.name] = event.count
        prompts = [e for e in self._heard if isinstance(e, PromptPlayed)]
        if prompts:  # the first thing heard is the line's answer to what the caller did
            expect["prompt"] = {"id": prompts[0].prompt_id, "contains": _excerpt(prompts[0].text)}
        self._heard = []
        self.steps.append({"expect": expect})

    def script(self, menu: Path, output: Path, caller: dict[str, Any], at: datetime) -> str:
        """The YAML text of a one-call script; the menu path is relative to ``output``'s folder."""
        relative = os.path.relpath(menu.resolve(), output.resolve().parent)
        document = {
            "menu": relative,
            "defaults": {"caller": caller, "world": {"at": at.strftime("%Y-%m-%dT%H:%M")}},
            "calls": [{"name": self.name, "steps": self.steps}],
        }
        header = f"# Recorded with `ivr record` on {datetime.now():%Y-%m-%d %H:%M}. Edit freely.\n"
        return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= EXCERPT:
        return text
    cut = text[:EXCERPT].rsplit(" ", 1)[0]
    return cut
