"""Simulated callers: one policy for how a caller who is not a person walks a menu.

They listen to each prompt to the point of choice (the same pacing as every live call), think, and
press the key the traffic's choice weights pick (uniformly without weights), type valid entries at
digit prompts and confirm them. Background callers on the floor (`ivr simulate`, the TUI) and the
callers of `ivr load` walk this way; the random callers of `ivr fuzz` too, with some mischief
(:data:`FUZZING`): now and then they say nothing, hang up, or press a key that may mean nothing there.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ivr.call.clock import SimClock
from ivr.call.engine import Caller, Engine
from ivr.call.events import CallEvent, KeyPressed, NodeEntered
from ivr.call.pacing import READING, Pacing
from ivr.call.session import ACTIVE, QUEUED, TRANSFERRED, Call
from ivr.contact.participants import Arrival
from ivr.menu.compiled import Menu
from ivr.menu.luhn import luhn_check_digit
from ivr.menu.model import CollectNode, MenuNode, RecordNode, SurveyNode
from ivr.menu.model_types import DTMF_KEYS
from ivr.source import patterns

THINK_SECONDS = 1.0  # a caller's pause, after the prompt, before pressing a key
MAX_STEPS = 200


MESSAGE_SHARE = (0.2, 0.9)  # a message left takes this share of the longest allowed, uniformly


@dataclass(frozen=True, slots=True)
class Mischief:
    """How often a caller strays from the menu's choices, each a share of their turns."""

    silence: float = 0.0  # says nothing until the prompt's timeout
    hang_up: float = 0.0
    stray_key: float = 0.0  # any phone key, whether or not it means something there


BEHAVED = Mischief()
FUZZING = Mischief(silence=0.12, hang_up=0.02, stray_key=0.25)


class CallerPolicy:
    """What a simulated caller does next at the node they are at."""

    def __init__(self, choices: dict[str, dict[str, float]], rng: random.Random, mischief: Mischief = BEHAVED) -> None:
        self.choices = choices
        self.rng = rng
        self.mischief = mischief

    def next_actions(self, call: Call) -> list[str]:
        """Keys to press (one entry's worth at a collect node), or ``["wait"]`` / ``["hangup"]``."""
        mischief = self.mischief
        if mischief is not BEHAVED:
            roll = self.rng.random()
            if roll < mischief.silence:
                return ["wait"]
            if roll < mischief.silence + mischief.hang_up:
                return ["hangup"]
            if roll < mischief.silence + mischief.hang_up + mischief.stray_key:
                return [self.rng.choice(DTMF_KEYS)]
        node = call.node
        spec = node.spec
        match spec:
            case RecordNode():
                return [spec.terminator]  # after the message (see pause_before)
            case CollectNode():
                if call.confirming and spec.confirm is not None:
                    return [spec.confirm.yes]
                return list(valid_entry(spec, self.rng))
        weights = self.choices.get(node.id)
        if weights:
            keys = list(weights)
            return [self.rng.choices(keys, [weights[k] for k in keys])[0]]
        match spec:
            case SurveyNode():
                return [self.rng.choice(sorted(spec.questions[call.question].answers))]
            case MenuNode():
                return [self.rng.choice(sorted(spec.options))]
        if mischief is not BEHAVED:
            return [self.rng.choice(DTMF_KEYS)]  # somewhere with nothing to choose: any key at all
        raise ValueError(f"a caller has nothing to choose at {node.kind} node {node.id!r}")

    def pause_before(self, call: Call) -> float:
        """Seconds between the prompt's end and the caller's action: a moment's thought, or, at a `record`
        node, the message they leave."""
        spec = call.node.spec
        if isinstance(spec, RecordNode):
            return self.rng.uniform(*MESSAGE_SHARE) * spec.max_length
        return THINK_SECONDS


def act(call: Call, actions: list[str], silence: Callable[[], None]) -> None:
    """Do what the policy chose, now: keys one after another, ``silence()`` for a wait, or hang up; stop
    when the call leaves the node it was at."""
    node = call.node
    for action in actions:
        if call.status != ACTIVE or call.node is not node:
            break
        if action == "hangup":
            call.hang_up()
        elif action == "wait":
            silence()
        else:
            call.press(action)


class CallerMix:
    """Who the simulated callers are: each one's tier, language and declared caller data drawn by the
    traffic's `callers:` weights (a fresh default caller when there are none)."""

    def __init__(self, menu: Menu, rng: random.Random) -> None:
        traffic = menu.centre.traffic if menu.centre else None
        self.rng = rng
        self.draws: list[tuple[str, list[Any], list[float]]] = []
        for name, weights in (traffic.callers if traffic else {}).items():
            declared = menu.inputs.get(name)  # values read as their declared type once, not per caller
            values = [declared.parse(v) if declared is not None else v for v in weights]
            self.draws.append((name, values, list(weights.values())))

    def draw(self) -> Caller:
        if not self.draws:
            return Caller()
        picked = {name: self.rng.choices(values, weights)[0] for name, values, weights in self.draws}
        tier, language = picked.pop("tier", None), picked.pop("language", None)
        return Caller(tier=tier, language=language, variables=picked)


class MenuWalker:
    """Background callers that walk the menu by the caller policy, each on a clock of their own."""

    def __init__(
        self, engine: Engine, rng: random.Random, epoch: datetime, pacing: Pacing = READING, choices: Any = None
    ) -> None:
        self.engine = engine
        self.epoch = epoch
        self.pacing = pacing
        traffic = engine.menu.centre.traffic if engine.menu.centre else None
        self.policy = CallerPolicy(choices if choices is not None else (traffic.choices if traffic else {}), rng)
        self.callers = CallerMix(engine.menu, rng)

    def walk(self, t: float) -> Arrival:
        """One caller arriving at ``t``: where they end up and how long the menu took them."""
        path: list[str] = []
        keys: list[str] = []

        def listen(event: CallEvent) -> None:
            if isinstance(event, NodeEntered):
                path.append(event.node)
            elif isinstance(event, KeyPressed):
                keys.append(event.key)

        clock = SimClock(self.epoch + timedelta(seconds=t))
        call = self.engine.start_call(self.callers.draw(), clock, [listen], keep_transcript=False, speech=self.pacing)
        for _ in range(MAX_STEPS):
            if call.status != ACTIVE:
                break
            self._step(call)
        if call.status == ACTIVE:  # still in the menu after its last step: the caller gives up
            call.hang_up()
        call.clock.advance_to(call.settled_at())  # the last prompt is heard out
        call.poll()
        delay = call.elapsed
        data = {
            "path": path,
            "keys": "".join(keys),
            "variables": {k: v for k, v in call.variables.items() if not k.startswith("caller.")},
            "end_reason": call.end_reason,
        }
        if call.status == QUEUED:
            return Arrival(t, call.queue, delay, data)
        outcome = "transferred" if call.status == TRANSFERRED else f"ended: {call.end_reason}"
        return Arrival(t, None, delay, data, outcome)

    def _step(self, call: Call) -> None:
        """One choice: keys are pressed once the prompt is heard out and thought over."""
        actions = self.policy.next_actions(call)
        if actions[0] not in ("wait", "hangup"):
            call.clock.advance_to(call.settled_at() + self.policy.pause_before(call))
            call.poll()
        act(call, actions, call.wait)


def valid_entry(spec: CollectNode, rng: random.Random) -> str:
    """Keys a caller would type at a collect node: the right length, passing its checks, and the
    terminator when the entry is shorter than the most digits allowed."""
    digits = ""
    for _ in range(20):
        digits = "".join(rng.choice("0123456789") for _ in range(spec.min_digits))
        check = spec.validate_
        if check is not None and check.luhn:
            digits = digits[:-1] + luhn_check_digit(digits[:-1])
        if check is None or check.pattern is None or patterns.fullmatch(check.pattern, digits):
            break
    return digits + ("#" if len(digits) < spec.max_digits else "")
