"""A call's state and what it says: the node it is at, its variables and counters, the clock it keeps,
and the events it publishes in time order (prompts take their speaking time)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ivr.call.clock import SimClock
from ivr.call.events import (
    CallEvent,
    HungUp,
    PromptPlayed,
    VariableSet,
)
from ivr.menu.compiled import CompiledNode, Text
from ivr.menu.model import CollectNode, MenuNode
from ivr.menu.recordings import recording_for
from ivr.menu.text import fill, pick

if TYPE_CHECKING:
    from ivr.call.engine import Caller, Engine

MAX_STEPS_PER_INPUT = 1000  # nodes passed without waiting for the caller before we call it a loop

Speech = Callable[[str, str, str], float]  # (text, language, prompt id) -> seconds it takes to say


class CallStatus(StrEnum):
    """Where a call is: in the menu, handed to a queue, transferred out, or over."""

    ACTIVE = "active"
    QUEUED = "queued"
    TRANSFERRED = "transferred"
    ENDED = "ended"


ACTIVE, QUEUED, TRANSFERRED, ENDED = CallStatus.ACTIVE, CallStatus.QUEUED, CallStatus.TRANSFERRED, CallStatus.ENDED


class CallOver(Exception):
    """Input was given to a call that has already ended."""


class CallState:
    """The state of one call and its output; :class:`ivr.call.session.Call` adds what moves it on."""

    def __init__(
        self,
        engine: Engine,
        caller: Caller,
        clock: SimClock,
        listeners: list[Callable[[CallEvent], None]],
        keep_transcript: bool = True,
        speech: Speech | None = None,
    ) -> None:
        menu = engine.menu
        self.engine = engine
        self.menu = menu
        self.caller = caller
        self.clock = clock
        self.listeners = listeners
        self.transcript: list[CallEvent] = []
        self.keep_transcript = keep_transcript
        self.state = menu.start  # the machine's model attribute
        self.status = ACTIVE
        self.variables: dict[str, Any] = {
            **menu.variables,
            **caller.variables,
            "caller.number": caller.number,
            "language": caller.language if caller.language in menu.languages else menu.default_language,
        }
        if caller.tier is not None:
            self.variables["caller.tier"] = caller.tier
        self.history: list[str] = []
        self.heard: set[str] = set()
        self._changes = 0  # variables changed so far: a node met twice with none between is a loop
        self.no_input = 0
        self.no_match = 0
        self.digits = ""
        self.confirming = False
        self.question = 0  # the survey question being asked
        self.swallow: str | None = None
        self.deadline: float | None = None
        self.recording_from = 0.0  # when the message being left at a `record` node began
        self.queue: str | None = None
        self.end_reason: str | None = None
        self.started_at = clock.now()
        self._t = self.started_at  # simulated time of the input being handled
        # With ``speech`` (seconds a prompt takes to say) prompts take time: they play one after another,
        # timeouts start when the line falls quiet, and a key press cuts the prompt short (barge-in).
        # Without it prompts are instant, which keeps scripts and tests about logic, not pacing.
        self.speech = speech
        self.speaking_until = self.started_at
        self._rel = 0.0  # the same, from the start of the call: the `at` of every event
        # Events the caller has not reached yet: a prompt that starts when the one before it ends, and
        # what follows it (the next node, the queue, the goodbye's hang-up). They are published when the
        # clock reaches them, so the event stream is in time order; a key press drops unheard prompts.
        self._pending: deque[CallEvent] = deque()

    # -- reading -------------------------------------------------------------------------------------

    @property
    def node(self) -> CompiledNode:
        return self.menu.nodes[self.state]

    @property
    def language(self) -> str:
        return str(self.variables["language"])

    @property
    def ended(self) -> bool:
        return self.status in (TRANSFERRED, ENDED)

    @property
    def elapsed(self) -> float:
        return self.clock.now() - self.started_at

    def waiting_for_input(self) -> bool:
        return self.status == ACTIVE and self.node.settings is not None

    # -- inputs --------------------------------------------------------------------------------------

    def _end(self, reason: str) -> None:
        self.deadline = None
        self.status = ENDED
        self.end_reason = reason
        self._emit(HungUp(self._after_speech(), self.state, reason))

    def _over_reason(self) -> str:
        if self.status == QUEUED:
            return f"been handed to queue {self.queue!r}"
        if self.status == TRANSFERRED:
            return "been transferred"
        return f"ended ({self.end_reason})"

    # -- output --------------------------------------------------------------------------------------

    def _play_node_prompt(self, node: CompiledNode, role: str) -> None:
        """An input node's ``role`` prompt (``short_prompt``, ``help``), or its prompt when it has none."""
        spec = node.spec
        assert isinstance(spec, MenuNode | CollectNode)
        text: Text | None = getattr(spec, role, None)
        if text is None:
            role, text = "prompt", spec.prompt
        self.heard.add(node.id)
        self._play(node.id, role, text)

    def _play_optional(self, node_id: str, prompt: Text | None) -> None:
        if prompt is not None:
            self._play(node_id, "prompt", prompt)

    def _play(self, node_id: str, role: str, text: Text, extra: dict[str, Any] | None = None) -> None:
        language = self.variables["language"]
        values = {**self.variables, **extra} if extra else self.variables
        spoken = fill(pick(text, language, self.menu.default_language), values, language=language)
        if not spoken.strip():
            return  # `false` or an empty text: nothing is said here
        prompt_id = f"{node_id}.{role}"
        recorded = recording_for(self.menu.recordings, node_id, language) if role == "prompt" else None
        begins = self._t
        if self.speech is not None:
            begins = self._quiet_at()
            if recorded is not None and recorded.seconds is not None:  # the recording's own length
                self.speaking_until = begins + recorded.seconds
            else:
                self.speaking_until = begins + self.speech(spoken, language, prompt_id)
        audio = recorded.name if recorded is not None else None
        self._emit(PromptPlayed(begins - self.started_at, node_id, prompt_id, spoken, language, audio))

    def _set(self, name: str, value: Any) -> None:
        variables = self.variables
        if name not in variables or variables[name] != value:
            self._changes += 1
        variables[name] = value
        self._emit(VariableSet(self._rel, self.state, name, value))

    def _arm(self, seconds: float) -> None:
        self.deadline = self._quiet_at() + seconds

    def _quiet_at(self) -> float:
        """When the line falls quiet after the input being handled: what is queued has been said."""
        return max(self._t, self.speaking_until)

    def _after_speech(self) -> float:
        """The same, from the start of the call: the `at` of what happens once the caller has heard it out."""
        return self._quiet_at() - self.started_at

    def _stamp(self, t: float) -> None:
        self._t = t
        self._rel = t - self.started_at

    def _emit(self, event: CallEvent) -> None:
        """Publish now, or, when something before it has not happened yet, right after that."""
        pending = self._pending
        if pending:
            event.at = max(event.at, pending[-1].at)
        if event.at > self._rel + 1e-9 or pending:
            pending.append(event)
        else:
            self._publish(event)

    def _publish(self, event: CallEvent) -> None:
        if self.keep_transcript:
            self.transcript.append(event)
        for listener in self.listeners:
            listener(event)
