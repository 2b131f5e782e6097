"""Replay one scripted call on simulated time and say exactly where and how it failed."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ivr.call.clock import DEFAULT_AT, SimClock
from ivr.call.driver import LiveCall
from ivr.call.engine import DEFAULT_NUMBER, Caller
from ivr.call.events import (
    Answered,
    CallbackOffered,
    CallbackTaken,
    CallEvent,
    NoInput,
    NoMatch,
    PromptPlayed,
    QueueBusy,
    Queued,
    QueuePosition,
    Transferred,
)
from ivr.call.line import Line
from ivr.call.session import Call, CallOver, CallStatus
from ivr.menu.centre_model import Distribution
from ivr.menu.compiled import Menu
from ivr.menu.loader import load_menu
from ivr.replay import model as m
from ivr.replay.scripts import Script, merged
from ivr.source import patterns

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


def caller_of(spec: m.CallerSpec | None) -> Caller:
    """The caller a script describes (defaults for what it leaves out)."""
    return Caller(
        number=(spec.number if spec and spec.number else DEFAULT_NUMBER),
        tier=spec.tier if spec else None,
        language=spec.language if spec else None,
        variables=dict(spec.variables) if spec else {},
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
        self.live: LiveCall = self.line.dial(caller_of(caller_spec))
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


def run_call(script: Script, index: int, cache: MenuCache) -> CallResult:
    """Replay call number ``index`` of ``script``."""
    call_spec = script.file.calls[index]
    driver = _Driver(script, call_spec, cache)
    call = driver.call
    result = CallResult(script, index, call_spec, call.transcript, menu=driver.menu)
    since = 0  # transcript position of the last action: expectations look at what came after it
    for number, step in enumerate(call_spec.steps):
        line, col = script.where("calls", index, "steps", number)
        kind = step.kind
        if kind in ("press", "silence", "hangup"):
            since = len(call.transcript)
            live = driver.live
            try:
                if step.press is not None:
                    if not step.press.barge_in:
                        live.listen()  # a caller hears the prompt to the point of choice, then presses
                    since = len(call.transcript)
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
            except CallOver as exc:
                result.failure = Failure(number, line, col, "early-hang-up", _describe_action(step), str(exc))
                break
            except Exception as exc:  # an engine bug must show as this call's failure, not end the run
                crash = f"{type(exc).__name__}: {exc}"
                result.failure = Failure(number, line, col, "crash", _describe_action(step), crash)
                break
            continue
        if kind == "wait_until":
            assert step.wait_until is not None
            since = len(call.transcript)
            problem = _wait_until(step.wait_until, driver, since)
            if problem is not None:
                result.failure = Failure(number, line, col, "timeout", describe_expectation(step.wait_until), problem)
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
        miss = Failure(number, line, col, "mismatch", expected, problem)
        if step.optional:
            result.optional_misses.append(miss)
            continue
        result.failure = miss
        break
    result.seconds = call.elapsed
    return result


def check(expect: m.Expect, driver: Any, recent: list[CallEvent]) -> str | None:
    """None when every part of ``expect`` holds, else what was seen instead. ``driver`` has the ``call``
    and its ``live`` driver; everything checked is on the call's event stream or its state."""
    call = driver.call
    if expect.node is not None and call.state != expect.node:
        return f"the call is at node {call.state!r}"
    if expect.prompt is not None and not any(_heard(expect.prompt, e) for e in recent if isinstance(e, PromptPlayed)):
        heard = [f"{e.prompt_id}: {e.text!r}" for e in recent if isinstance(e, PromptPlayed)]
        return "prompts heard since the last action: " + ("; ".join(heard) if heard else "none")
    for name, value in (expect.variables or {}).items():
        actual = call.variables.get(name)
        if not _same(actual, value):
            return f"variable {name!r} is {actual!r}"
    if expect.queued is not None:
        problem = _check_queued(expect.queued, driver)
        if problem:
            return problem
    if expect.position is not None:
        place = driver.live.position()
        if place is None:
            return f"the caller is not waiting in a queue ({_status(call)})"
        if not expect.position.holds(place[0]):
            return f"position {place[0]} in the queue"
    if expect.answered is not None:
        answered = next((e for e in call.transcript if isinstance(e, Answered)), None)
        if (answered is not None) != expect.answered:
            return f"{answered.agent} answered" if answered else f"no agent has answered ({_status(call)})"
    if expect.callback_offered is not None:
        offered = any(isinstance(e, CallbackOffered) for e in call.transcript)
        if offered != expect.callback_offered:
            return "a callback was offered" if offered else "no callback was offered"
    if expect.callback_taken is not None:
        taken = any(isinstance(e, CallbackTaken) for e in call.transcript)
        if taken != expect.callback_taken:
            return "the caller took a callback" if taken else "no callback was taken"
    if expect.busy is not None:
        busy = next((e.why for e in call.transcript if isinstance(e, QueueBusy)), None)
        if busy != expect.busy:
            return f"the queue was {busy}" if busy else "no queue turned the caller away"
    if expect.transferred is not None:
        where = next((e.destination for e in call.transcript if isinstance(e, Transferred)), None)
        if where != expect.transferred:
            return f"transferred to {where!r}" if where else f"not transferred ({_status(call)})"
    if expect.hung_up is not None and not (call.status == CallStatus.ENDED and call.end_reason == expect.hung_up):
        return _status(call)
    if expect.ended is not None and (call.status != CallStatus.ACTIVE) != expect.ended:
        return _status(call)
    if expect.no_input is not None and not any(isinstance(e, NoInput) and e.count == expect.no_input for e in recent):
        counts = [e.count for e in recent if isinstance(e, NoInput)]
        return f"no-input counts since the last action: {counts or 'none'}"
    if expect.no_match is not None and not any(isinstance(e, NoMatch) and e.count == expect.no_match for e in recent):
        counts = [e.count for e in recent if isinstance(e, NoMatch)]
        return f"no-match counts since the last action: {counts or 'none'}"
    if expect.within is not None and call.elapsed > expect.within:
        return f"{call.elapsed:g} s have passed"
    return None


def _wait_until(expect: m.WaitUntil, driver: _Driver, since: int) -> str | None:
    """Let the line run, event by event, until ``expect`` holds; None when it did, else the last miss."""
    transcript = driver.call.transcript
    started = driver.line.clock.now()
    held = driver.line.run_until(lambda: check(expect, driver, transcript[since:]) is None, expect.limit)
    if held:
        return None
    problem = check(expect, driver, transcript[since:])
    return f"after {driver.line.clock.now() - started:g} s: {problem}"


def _check_queued(test: m.QueuedTest, driver: _Driver) -> str | None:
    call = driver.call
    queued = [e for e in call.transcript if isinstance(e, Queued)]
    queue = queued[-1].queue if queued else None
    if queue != test.queue:
        return f"queued for {queue!r}" if queue else f"not queued ({_status(call)})"
    if test.position is None and test.wait is None:
        return None
    if driver.line.centre is None:
        return "position and wait need a `centre` section in the menu"
    after = call.transcript[call.transcript.index(queued[-1]) :]
    told = next((e for e in after if isinstance(e, QueuePosition)), None)
    if told is None:  # answered at once, or not yet joined: position 0, no wait
        position, wait = 0, 0.0
    else:
        position, wait = told.position, told.estimated_wait
    if test.position is not None and not test.position.holds(position):
        return f"position {position} when queued"
    if test.wait is not None and not test.wait.holds(wait):
        return f"estimated wait {wait:.0f} s when queued"
    return None


def _heard(test: m.TextTest, event: PromptPlayed) -> bool:
    if test.id is not None and event.prompt_id != test.id:
        return False
    text = event.text
    fold = str.casefold if test.ignore_case else str
    if test.contains is not None and fold(test.contains) not in fold(text):
        return False
    if test.equals is not None and fold(test.equals) != fold(text):
        return False
    return test.matches is None or patterns.search(test.matches, text, test.ignore_case)


def _same(actual: Any, expected: Any) -> bool:
    if expected is None or actual is None:
        return actual is expected
    return str(actual) == str(expected) if not isinstance(expected, bool) else actual == expected


def _status(call: Call) -> str:
    if call.status == CallStatus.ENDED:
        return f"the call ended ({call.end_reason}) at {call.state!r}"
    if call.status == CallStatus.QUEUED:
        return f"the call is queued for {call.queue!r}"
    if call.status == CallStatus.TRANSFERRED:
        return "the call was transferred"
    return f"the call is at node {call.state!r}"


def describe_expectation(expect: m.Expect) -> str:
    """An expectation in words, for failure messages."""
    parts = []
    for name in expect.model_fields_set:
        value = getattr(expect, name)
        if name == "limit":
            continue
        if name == "prompt":
            parts.append(value.describe())
        elif name == "queued":
            text = f"queued for {value.queue!r}"
            if value.position:
                text += f", position {value.position.describe()}"
            if value.wait:
                text += f", wait {value.wait.describe()} s"
            parts.append(text)
        elif name == "position":
            parts.append(f"position {value.describe()}")
        elif name == "within":
            parts.append(f"within {value:g} s")
        else:
            parts.append(f"{name.replace('_', ' ')} {value!r}")
    return "; ".join(sorted(parts))


def _describe_action(step: m.Step) -> str:
    if step.press is not None:
        return f"press {step.press.keys!r}"
    if step.silence == "timeout":
        return "silence until the timeout"
    if step.silence is not None:
        return f"silence {step.silence:g} s"
    return "hang up"
