"""Run many scripts: find them, select with -k, replay every call, gather coverage."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ivr.diagnostics import Diagnostic, IvrError
from ivr.replay.coverage import MenuCoverage
from ivr.replay.runner import CallResult, MenuCache, run_call, unknown_teams
from ivr.replay.scripts import Script, find_scripts, load_script


@dataclass
class SuiteResult:
    results: list[CallResult] = field(default_factory=list)
    invalid: list[Diagnostic] = field(default_factory=list)
    coverage: dict[Path, MenuCoverage] = field(default_factory=dict)
    deselected: int = 0


def run_suite(paths: list[Path], keyword: str | None = None) -> SuiteResult:
    """Replay every call of every script under ``paths`` whose id matches ``keyword``."""
    suite = SuiteResult()
    files, missing = find_scripts(paths)
    suite.invalid.extend(missing)
    cache = MenuCache()
    select = keyword_matcher(keyword) if keyword else None
    for path in files:
        try:
            script = load_script(path)
            menu = cache.menu(script.menu_path)
        except IvrError as exc:
            suite.invalid.extend(exc.diagnostics)
            continue
        problems = _world_problems(script, menu)
        if problems:
            suite.invalid.extend(problems)
            continue
        coverage = suite.coverage.setdefault(script.menu_path, MenuCoverage(menu))
        for index, call in enumerate(script.file.calls):
            if select is not None and not select(f"{script.shown}::{call.name}"):
                suite.deselected += 1
                continue
            result = run_call(script, index, cache)
            coverage.add(result.transcript)
            suite.results.append(result)
    return suite


def _world_problems(script: Script, menu: object) -> list[Diagnostic]:
    """Queue and team names in `world:` must exist in the menu."""
    from ivr.menu.compiled import Menu

    assert isinstance(menu, Menu)
    problems = []
    worlds = [("defaults", "world", script.file.defaults.world)]
    worlds += [("calls", i, "world", c.world) for i, c in enumerate(script.file.calls)]  # type: ignore[misc]
    for *loc, world in worlds:
        if world is None:
            continue
        for part in ("waiting", "handle_time"):
            for queue in getattr(world, part):
                if queue not in menu.queues:
                    problems.append(script.source.error((*loc, part, queue), f"unknown queue {queue!r}"))
        for team in unknown_teams(menu, world.agents):
            problems.append(script.source.error((*loc, "agents", team), f"unknown agent team {team!r}"))
    return problems


_TOKEN = re.compile(r"\(|\)|[^\s()]+")


def keyword_matcher(expression: str):  # type: ignore[no-untyped-def]
    """A pytest-style ``-k`` expression: words (matched case-insensitively in the id), and, or, not, ()."""
    tokens = _TOKEN.findall(expression)
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        if position >= len(tokens):
            raise ValueError(f"-k {expression!r} ends too early")
        position += 1
        return tokens[position - 1]

    def chained(word: str, operand, combine):  # type: ignore[no-untyped-def]
        """operand (word operand)*, folded left with ``combine``."""
        left = operand()
        while peek() == word:
            take()
            left = combine(left, operand())
        return left

    def parse_or():  # type: ignore[no-untyped-def]
        return chained("or", parse_and, lambda a, b: lambda s: a(s) or b(s))

    def parse_and():  # type: ignore[no-untyped-def]
        return chained("and", parse_not, lambda a, b: lambda s: a(s) and b(s))

    def parse_not():  # type: ignore[no-untyped-def]
        token = take()
        if token == "not":
            inner = parse_not()
            return lambda s: not inner(s)
        if token == "(":
            inner = parse_or()
            if take() != ")":
                raise ValueError(f"-k {expression!r}: missing ')'")
            return inner
        word = token.casefold()
        return lambda s: word in s.casefold()

    matcher = parse_or()
    if position != len(tokens):
        raise ValueError(f"-k {expression!r}: unexpected {tokens[position]!r}")
    return matcher
