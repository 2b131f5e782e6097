"""A loaded menu: every node of every included file under one id space, with its effective settings
and its outgoing edges. The call engine and the linter both read this, never the raw files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from ivr.menu.centre_model import CentreSpec
from ivr.menu.conditions import Hours
from ivr.menu.model import CallerInput, GlobalKeys, NodeSpec, QueueSpec
from ivr.menu.recordings import Recording
from ivr.source.reader import Loc, Source

Text = dict[str, str]
S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class Settings:
    """What an input node (menu or collect) does about time, failures and global keys."""

    timeout: float
    inter_digit_timeout: float
    max_no_input: int
    max_no_match: int
    max_attempts: int
    no_input_reprompts: tuple[Text, ...]
    no_match_reprompts: tuple[Text, ...]
    keys: GlobalKeys
    representative: str | None
    on_exhausted: str | None
    exhausted_prompt: Text


@dataclass(frozen=True, slots=True)
class Edge:
    """One way out of a node. ``trigger`` names the transition in the call machine."""

    source: str
    target: str
    kind: str  # option, key, next, case, default, exhausted, back
    trigger: str
    label: str
    key: str | None = None  # the phone key that takes it, for options, global keys and back


@dataclass(slots=True)
class CompiledNode:
    id: str
    kind: str
    spec: NodeSpec  # the node's pydantic model, by its kind
    source: Source
    loc: Loc
    settings: Settings | None = None

    def spec_as(self, kind: type[S]) -> S:
        """The node's spec as the model ``kind``, where the node's kind is known (a fault otherwise)."""
        spec = self.spec
        if not isinstance(spec, kind):
            raise TypeError(f"node {self.id!r} is a {self.kind} node, not a {kind.__name__}")
        return spec

    def where(self, *parts: str | int) -> tuple[str, int, int]:
        """File, line and column of this node (or of a field inside it)."""
        line, col = self.source.where((*self.loc, *parts))
        return self.source.path, line, col


@dataclass
class Menu:
    """A validated menu, ready to lint, draw or run."""

    name: str
    path: str
    folder: Path
    languages: list[str]
    start: str
    nodes: dict[str, CompiledNode]
    edges: dict[str, list[Edge]]
    queues: dict[str, QueueSpec]
    variables: dict[str, Any]
    timezone: ZoneInfo
    hours: dict[str, Hours]
    holidays: frozenset[date]
    sources: list[Source]
    lint_disabled: set[str] = field(default_factory=set)
    centre: CentreSpec | None = None
    inputs: dict[str, CallerInput] = field(default_factory=dict)  # declared caller data
    recordings: dict[str, dict[str, Recording]] = field(default_factory=dict)  # node -> language -> `audio:`

    @property
    def is_submenu(self) -> bool:
        """True for a file meant to be included: it has `return` nodes of its own, with nowhere to return."""
        return any(n.kind == "return" and not self.edges[n.id] for n in self.nodes.values())

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def successors(self, node_id: str) -> list[str]:
        return [e.target for e in self.edges.get(node_id, ()) if e.kind != "back"]
