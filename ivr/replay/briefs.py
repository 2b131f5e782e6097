"""Caller briefs for role play: who the caller is (a persona), what they want (a goal), what they have at
hand, and the caller data the line sees, read from a ``*.briefs.yaml`` file with problems at ``file:line``.

A trainee playing the caller reads the brief on their phone; the call they make carries the brief's
number, tier, language and variables, as a script's caller would.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, ValidationError

from ivr.call.engine import Caller
from ivr.menu.compiled import Menu
from ivr.replay.model import CallerSpec
from ivr.source.diagnostics import Diagnostic, IvrError
from ivr.source.reader import Source, read_yaml
from ivr.source.validation import Strict, validation_diagnostics

MAX_BRIEFS = 200


class Brief(Strict):
    """One caller to play."""

    name: str = Field(min_length=1, max_length=80, description="what the trainer calls this brief")
    persona: str = Field(min_length=1, max_length=600, description="who the caller is and how they speak")
    goal: str = Field(min_length=1, max_length=600, description="what the caller wants from the call")
    know: dict[str, str | int] = Field(
        default_factory=dict, max_length=20, description="what the caller has at hand: order number, account..."
    )
    caller: CallerSpec | None = Field(None, description="the caller data the line sees (number, tier, language)")

    def to_caller(self) -> Caller:
        """The caller this brief dials as: as a script's `caller:` would (see :func:`caller_of`)."""
        from ivr.replay.runner import caller_of

        return caller_of(self.caller)


class BriefsFile(Strict):
    """A ``*.briefs.yaml`` file: the callers a class plays on one menu."""

    briefs: list[Brief] = Field(min_length=1, max_length=MAX_BRIEFS)


@dataclass(frozen=True)
class Briefs:
    """The briefs of one file, in the order written."""

    path: Path
    briefs: list[Brief]


def load_briefs(path: Path, menu: Menu) -> Briefs:
    """Read and check a briefs file against ``menu``; raise :class:`IvrError` with every problem at
    ``file:line`` (an unknown language, two briefs of one name, a value out of range)."""
    data, source = read_yaml(path)
    try:
        file = BriefsFile.model_validate(data)
    except ValidationError as exc:
        raise IvrError(validation_diagnostics(source, (), exc, data)) from None
    problems = _problems(file, source, menu)
    if problems:
        raise IvrError(problems)
    return Briefs(path, file.briefs)


def _problems(file: BriefsFile, source: Source, menu: Menu) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    first: dict[str, int] = {}
    for index, brief in enumerate(file.briefs):
        where = ("briefs", index)
        if brief.name in first:
            line = source.where(("briefs", first[brief.name], "name"))[0]
            problems.append(source.error((*where, "name"), f"another brief is named {brief.name!r} (line {line})"))
        first.setdefault(brief.name, index)
        language = brief.caller.language if brief.caller is not None else None
        if language is not None and language not in menu.languages:
            problems.append(
                source.error(
                    (*where, "caller", "language"),
                    f"the menu has no language {language!r}",
                    f"use one of: {', '.join(menu.languages)}",
                )
            )
    return problems
