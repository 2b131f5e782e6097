"""What happens on a call, as typed events. Console, TUI and script replay all consume these.

Events are shared by every listener of a call: treat them as read-only. (They are not frozen dataclasses
because a frozen dataclass costs three times as much to create, and a key press creates several.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ivr.source.event import Event


@dataclass(slots=True)
class CallEvent(Event):
    """Something that happened on one call; ``at`` counts from the start of the call."""

    node: str


@dataclass(slots=True)
class CallStarted(CallEvent):
    menu: str
    caller: str
    language: str
    name: ClassVar[str] = "call_started"


@dataclass(slots=True)
class NodeEntered(CallEvent):
    kind: str
    name: ClassVar[str] = "node_entered"


@dataclass(slots=True)
class PromptPlayed(CallEvent):
    prompt_id: str  # node.role, e.g. main.prompt, main.no_input.1, order.confirm
    text: str
    language: str
    audio: str | None = None  # the recording played (`audio:` as written), when the prompt names one
    name: ClassVar[str] = "prompt_played"

    def to_dict(self) -> dict[str, Any]:
        shown = Event.to_dict(self)
        if self.audio is None:
            del shown["audio"]
        return shown


@dataclass(slots=True)
class KeyPressed(CallEvent):
    key: str
    name: ClassVar[str] = "key_pressed"


@dataclass(slots=True)
class NoInput(CallEvent):
    count: int
    name: ClassVar[str] = "no_input"


@dataclass(slots=True)
class NoMatch(CallEvent):
    input: str
    count: int
    name: ClassVar[str] = "no_match"


@dataclass(slots=True)
class AttemptsExhausted(CallEvent):
    target: str | None
    name: ClassVar[str] = "attempts_exhausted"


@dataclass(slots=True)
class VariableSet(CallEvent):
    variable: str
    value: Any
    name: ClassVar[str] = "variable_set"


@dataclass(slots=True)
class SurveyAnswered(CallEvent):
    question: str
    answer: Any  # None when the caller did not answer and the question was skipped
    name: ClassVar[str] = "survey_answered"


@dataclass(slots=True)
class LookupAnswered(CallEvent):
    service: str
    given: str  # the input the answer was chosen by
    answer: str  # the answer taken: its input (or `*`), `world` when a script answered, `none` when none was
    returned: dict[str, Any]  # the variables the service returned
    failed: bool  # the service failed (an error answer, or no answer for the input)
    name: ClassVar[str] = "lookup_answered"


@dataclass(slots=True)
class Queued(CallEvent):
    queue: str
    name: ClassVar[str] = "queued"


@dataclass(slots=True)
class Transferred(CallEvent):
    destination: str
    name: ClassVar[str] = "transferred"


@dataclass(slots=True)
class QueuePosition(CallEvent):
    """The caller's place in the queue and the estimated wait, as told to them (on joining, then periodically)."""

    queue: str
    position: int
    estimated_wait: float
    name: ClassVar[str] = "queue_position"


@dataclass(slots=True)
class QueueBusy(CallEvent):
    """The queue could not take the caller: ``full`` (at its `max_length`) or ``unstaffed`` (nobody logged in)."""

    queue: str
    why: str
    name: ClassVar[str] = "queue_busy"


@dataclass(slots=True)
class QueueOverflowed(CallEvent):
    """The caller, still the same contact, moved from ``queue`` to ``to`` (the queue's `overflow`)."""

    queue: str
    to: str
    name: ClassVar[str] = "overflowed"


@dataclass(slots=True)
class CallbackOffered(CallEvent):
    queue: str
    key: str
    name: ClassVar[str] = "callback_offered"


@dataclass(slots=True)
class CallbackTaken(CallEvent):
    """The caller chose to be called back: they keep their place and the call ends."""

    queue: str
    name: ClassVar[str] = "callback_taken"


@dataclass(slots=True)
class Answered(CallEvent):
    queue: str
    agent: str
    wait: float
    name: ClassVar[str] = "answered"


@dataclass(slots=True)
class RepresentativeDone(CallEvent):
    """The representative finished the conversation and noted the claim."""

    agent: str
    reference: str
    resolved: bool
    talk: float
    name: ClassVar[str] = "representative_done"


@dataclass(slots=True)
class Held(CallEvent):
    """Role play: the representative put the caller on hold (``on``) or took them off it."""

    agent: str
    on: bool
    name: ClassVar[str] = "held"


@dataclass(slots=True)
class HandedOver(CallEvent):
    """Role play: the representative transferred the caller to another queue, where the floor answers them."""

    agent: str
    queue: str
    to: str
    name: ClassVar[str] = "handed_over"


@dataclass(slots=True)
class KeyNotUsed(CallEvent):
    """A key that does nothing where it was pressed (e.g. in a queue that declares no key for it)."""

    key: str
    why: str
    name: ClassVar[str] = "key_not_used"


@dataclass(slots=True)
class HungUp(CallEvent):
    reason: str  # caller, completed (or a hangup node's reason), max-attempts, dead-end, loop
    name: ClassVar[str] = "hung_up"


EVENT_TYPES: dict[str, type[CallEvent]] = {
    cls.name: cls
    for cls in (
        CallStarted,
        NodeEntered,
        PromptPlayed,
        KeyPressed,
        NoInput,
        NoMatch,
        AttemptsExhausted,
        VariableSet,
        SurveyAnswered,
        LookupAnswered,
        Queued,
        Transferred,
        QueuePosition,
        QueueBusy,
        QueueOverflowed,
        CallbackOffered,
        CallbackTaken,
        Answered,
        RepresentativeDone,
        Held,
        HandedOver,
        KeyNotUsed,
        HungUp,
    )
}
