"""Random callers: press keys and stay silent at random, and report what breaks.

Findings: calls that crash the engine, calls that never end even when the caller falls silent, calls the
line drops (dead ends, attempts used up with nowhere to go, loops), and destinations no caller reached.
Each finding comes with the shortest sequence of actions that still reproduces it, written as a script.
"""

from __future__ import annotations

import contextlib
import random
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import yaml

from ivr.call.callers import FUZZING, CallerPolicy
from ivr.call.clock import SimClock
from ivr.call.driver import LiveCall
from ivr.call.engine import Caller
from ivr.call.events import NodeEntered
from ivr.call.line import Line
from ivr.call.session import CallOver, CallStatus
from ivr.menu.compiled import Menu
from ivr.menu.model import BranchNode

DROPPED = ("dead-end", "max-attempts", "loop")
SILENT_ROUNDS = 100  # a silent caller must be out of the menu after this many timeouts

Action = str  # a key, "wait" or "hangup"


@dataclass(frozen=True)
class Setting:
    """Who calls and when: fuzzing varies both, so time and caller branches get explored too."""

    at: datetime
    caller: Caller


@dataclass
class Finding:
    kind: str  # crash, never-ends, dropped
    detail: str
    actions: list[Action]
    node: str
    setting: Setting


class Lines:
    """The one line random calls are dialled on, as every front end dials: prompts take their time, a
    queue is the menu's floor. Each call starts the line afresh at its own moment (as replay does)."""

    def __init__(self, menu: Menu) -> None:
        self.menu = menu
        self._line: Line | None = None

    def dial(self, setting: Setting, listeners: list[Any] | None = None) -> LiveCall:
        clock = SimClock(setting.at)
        if self._line is None:
            self._line = Line(self.menu, clock, seed=0, background=False)
        else:
            self._line.reset(clock)
        return self._line.dial(setting.caller, listeners, keep_transcript=False)


@dataclass
class FuzzReport:
    calls: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    findings: dict[str, Finding] = field(default_factory=dict)  # kind:detail -> shortest finding
    reached: set[str] = field(default_factory=set)
    destinations: set[str] = field(default_factory=set)

    @property
    def unreached(self) -> list[str]:
        return sorted(self.destinations - self.reached)


def fuzz(menu: Menu, calls: int, seed: int, at: datetime, max_actions: int = 60) -> FuzzReport:
    """Run ``calls`` random calls on ``menu``; deterministic for a given seed."""
    lines = Lines(menu)
    rng = random.Random(seed)
    report = FuzzReport(destinations={n.id for n in menu.nodes.values() if n.kind in ("queue", "transfer", "hangup")})
    tiers = [None, *sorted(_caller_values(menu, "caller.tier"))]
    inputs = _input_choices(menu)
    for _ in range(calls):
        # Half the calls at the given time, the rest at any minute of the following week.
        when = at if rng.random() < 0.5 else at + timedelta(minutes=rng.randrange(7 * 24 * 60))
        data = {name: rng.choice(choices) for name, choices in inputs.items()}
        setting = Setting(when, Caller(tier=rng.choice(tiers), variables=data))
        actions = _random_actions(lines, rng, setting, max_actions)
        outcome, finding, entered = replay_actions(lines, actions, setting)
        report.calls += 1
        report.outcomes[outcome] += 1
        report.reached |= entered
        if finding is not None:
            key = f"{finding.kind}:{finding.detail}"
            known = report.findings.get(key)
            if known is None or len(finding.actions) < len(known.actions):
                report.findings[key] = finding
    report.findings = {key: shrink(lines, report.findings[key]) for key in sorted(report.findings)}
    return report


def _input_choices(menu: Menu) -> dict[str, list[Any]]:
    """Per declared caller input, the values random callers bring: its allowed values, else its example
    and every value the menu's branches compare it with (so each case is tried)."""
    choices: dict[str, list[Any]] = {}
    for name, declared in sorted(menu.inputs.items()):
        if declared.values is not None:
            choices[name] = list(declared.values)
            continue
        seen = [declared.sample()]
        for value in sorted(_caller_values(menu, name)):
            try:
                seen.append(declared.parse(value))
            except ValueError:
                continue  # a branch compares it with something it can never be: lint's business
        choices[name] = list(dict.fromkeys(seen))
    return choices


def _caller_values(menu: Menu, variable: str) -> set[str]:
    """Values branch conditions compare ``variable`` with, so random callers can hit each case."""
    found: set[str] = set()

    def walk(cond: Any) -> None:
        if cond.var == variable:
            found.update(str(v) for v in (cond.eq, cond.ne, *(cond.in_ or ())) if v is not None)
        for child in (*(cond.all_ or ()), *(cond.any_ or ()), *((cond.not_,) if cond.not_ else ())):
            walk(child)

    for node in menu.nodes.values():
        if isinstance(node.spec, BranchNode):
            for case in node.spec.cases:
                walk(case.when)
    return found


def _random_actions(lines: Lines, rng: random.Random, setting: Setting, limit: int) -> list[Action]:
    """Actions chosen while calling, by the simulated callers' own policy with mischief (so that most keys
    mean something where they are pressed, and some do not)."""
    live = lines.dial(setting)
    call = live.call
    policy = CallerPolicy({}, rng, FUZZING)
    actions: list[Action] = []
    while call.status == CallStatus.ACTIVE and len(actions) < limit:
        choice = policy.next_actions(call)
        for action in choice:
            actions.append(action)
            try:
                _act(live, action)
            except Exception:
                return actions
            if call.status != CallStatus.ACTIVE:
                break
    return actions


def _act(live: LiveCall, action: Action) -> None:
    if action == "wait":
        live.wait_for_timeout()
    elif action == "hangup":
        live.hang_up()
    else:
        live.press(action)


def replay_actions(lines: Lines, actions: list[Action], setting: Setting) -> tuple[str, Finding | None, set[str]]:
    """Run ``actions``, then stay silent; return the outcome, any finding, and the nodes entered."""
    entered: set[str] = set()

    def listen(event: Any) -> None:
        if isinstance(event, NodeEntered):
            entered.add(event.node)

    try:
        live = lines.dial(setting, [listen])
        call = live.call
        for action in actions:
            if call.status != CallStatus.ACTIVE:
                break
            try:
                _act(live, action)
            except CallOver:
                break
        for _ in range(SILENT_ROUNDS):
            if call.status != CallStatus.ACTIVE:
                break
            live.wait_for_timeout()
        settled = None  # what the line still has to say (the busy message, the goodbye after it) is heard out
        for _ in range(SILENT_ROUNDS):
            if call.settled_at() == settled:
                break
            settled = call.settled_at()
            live.listen()
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        detail = f"{type(exc).__name__}: {exc} ({where.filename.rsplit('/', 1)[-1]}:{where.lineno})"
        return "crash", Finding("crash", detail, actions, "?", setting), entered
    if call.status == CallStatus.ACTIVE:
        return (
            "never ends",
            Finding("never-ends", "a silent caller is never let go", actions, call.state, setting),
            entered,
        )
    if call.status == CallStatus.QUEUED:
        return f"queued: {call.queue}", None, entered
    if call.status == CallStatus.TRANSFERRED:
        return "transferred", None, entered
    reason = call.end_reason or "?"
    if reason in DROPPED:
        finding = Finding("dropped", f"{reason} at {call.state}", actions, call.state, setting)
        return f"dropped: {reason}", finding, entered
    return f"hung up: {reason}", None, entered


def shrink(lines: Lines, finding: Finding, budget: int = 400) -> Finding:
    """The shortest action list that still gives the same finding (greedy delta debugging)."""
    best = finding.actions
    chunk = max(1, len(best) // 2)
    while chunk >= 1 and budget > 0:
        i = 0
        changed = False
        while i < len(best) and budget > 0:
            candidate = best[:i] + best[i + chunk :]
            budget -= 1
            _, again, _ = replay_actions(lines, candidate, finding.setting)
            if again is not None and again.kind == finding.kind and again.detail == finding.detail:
                best, changed = candidate, True
            else:
                i += chunk
        if not changed:
            chunk //= 2
    return Finding(finding.kind, finding.detail, best, finding.node, finding.setting)


def reproducer(lines: Lines, finding: Finding, menu_path: str, name: str) -> str:
    """A call script that replays the finding and fails until the menu is fixed."""
    setting = finding.setting
    live = lines.dial(setting)
    call, clock = live.call, live.line.clock
    steps: list[Any] = []
    for action in finding.actions:
        if call.status != CallStatus.ACTIVE:
            break
        before = clock.now()
        with contextlib.suppress(Exception):  # the crash being reproduced
            _act(live, action)
        if action == "wait":
            steps.append({"silence": round(clock.now() - before, 3)})
        elif action == "hangup":
            steps.append("hangup")
        elif steps and isinstance(steps[-1], dict) and "press" in steps[-1]:
            steps[-1]["press"] += action  # consecutive keys read better as one press
        else:
            steps.append({"press": action})
    if finding.kind == "dropped":
        steps.append({"not": {"hung_up": finding.detail.split(" at ")[0]}})
    elif finding.kind == "never-ends":
        steps.append({"silence": 3600})
        steps.append({"expect": {"ended": True}})
    local = setting.at.astimezone(lines.menu.timezone)
    defaults: dict[str, Any] = {"world": {"at": local.strftime("%Y-%m-%dT%H:%M")}}
    caller: dict[str, Any] = {}
    if setting.caller.tier is not None:
        caller["tier"] = setting.caller.tier
    if setting.caller.variables:
        caller["variables"] = dict(setting.caller.variables)
    if caller:
        defaults["caller"] = caller
    document = {
        "menu": menu_path,
        "defaults": defaults,
        "calls": [{"name": name, "steps": steps}],
    }
    header = f"# Found by `ivr fuzz`: {finding.kind}, {finding.detail}. Fails until the menu is fixed.\n"
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)
