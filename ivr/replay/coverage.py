"""Which parts of each menu a set of replayed calls exercised."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ivr.call.events import (
    AttemptsExhausted,
    CallEvent,
    KeyPressed,
    LookupAnswered,
    NodeEntered,
    NoInput,
    NoMatch,
)
from ivr.menu.compiled import Menu
from ivr.menu.lookup_model import ANY_INPUT, LookupNode
from ivr.menu.model import MenuNode

KINDS = ("nodes", "options", "answers", "no-input", "no-match", "max-attempts")


@dataclass
class MenuCoverage:
    """Everything that could be exercised in one menu, and what was."""

    menu: Menu
    seen: dict[str, set[str]] = field(default_factory=lambda: {kind: set() for kind in KINDS})
    # each menu node's option keys, read once: a suite adds thousands of calls
    _options: dict[str, frozenset[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        nodes = self.menu.nodes.values()
        self._options = {n.id: frozenset(n.spec.options) for n in nodes if isinstance(n.spec, MenuNode)}

    def possible(self) -> dict[str, set[str]]:
        nodes = self.menu.nodes.values()
        inputs = [n for n in nodes if n.settings is not None and n.kind != "survey"]  # surveys skip, not fail
        return {
            "nodes": {n.id for n in nodes},
            "options": {f"{n.id} {key}" for n in nodes if isinstance(n.spec, MenuNode) for key in n.spec.options},
            # each answer a lookup declares, and an input it has no answer for (unless `*` answers all)
            "answers": {
                f"{n.id} {answer}"
                for n in nodes
                if isinstance(n.spec, LookupNode)
                for answer in [*n.spec.answers, *(["none"] if ANY_INPUT not in n.spec.answers else [])]
            },
            "no-input": {n.id for n in inputs},
            "no-match": {n.id for n in inputs},
            "max-attempts": {n.id for n in inputs},
        }

    def add(self, transcript: Iterable[CallEvent]) -> None:
        options = self._options
        for event in transcript:
            if isinstance(event, NodeEntered):
                self.seen["nodes"].add(event.node)
            elif isinstance(event, KeyPressed) and event.key in options.get(event.node, ()):
                self.seen["options"].add(f"{event.node} {event.key}")
            elif isinstance(event, LookupAnswered):
                self.seen["answers"].add(f"{event.node} {event.answer}")
            elif isinstance(event, NoInput):
                self.seen["no-input"].add(event.node)
            elif isinstance(event, NoMatch):
                self.seen["no-match"].add(event.node)
            elif isinstance(event, AttemptsExhausted):
                self.seen["max-attempts"].add(event.node)

    def summary(self) -> dict[str, tuple[int, int, list[str]]]:
        """kind -> (covered, total, untested items)."""
        result = {}
        for kind, items in self.possible().items():
            covered = self.seen[kind] & items
            result[kind] = (len(covered), len(items), sorted(items - covered))
        return result

    def percent(self) -> float:
        covered = total = 0
        for done, count, _ in self.summary().values():
            covered += done
            total += count
        return 100.0 * covered / total if total else 100.0


def overall(coverages: Iterable[MenuCoverage]) -> float:
    covered = total = 0
    for cov in coverages:
        for done, count, _ in cov.summary().values():
            covered += done
            total += count
    return 100.0 * covered / total if total else 100.0
