"""The ``--keys`` language of ``ivr call``: ``"1 2 wait 1234#"``.

Tokens, separated by spaces: a run of phone keys (pressed one after another), ``wait`` (stay silent
until the next timeout fires), ``wait:SECONDS`` (stay silent that long, e.g. ``wait:12`` or
``wait:2.5s``) and ``hangup``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ivr.call.session import Call

if TYPE_CHECKING:
    from ivr.call.line import Line

_WAIT = re.compile(r"^wait(?::(\d+(?:\.\d+)?)s?)?$")
_KEYS = re.compile(r"^[0-9*#]+$")


@dataclass(frozen=True, slots=True)
class Step:
    kind: str  # keys, wait, hangup
    keys: str = ""
    seconds: float | None = None


class KeysSyntaxError(ValueError):
    """A ``--keys`` token that is not a key run, wait or hangup."""


def parse_keys(text: str) -> list[Step]:
    """Split a ``--keys`` string into steps; raise :class:`KeysSyntaxError` naming the bad token."""
    steps: list[Step] = []
    for position, token in enumerate(text.split(), start=1):
        lowered = token.lower()
        if _KEYS.match(token):
            steps.append(Step("keys", keys=token))
        elif match := _WAIT.match(lowered):
            steps.append(Step("wait", seconds=float(match.group(1)) if match.group(1) else None))
        elif lowered in ("hangup", "hang-up"):
            steps.append(Step("hangup"))
        else:
            raise KeysSyntaxError(
                f"token {position} {token!r} is not phone keys (0-9 * #), 'wait', 'wait:SECONDS' or 'hangup'"
            )
    return steps


def play_steps(call: Call, steps: list[Step], line: Line | None = None) -> int:
    """Drive ``call`` through ``steps``; return how many keys were left unused because the call was over.

    On a line, time passes on the line (so the floor moves too), and a caller handed to a queue waits
    there until the representative is done before the next step.
    """
    unused = 0
    for step in steps:
        if line is not None and call.status == "queued":
            line.wait_in_queue(call)
        if call.status != "active":
            unused += len(step.keys)
            continue
        if step.kind == "keys":
            for i, key in enumerate(step.keys):
                if line is not None and call.status == "queued":
                    line.wait_in_queue(call)
                if call.status != "active":
                    unused += len(step.keys) - i
                    break
                call.press(key)
        elif step.kind == "wait":
            if line is None:
                call.wait(step.seconds)
            elif step.seconds is not None:
                line.advance(step.seconds)
            elif call.deadline is not None:
                line.advance(max(call.deadline - call.clock.now(), 0.0))
        elif line is not None:
            line.hang_up(call)
        else:
            call.hang_up()
    if line is not None and call.status == "queued":
        line.wait_in_queue(call)
    return unused
