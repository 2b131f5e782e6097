"""The state of one menu being loaded, and the reporting of validation errors that every step shares."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ivr.menu.compiled import CompiledNode, Edge, Text
from ivr.menu.conditions import Hours
from ivr.menu.model import NODE_TYPES, MenuFile, QueueMessages
from ivr.menu.recordings import Recording
from ivr.source.diagnostics import Diagnostic
from ivr.source.reader import Loc, Source
from ivr.source.validation import validation_diagnostics


@dataclass(frozen=True)
class Scope:
    """One loaded file: where its node ids live and what it inherits."""

    source: Source
    folder: Path
    prefix: str
    languages: tuple[str, ...]
    defaults: dict[str, Any]  # effective defaults with absolute node ids
    parent_next: str | None  # where this file's `return` nodes go

    def absolute(self, local: str) -> str:
        return self.prefix + local


class LoaderState:
    """What loading has found so far: nodes, edges, queues, calendars and every problem."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root_folder = self.root.parent
        self.problems: list[Diagnostic] = []
        self.nodes: dict[str, CompiledNode] = {}
        self.edges: dict[str, list[Edge]] = {}
        self.queues: dict[str, Any] = {}
        self.queue_sources: dict[str, str] = {}
        self.includes = 0  # sub-menu files read, counting each inclusion
        self.too_big = False
        self.sources: list[Source] = []
        self.hours: dict[str, Hours] = {}
        self.holidays: set[date] = set()
        self.root_file: MenuFile | None = None
        self.root_is_centre = False  # the file given holds a centre, not a menu (see is_centre_data)
        self.pending_refs: list[tuple[Source, Loc, str, str]] = []  # queue/schedule names checked at the end
        self.declared: set[str] = set()  # every node id written, those with errors of their own included
        self.centre_at: tuple[Source, Loc] | None = None  # where the centre is written, when in its own file
        self.centre_queues: dict[str, Source] = {}  # queues declared in the centre file, and that file
        self.parameters: dict[Path, dict[str, Any]] = {}  # sub-menu file -> its declared parameters
        self.recordings: dict[str, dict[str, Recording]] = {}  # node -> language ("" for all) -> recording

    def _report(
        self, source: Source, base: Loc, exc: ValidationError, model: type[BaseModel] | None, raw: Any = None
    ) -> None:
        self.problems.extend(
            validation_diagnostics(source, base, exc, raw, lambda err: _suggest_field(err, model, raw), NODE_TYPES)
        )


def _merged(base: BaseModel, override: BaseModel | None) -> BaseModel:
    if override is None:
        return base
    return base.model_copy(update={name: getattr(override, name) for name in override.model_fields_set})


def _texts(model: BaseModel) -> Iterator[tuple[tuple[str | int, ...], Text]]:
    # A model's fields are in its __dict__: reading them there skips pydantic's __getattr__, which is slow
    # for the names a model does not have (most of these, on most nodes).
    fields = model.__dict__
    for name in ("prompt", "short_prompt", "help", "invalid_prompt", "exhausted_prompt", "intro", "thanks"):
        value = fields.get(name)
        if value is not None:
            yield (name,), value
    for target, text in (fields.get("exhausted_prompts") or {}).items():
        yield ("exhausted_prompts", target), text
    confirm = fields.get("confirm")
    if confirm is not None:
        yield ("confirm", "prompt"), confirm.prompt
    messages = fields.get("messages")
    if isinstance(messages, QueueMessages):
        for name in QueueMessages.model_fields:
            if (text := getattr(messages, name)) is not None:
                yield ("messages", name), text
    reprompts = fields.get("reprompts")
    if reprompts is not None:
        for kind in ("no_input", "no_match"):
            for i, text in enumerate(getattr(reprompts, kind) or ()):
                yield ("reprompts", kind, i), text


def _suggest_field(err: Any, model: type[BaseModel] | None, raw: Any) -> str | None:
    loc = err["loc"]
    name = str(loc[-1])
    fields: set[str] = set()
    target: Any = model
    if target is None and isinstance(raw, dict) and raw.get("type") in NODE_TYPES:
        target = _node_models()[raw["type"]]
    if target is not None and len(loc) <= 2:
        fields = {f.alias or n for n, f in target.model_fields.items()}
    close = difflib.get_close_matches(name, sorted(fields), n=1)
    return f"did you mean {close[0]!r}?" if close else None


def _node_models() -> dict[str, type[BaseModel]]:
    from ivr.menu import model as m

    return {
        cls.model_fields["type"].annotation.__args__[0]: cls  # type: ignore[union-attr]
        for cls in (
            m.MenuNode,
            m.CollectNode,
            m.MessageNode,
            m.BranchNode,
            m.QueueNode,
            m.TransferNode,
            m.HangupNode,
            m.SubmenuNode,
            m.ReturnNode,
            m.SurveyNode,
        )
    }
