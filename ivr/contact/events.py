"""What happens on the representatives' floor, as typed events for the TUI and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ivr.source.event import Event


@dataclass(slots=True)
class CentreEvent(Event):
    """Something that happened on the floor; ``at`` is the shared clock's time."""

    name: ClassVar[str] = "centre_event"


@dataclass(slots=True)
class ContactQueued(CentreEvent):
    contact: int
    queue: str
    position: int
    estimated_wait: float | None  # what the caller is told; None for a background caller, who is told nothing
    live: bool
    name: ClassVar[str] = "contact_queued"


@dataclass(slots=True)
class QueueFull(CentreEvent):
    contact: int
    queue: str
    live: bool
    data: dict[str, Any] = field(default_factory=dict)  # what the menu collected about the caller
    name: ClassVar[str] = "queue_full"


@dataclass(slots=True)
class MenuOutcome(CentreEvent):
    """A background caller finished in the menu without reaching a queue."""

    outcome: str
    data: dict[str, Any] = field(default_factory=dict)
    name: ClassVar[str] = "menu_outcome"


@dataclass(slots=True)
class Announcement(CentreEvent):
    contact: int
    queue: str
    position: int
    estimated_wait: float
    name: ClassVar[str] = "announcement"


@dataclass(slots=True)
class CallbackOffered(CentreEvent):
    contact: int
    queue: str
    estimated_wait: float
    name: ClassVar[str] = "callback_offered"


@dataclass(slots=True)
class CallbackAccepted(CentreEvent):
    contact: int
    queue: str
    name: ClassVar[str] = "callback_accepted"


@dataclass(slots=True)
class Overflowed(CentreEvent):
    contact: int
    queue: str
    to: str
    name: ClassVar[str] = "overflowed"


@dataclass(slots=True)
class ContactAnswered(CentreEvent):
    contact: int
    queue: str
    agent: str
    wait: float
    callback: bool
    live: bool
    name: ClassVar[str] = "contact_answered"


@dataclass(slots=True)
class ContactAbandoned(CentreEvent):
    contact: int
    queue: str
    wait: float
    live: bool
    data: dict[str, Any] = field(default_factory=dict)
    name: ClassVar[str] = "contact_abandoned"


@dataclass(slots=True)
class ContactEnded(CentreEvent):
    contact: int
    queue: str
    agent: str
    reference: str
    resolved: bool
    handle: float
    live: bool
    data: dict[str, Any] = field(default_factory=dict)
    name: ClassVar[str] = "contact_ended"


@dataclass(slots=True)
class AgentStateChanged(CentreEvent):
    agent: str
    state: str  # available, talking, wrap-up, break
    contact: int | None
    name: ClassVar[str] = "agent_state"
