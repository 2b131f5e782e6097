"""The ``--keys`` language of ``ivr call``: ``"1 2 wait 1234#"``.

Tokens, separated by spaces: a run of phone keys (pressed one after another), ``wait`` (stay silent
until the next timeout fires), ``wait:SECONDS`` (stay silent that long, e.g. ``wait:12`` or
``wait:2.5s``) and ``hangup``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ivr.call.driver import LiveCall
from ivr.call.events import KeyNotUsed
from ivr.call.session import ACTIVE

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


QUEUE_LIMIT = 4 * 3600.0  # the longest a --keys caller waits in a queue for their turn


def wait_for_turn(live: LiveCall) -> None:
    """While on hold, wait until the line asks something of the caller again: the representative is done
    (the call goes on), a callback is offered, or the call is over."""
    live.line.run_until(lambda: not live.on_hold or live.callback_open, QUEUE_LIMIT)


def stay_on_the_line(live: LiveCall) -> None:
    """The caller lets a callback offer pass and waits on for their turn (or for another offer)."""
    live.decline_callback()
    wait_for_turn(live)


def play_steps(live: LiveCall, steps: list[Step]) -> int:
    """Drive ``live`` through ``steps``; return how many keys went unused (the call was over, or the key
    meant nothing where it was pressed).

    Like a caller, each run of keys is pressed once the prompt has been heard out (the keys of a run one
    after another); on hold the caller waits for their turn, or for a callback offer to answer.
    """
    unused = 0
    for step in steps:
        if live.on_hold and step.kind != "hangup":
            wait_for_turn(live)
        if step.kind == "keys":
            for i, key in enumerate(step.keys):
                if live.on_hold and not live.callback_open:
                    wait_for_turn(live)
                if live.status != ACTIVE and not live.on_hold:
                    unused += len(step.keys) - i
                    break
                if i == 0:
                    live.listen()
                before = len(live.call.transcript)
                live.press(key)
                unused += any(isinstance(e, KeyNotUsed) for e in live.call.transcript[before:])
        elif live.status != ACTIVE and not live.on_hold:
            continue
        elif step.kind == "wait":
            if step.seconds is not None:
                live.silence(step.seconds)
            else:
                live.wait_for_timeout()
        else:
            live.hang_up()
    if live.on_hold:
        wait_for_turn(live)
    while live.on_hold and live.callback_open:  # offered but not taken: the caller stays on the line
        stay_on_the_line(live)
    live.listen()
    return unused
