"""The base of every event the core publishes: a time, and a JSON-ready form."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar


@dataclass(slots=True)
class Event:
    at: float  # simulated seconds
    name: ClassVar[str] = "event"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping with the event's name first."""
        return {"event": self.name, **{f.name: getattr(self, f.name) for f in fields(self)}}
