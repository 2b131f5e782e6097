"""Replay one scripted call on simulated time and say exactly where and how it failed."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ivr.call.clock import DEFAULT_AT, SimClock
from ivr.call.driver import LiveCall
from ivr.call.engine import DEFAULT_NUMBER, Caller
from ivr.call.events import (
    CallEvent,
)
from ivr.call.line import Line
from ivr.call.session import CallOver
from ivr.menu.centre_model import Distribution
from ivr.menu.compiled import Menu
from ivr.menu.loader import load_menu
from ivr.replay import model as m
from ivr.replay.expectations import check, describe_expectation
from ivr.replay.scripts import Script, merged

CACHED_LINES = 64  # staged lines kept, one per menu and world


@dataclass
class Failure:
    """Why a call failed: which step, what was expected, what happened."""

    step: int  # 0-based index into the call's steps
    line: int
    col: int
    cause: str  # mismatch, unexpected, early-hang-up
    expected: str
    actual: str


@dataclass
class CallResult:
    script: Script
    index: int
    call: m.CallScript
    transcript: list[CallEvent]
    failure: Failure | None = None
    optional_misses: list[Failure] = field(default_factory=list)
    seconds: float = 0.0  # simulated length of the call
    wall_seconds: float = 0.0  # how long replaying it took
    menu: Menu | None = None

    @property
    def passed(self) -> bool:
        return self.failure is None

    @property
    def id(self) -> str:
        return f"{self.script.shown}::{self.call.name}"


class MenuCache:
    """Each menu file is loaded (and its machine built) once per run."""

    def __init__(self) -> None:
        self._menus: dict[Path, Menu] = {}
        self._lines: dict[tuple[Path, str], Line] = {}

    def menu(self, path: Path) -> Menu:
        if path not in self._menus:
            self._menus[path] = load_menu(path)
        return self._menus[path]

    def line(self, path: Path, world: m.World | None) -> Line:
        """A line staged for ``world``: built once per menu and world, then reset for each call."""
        key = (path, world.model_dump_json() if world is not None else "")
        line = self._lines.pop(key, None)
        line = stage(self.menu(path), world, line=line)
        self._lines[key] = line
        while len(self._lines) > CACHED_LINES:
            del self._lines[next(iter(self._lines))]
        return line


def caller_of(spec: m.CallerSpec | None, world: m.World | None = None) -> Caller:
    """The caller a script describes (defaults for what it leaves out), with the answers the world's
    services give on the call."""
    return Caller(
        number=(spec.number if spec and spec.number else DEFAULT_NUMBER),
        tier=spec.tier if spec else None,
        language=spec.language if spec else None,
        variables=dict(spec.variables) if spec else {},
        lookups=dict(world.lookups) if world is not None else {},
    )


def stage(menu: Menu, world: m.World | None, listeners: list[Any] | None = None, line: Line | None = None) -> Line:
    """The line a script's call is made on: the world's time, staffing, handle times and waiting callers,
    with no background traffic so that replays are exact. ``line``, staged before for the same world, is
    reset instead of built again."""
    clock = SimClock(world_start(menu, world))
    if line is None:
        line = Line(with_world(menu, world), clock, seed=0, background=False, centre_listeners=listeners)
    else:
        line.reset(clock)
    if line.centre is not None and world is not None:
        for queue, count in world.waiting.items():
            for _ in range(count):
                line.centre.enqueue(queue, live=False)
    return line


def world_start(menu: Menu, world: m.World | None) -> datetime:
    """When the world's call starts: ``at`` in the menu's time zone (an offset written with it is honoured)."""
    at = world.at if world and world.at else DEFAULT_AT
    if at.tzinfo is not None:
        return at.astimezone(menu.timezone)
    return at.replace(tzinfo=menu.timezone)


class _Driver:
    """One scripted call in progress, dialled on its own line."""

    def __init__(self, script: Script, call: m.CallScript, cache: MenuCache) -> None:
        menu = cache.menu(script.menu_path)
        defaults = script.file.defaults
        caller_spec = merged(defaults.caller, call.caller)
        world = merged(defaults.world, call.world)
        assert caller_spec is None or isinstance(caller_spec, m.CallerSpec)
        assert world is None or isinstance(world, m.World)
        self.menu = menu
        self.line = cache.line(script.menu_path, world)
        self.live: LiveCall = self.line.dial(caller_of(caller_spec, world))
        self.call = self.live.call


def with_agents(menu: Menu, counts: dict[str, int]) -> Menu:
    if not counts or menu.centre is None:
        return menu
    teams = [team.model_copy(update={"count": counts.get(team.name, team.count)}) for team in menu.centre.agents]
    teams = [team for team in teams if team.count > 0]
    return dataclasses.replace(menu, centre=menu.centre.model_copy(update={"agents": teams}))


def with_world(menu: Menu, world: m.World | None) -> Menu:
    """``menu`` with the world's staffing and fixed handle times (the machine stays the same one)."""
    if world is None:
        return menu
    menu = with_agents(menu, world.agents)
    if world.handle_time:
        fixed = {
            name: spec.model_copy(update={"handle_time": Distribution(dist="fixed", mean=world.handle_time[name])})
            if name in world.handle_time
            else spec
            for name, spec in menu.queues.items()
        }
        menu = dataclasses.replace(menu, queues=fixed)
    return menu


def unknown_teams(menu: Menu, counts: dict[str, int]) -> list[str]:
    known = {team.name for team in menu.centre.agents} if menu.centre else set()
    return [name for name in counts if name not in known]


def act(live: LiveCall, step: m.Step, heard: Callable[[], None] | None = None) -> None:
    """Do what an action step says, as a caller lives it: keys once the prompt has been heard to the point
    of choice (``heard`` is told then), a silence, or the hang-up."""
    if step.press is not None:
        if not step.press.barge_in:
            live.listen()
        if heard is not None:
            heard()
        for i, key in enumerate(step.press.keys):
            if i and step.press.pacing:
                live.silence(step.press.pacing)
            live.press(key)
    elif step.silence == "timeout":
        live.wait_for_timeout()
    elif step.silence is not None:
        live.silence(step.silence)
    else:
        live.hang_up()


def run_call(script: Script, index: int, cache: MenuCache) -> CallResult:
    """Replay call number ``index`` of ``script``."""
    started = time.perf_counter()
    call_spec = script.file.calls[index]
    driver = _Driver(script, call_spec, cache)
    call = driver.call
    result = CallResult(script, index, call_spec, call.transcript, menu=driver.menu)
    since = 0  # transcript position of the last action: expectations look at what came after it

    def heard() -> None:  # the keys come after the prompt was heard: expectations look from there
        nonlocal since
        since = len(call.transcript)

    for number, step in enumerate(call_spec.steps):
        kind = step.kind
        if kind in ("press", "silence", "hangup"):
            since = len(call.transcript)
            live = driver.live
            try:
                act(live, step, heard)
            except CallOver as exc:
                result.failure = Failure(
                    number,
                    *script.where("calls", index, "steps", number),
                    "early-hang-up",
                    _describe_action(step),
                    str(exc),
                )
                break
            except Exception as exc:  # an engine bug must show as this call's failure, not end the run
                crash = f"{type(exc).__name__}: {exc}"
                result.failure = Failure(
                    number, *script.where("calls", index, "steps", number), "crash", _describe_action(step), crash
                )
                break
            continue
        if kind == "wait_until":
            assert step.wait_until is not None
            since = len(call.transcript)
            problem = _wait_until(step.wait_until, driver, since)
            if problem is not None:
                result.failure = Failure(
                    number,
                    *script.where("calls", index, "steps", number),
                    "timeout",
                    describe_expectation(step.wait_until),
                    problem,
                )
                break
            continue
        expectation = step.expect if step.expect is not None else step.not_
        assert expectation is not None
        driver.live.listen()  # what the line says in answer to the caller's action is heard out first
        problem = check(expectation, driver, call.transcript[since:])
        if kind == "not_":
            problem = None if problem else f"it held: {describe_expectation(expectation)}"
        if problem is None:
            continue
        expected = ("not " if kind == "not_" else "") + describe_expectation(expectation)
        miss = Failure(number, *script.where("calls", index, "steps", number), "mismatch", expected, problem)
        if step.optional:
            result.optional_misses.append(miss)
            continue
        result.failure = miss
        break
    result.seconds = call.elapsed
    result.wall_seconds = time.perf_counter() - started
    return result


def _wait_until(expect: m.WaitUntil, driver: _Driver, since: int) -> str | None:
    """Let the line run, event by event, until ``expect`` holds; None when it did, else the last miss."""
    transcript = driver.call.transcript
    started = driver.line.clock.now()
    held = driver.line.run_until(lambda: check(expect, driver, transcript[since:]) is None, expect.limit)
    if held:
        return None
    problem = check(expect, driver, transcript[since:])
    return f"after {driver.line.clock.now() - started:g} s: {problem}"


def _describe_action(step: m.Step) -> str:
    if step.press is not None:
        return f"press {step.press.keys!r}"
    if step.silence == "timeout":
        return "silence until the timeout"
    if step.silence is not None:
        return f"silence {step.silence:g} s"
    return "hang up"
