"""Record a call as an editable script, from its event stream alone: what the caller did, and what they
heard, as expectations. Any call made in the console or the TUI (through the menu, the queue, the
representative and the survey) gives a script that replays green."""

from __future__ import annotations

import math
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from ivr.call.events import (
    Answered,
    CallbackOffered,
    CallEvent,
    HungUp,
    KeyPressed,
    NodeEntered,
    NoInput,
    NoMatch,
    PromptPlayed,
    QueueBusy,
    Queued,
    QueuePosition,
    RepresentativeDone,
    Transferred,
)

EXCERPT = 60
Step = dict[str, Any] | str
_WAITING = (NoInput, QueuePosition, Answered, CallbackOffered)  # the line waited on the caller or the floor


class Recorder:
    """A call listener; :meth:`script` gives the recorded call as a script."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.steps: list[Step] = []
        self.handle_times: dict[str, float] = {}  # queue -> the talk time, so the replay's is the same
        self._since: list[CallEvent] = []  # what happened since the caller last did something
        self._last_action = 0.0
        self._node: str | None = None
        self._queue: str | None = None
        self._over = False
        self._merge_keys = False  # the last step is a press nothing was heard after: the next key joins it

    def __call__(self, event: CallEvent) -> None:
        if self._over:
            return
        if isinstance(event, KeyPressed):
            self._action(event.at)
            self._press(event.key)
            return
        if isinstance(event, HungUp) and event.reason == "caller":
            self._action(event.at)
            self.steps.append("hangup")
            self._over = True
            return
        self._since.append(event)
        if isinstance(event, NodeEntered):
            self._node = event.node
        elif isinstance(event, Queued):
            self._queue = event.queue
        elif isinstance(event, RepresentativeDone) and self._queue is not None:
            self.handle_times[self._queue] = math.ceil(event.talk * 1000) / 1000
        if isinstance(event, HungUp | Transferred):
            self._flush(final=True)
            self._over = True

    # -- building steps ------------------------------------------------------------------------------

    def _press(self, key: str) -> None:
        last = self.steps[-1] if self.steps else None
        if isinstance(last, dict) and "press" in last and self._merge_keys:
            last["press"] += key  # keys typed one after another read better as one press
        else:
            self.steps.append({"press": key})
        self._merge_keys = True

    def _action(self, at: float) -> None:
        """Before an action at ``at``: what the line said in answer to the last one, and how long (or until
        what) the caller waited since."""
        if self._since:
            self._merge_keys = False
            self._flush(final=False, at=at)
        self._last_action = at

    def _flush(self, final: bool, at: float | None = None) -> None:
        events, self._since = self._since, []
        split = next((i for i, e in enumerate(events) if isinstance(e, _WAITING)), len(events))
        response, rest = events[:split], events[split:]
        done = next((i for i, e in enumerate(rest) if isinstance(e, RepresentativeDone)), None)
        if response or not rest:
            self.steps.append({"expect": self._expectation(response, final and not rest)})
        if not rest:
            return
        if any(isinstance(e, Answered) for e in rest):
            self.steps.append({"wait_until": {"answered": True}})
        if done is not None:
            after = rest[done + 1 :]
            heard = next((e for e in after if isinstance(e, PromptPlayed)), None)
            if final:
                self.steps.append({"wait_until": self._ending(after) or {"ended": True}})
            elif heard is not None:  # the representative's reference differs in a replay: match the prompt id
                self.steps.append({"wait_until": {"prompt": {"id": heard.prompt_id}}})
            return
        if any(isinstance(e, Answered) for e in rest):
            return
        if final:
            ending = self._ending(rest) or {"ended": True}
            self.steps.append({"wait_until": ending})
        elif any(isinstance(e, CallbackOffered) for e in rest) and not any(isinstance(e, NoInput) for e in rest):
            self.steps.append({"wait_until": {"callback_offered": True}})
        elif at is not None:
            self.steps.append({"silence": math.ceil((at - self._last_action) * 1000) / 1000})
            counts = [e.count for e in rest if isinstance(e, NoInput)]
            if counts:
                self.steps.append({"expect": {"no_input": counts[-1]}})

    def _expectation(self, events: list[CallEvent], final: bool) -> dict[str, Any]:
        expect: dict[str, Any] = self._ending(events) or {}
        if not expect:
            queued = next((e for e in reversed(events) if isinstance(e, Queued)), None)
            if queued is not None:
                expect["queued"] = queued.queue
            elif self._node is not None and not final:
                expect["node"] = self._node
        for event in events:
            if isinstance(event, NoInput | NoMatch):
                expect[event.name] = event.count
        prompts = [e for e in events if isinstance(e, PromptPlayed)]
        if prompts:  # the first thing heard is the line's answer to what the caller did
            expect["prompt"] = {"id": prompts[0].prompt_id, "contains": _excerpt(prompts[0].text)}
        if not expect:
            expect["ended"] = final
        return expect

    @staticmethod
    def _ending(events: list[CallEvent]) -> dict[str, Any] | None:
        for event in reversed(events):
            if isinstance(event, HungUp):
                return {"hung_up": event.reason}
            if isinstance(event, Transferred):
                return {"transferred": event.destination}
            if isinstance(event, QueueBusy):
                return {"busy": event.why}
        return None

    # -- the script ----------------------------------------------------------------------------------

    def script(self, menu: Path, output: Path, caller: dict[str, Any], at: datetime) -> str:
        """The YAML text of a one-call script; the menu path is relative to ``output``'s folder."""
        steps = list(self.steps)
        if self._since and not self._over:  # saved mid-call: what was heard since the last action
            saved, self.steps = self.steps, []
            self._flush(final=False)
            steps += self.steps
            self.steps = saved
        relative = os.path.relpath(menu.resolve(), output.resolve().parent)
        world: dict[str, Any] = {"at": at.strftime("%Y-%m-%dT%H:%M")}
        if self.handle_times:
            world["handle_time"] = dict(self.handle_times)
        document = {
            "menu": relative,
            "defaults": {"caller": caller, "world": world},
            "calls": [{"name": self.name, "steps": steps or [{"expect": {"ended": False}}]}],
        }
        header = f"# Recorded with `ivr record` on {datetime.now():%Y-%m-%d %H:%M}. Edit freely.\n"
        return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= EXCERPT:
        return text
    cut = text[:EXCERPT].rsplit(" ", 1)[0]
    return cut
