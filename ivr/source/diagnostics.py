"""Problems found in a user's file, reported as ``path:line:col: severity: message``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem at one place in one file."""

    path: str
    line: int
    col: int
    message: str
    severity: Severity = "error"
    hint: str | None = None
    rule: str | None = None

    def format(self) -> str:
        """Render as the compiler-style line designers' editors understand."""
        rule = f" [{self.rule}]" if self.rule else ""
        text = f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}{rule}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class IvrError(Exception):
    """A user-facing failure carrying every problem found, never a traceback."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(d.format() for d in self.diagnostics)


@dataclass
class MenuError(IvrError):
    """A menu file could not be loaded. ``centre_file``: the file holds a centre (agents, queues, traffic)
    meant for a menu's `centre:`, not a menu."""

    centre_file: bool = False


def sort_diagnostics(items: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Order by file and position, errors before warnings at the same place."""
    return sorted(items, key=lambda d: (d.path, d.line, d.col, d.severity != "error", d.message))
