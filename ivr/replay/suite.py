"""Run many scripts: find them, select with -k, replay every call, gather coverage."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ivr.replay.coverage import MenuCoverage
from ivr.replay.runner import CallResult, MenuCache, run_call, unknown_teams
from ivr.replay.scripts import Script, find_scripts, load_script
from ivr.source.diagnostics import Diagnostic, IvrError


@dataclass
class SuiteResult:
    results: list[CallResult] = field(default_factory=list)
    invalid: list[Diagnostic] = field(default_factory=list)
    coverage: dict[Path, MenuCoverage] = field(default_factory=dict)
    deselected: int = 0
    skipped: list[str] = field(default_factory=list)  # calls marked `skip`


def script_problems(script: Script, menu: object) -> list[Diagnostic]:
    """Every name the script uses that ``menu`` does not have."""
    return [*_world_problems(script, menu), *_name_problems(script, menu), *_input_problems(script, menu)]


def load_checked(path: Path, cache: MenuCache, root: Path | None = None) -> Script:
    """The one script loader of `ivr replay` and the pytest plugin: the file, its menu, and every name the
    script uses checked against that menu (queues, teams, languages, nodes, prompt ids, markers), so a
    script that cannot run is refused at load with its `file:line` problems (exit 2), never mid-call."""
    script = load_script(path, root)
    menu = cache.menu(script.menu_path)
    problems = script_problems(script, menu)
    if problems:
        raise IvrError(problems)
    return script


def run_suite(paths: list[Path], keyword: str | None = None, root: Path | None = None) -> SuiteResult:
    """Replay every call of every script under ``paths`` whose id matches ``keyword`` (menus under
    ``root``: see :func:`ivr.replay.scripts.menu_roots`)."""
    suite = SuiteResult()
    files, missing = find_scripts(paths)
    suite.invalid.extend(missing)
    cache = MenuCache()
    select = keyword_matcher(keyword) if keyword else None
    for path in files:
        try:
            script = load_checked(path, cache, root)
        except IvrError as exc:
            suite.invalid.extend(exc.diagnostics)
            continue
        coverage = suite.coverage.setdefault(script.menu_path, MenuCoverage(cache.menu(script.menu_path)))
        for index, call in enumerate(script.file.calls):
            if select is not None and not select(f"{script.shown}::{call.name}"):
                suite.deselected += 1
                continue
            if "skip" in call.markers:  # as pytest would: said, not run
                suite.skipped.append(f"{script.shown}::{call.name}")
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
                    problems.append(script.error((*loc, part, queue), f"unknown queue {queue!r}"))
        for team in unknown_teams(menu, world.agents):
            problems.append(script.error((*loc, "agents", team), f"unknown agent team {team!r}"))
        for node_id, answer in world.lookups.items():
            problems += _lookup_problems(script, menu, (*loc, "lookups", node_id), node_id, answer.goto)
    return problems


def _lookup_problems(
    script: Script, menu: Any, where: tuple[str | int, ...], node_id: str, goto: str | None
) -> list[Diagnostic]:
    """A script's answer for a lookup must name a lookup node of the menu, and go one of its ways out."""
    node = menu.nodes.get(node_id)
    if node is None or node.kind != "lookup":
        lookups = sorted(n.id for n in menu.nodes.values() if n.kind == "lookup")
        hint = f"the menu's lookup nodes: {', '.join(lookups)}" if lookups else "the menu has no lookup nodes"
        return [script.error(where, f"{node_id!r} is not a lookup node of the menu", hint)]
    ways = sorted({edge.target for edge in menu.edges[node_id] if edge.kind != "back"})
    if goto is not None and goto not in ways:
        return [
            script.error(
                (*where, "goto"),
                f"{node_id!r} cannot go to {goto!r}: its answers lead to {', '.join(ways) or 'nowhere'}",
                "a script answers in the service's place; where each answer goes is the menu's design",
            )
        ]
    return []


def _input_problems(script: Script, menu: object) -> list[Diagnostic]:
    """When the menu declares its caller data (`inputs:`), a script's `caller.variables` must be of it."""
    from ivr.menu.compiled import Menu

    assert isinstance(menu, Menu)
    if not menu.inputs:
        return []
    problems = []
    callers = [("defaults", "caller", script.file.defaults.caller)]
    callers += [("calls", i, "caller", c.caller) for i, c in enumerate(script.file.calls)]  # type: ignore[misc]
    for *loc, caller in callers:
        for name, value in (caller.variables if caller is not None else {}).items():
            declared = menu.inputs.get(name)
            where = (*loc, "variables", name)
            if declared is None:
                hint = f"the menu's `inputs:` are {', '.join(sorted(menu.inputs))}"
                problems.append(script.error(where, f"{name!r} is not caller data the menu declares", hint))
                continue
            try:
                declared.parse(value)
            except ValueError as exc:
                problems.append(script.error(where, f"{name!r}: {exc}", f"declared as {declared.type}"))
    return problems


_PROMPT_ROLE = re.compile(
    r"^(prompt|short_prompt|help|invalid|confirm|exhausted|intro|thanks|no_input\.\d+|no_match\.\d+|question\.\w+"
    r"|queue\.(joined|announce|comfort|callback_offer|callback_taken|full|unstaffed))$"
)
_MARKER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _name_problems(script: Script, menu: object) -> list[Diagnostic]:
    """Languages, markers, and the nodes, queues and prompt ids that expectations name, against the menu."""
    from ivr.menu.compiled import Menu

    assert isinstance(menu, Menu)
    problems = []
    callers = [("defaults", "caller", script.file.defaults.caller)]
    callers += [("calls", i, "caller", c.caller) for i, c in enumerate(script.file.calls)]  # type: ignore[misc]
    for *loc, caller in callers:
        if caller is not None and caller.language is not None and caller.language not in menu.languages:
            problems.append(
                script.error(
                    (*loc, "language"),
                    f"language {caller.language!r} is not one of the menu's: {', '.join(menu.languages)}",
                )
            )
    for index, call in enumerate(script.file.calls):
        for position, marker in enumerate(call.markers):
            if not _MARKER.match(marker):
                problems.append(
                    script.error(
                        ("calls", index, "markers", position), f"marker {marker!r} is not a name such as slow or smoke"
                    )
                )
        for number, step in enumerate(call.steps):
            for kind in ("expect", "not", "wait_until"):
                expect = getattr(step, "not_" if kind == "not" else kind)
                if expect is not None:
                    where = ("calls", index, "steps", number, kind)
                    problems += _expect_names(script, menu, expect, where)
    return problems


def _expect_names(script: Script, menu: Any, expect: Any, where: tuple[str | int, ...]) -> list[Diagnostic]:
    problems = []
    if expect.looked_up is not None:
        problems += _lookup_problems(script, menu, (*where, "looked_up"), expect.looked_up, None)
    if expect.node is not None and expect.node not in menu.nodes:
        problems.append(script.error((*where, "node"), f"unknown node {expect.node!r}", _near(expect.node, menu.nodes)))
    if expect.queued is not None and expect.queued.queue not in menu.queues:
        problems.append(script.error((*where, "queued"), f"unknown queue {expect.queued.queue!r}"))
    prompt_id = expect.prompt.id if expect.prompt is not None else None
    if prompt_id is not None:
        node, _, role = prompt_id.partition(".")
        if node not in menu.nodes or not _PROMPT_ROLE.match(role):
            problems.append(
                script.error(
                    (*where, "prompt"),
                    f"prompt id {prompt_id!r} names no prompt of the menu",
                    "prompt ids are NODE.ROLE, e.g. main.prompt, main.no_input.1, order.confirm, agent.queue.joined",
                )
            )
    return problems


def _near(name: str, known: Any) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else None


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
