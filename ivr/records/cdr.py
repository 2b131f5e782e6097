"""Build call detail records, tickets and survey answers from the events of calls and of the floor."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ivr.call.events import (
    Answered,
    CallbackTaken,
    CallEvent,
    CallStarted,
    HungUp,
    KeyPressed,
    NodeEntered,
    QueueBusy,
    Queued,
    RepresentativeDone,
    SurveyAnswered,
    Transferred,
)
from ivr.call.session import CallStatus
from ivr.contact import events as cev
from ivr.menu.compiled import Menu
from ivr.menu.model import SurveyNode, TransferNode
from ivr.records.store import CallRecord, Ticket

CATEGORIES = ("complaint", "doubt", "suggestion", "technical")  # the usual ones; a menu may use any
MAX_CATEGORY = 40  # characters of a category kept
DROPPED = ("dead-end", "max-attempts", "loop")
NOT_TICKET_DATA = {"language", "category", "reference", "resolved", "agent"}


def category_of(variables: dict[str, Any]) -> str:
    """The ticket's category: the menu's `category` variable (any word the line uses: complaint,
    appointment, refill...), else "other"."""
    value = " ".join(str(variables.get("category") or "").split()).lower()[:MAX_CATEGORY]
    return value or "other"


def ticket_data(variables: dict[str, Any]) -> dict[str, Any]:
    """What the menu collected for the representative (order number, reason, ...)."""
    return {
        k: v
        for k, v in variables.items()
        if k not in NOT_TICKET_DATA and not k.startswith(("caller.", "survey.")) and v is not None
    }


def menu_outcome(reason: str | None, transferred: bool) -> str:
    if transferred:
        return "transferred"
    if reason in DROPPED:
        return "dropped"
    if reason == "caller":
        return "hung up in menu"
    return "ended in menu"


def survey_after(menu: Menu, queue_node: str) -> SurveyNode | None:
    """The survey a queue node's `after` path leads to, if any (following `next` a few steps)."""
    current = queue_node
    for _ in range(10):
        nexts = [e.target for e in menu.edges.get(current, ()) if e.kind in ("after", "next")]
        if not nexts:
            return None
        current = nexts[0]
        if isinstance(spec := menu.nodes[current].spec, SurveyNode):
            return spec
    return None


class SimulationRecorder:
    """Listens to a simulated floor and writes one record per background call when it ends."""

    def __init__(
        self, menu: Menu, epoch: datetime, write: Callable[[CallRecord], None], run_id: str, seed: int | None
    ) -> None:
        self.menu = menu
        self.run_id = run_id
        self.epoch = epoch
        self.write = write
        self.rng = random.Random(seed)
        self.answered: dict[int, tuple[str, float]] = {}  # contact -> (agent, wait)
        self.count = 0

    def __call__(self, event: cev.CentreEvent) -> None:
        if isinstance(event, cev.ContactAnswered) and not event.live:
            self.answered[event.contact] = (event.agent, event.wait)
        elif isinstance(event, cev.ContactEnded) and not event.live:
            agent, wait = self.answered.pop(event.contact, (event.agent, 0.0))
            self._queue_call(event.contact, event.data, event.at, event.queue, "answered", wait, agent, event)
        elif isinstance(event, cev.ContactAbandoned) and not event.live:
            self._queue_call(event.contact, event.data, event.at, event.queue, "abandoned", event.wait, None, None)
        elif isinstance(event, cev.QueueFull) and not event.live:
            self._queue_call(event.contact, event.data, event.at, event.queue, "blocked", 0.0, None, None)
        elif isinstance(event, cev.MenuOutcome):
            self._menu_call(event)

    def _base(self, data: dict[str, Any], ended: float, outcome: str) -> CallRecord:
        self.count += 1
        arrived = float(data.get("arrived", ended - float(data.get("menu_seconds", 0.0))))
        path = list(data.get("path", []))
        variables = data.get("variables", {})
        return CallRecord(
            call_id=f"sim-{self.run_id}-{self.count:08d}",
            menu=self.menu.name,
            source="simulated",
            started_at=self.epoch + timedelta(seconds=arrived),
            ended_at=self.epoch + timedelta(seconds=ended),
            language=variables.get("language"),
            caller=None,
            path=path,
            keys=str(data.get("keys", "")),
            time_in_menu=float(data.get("menu_seconds", 0.0)),
            outcome=outcome,
            last_node=path[-1] if path else None,
        )

    def _queue_call(
        self,
        contact: int,
        data: dict[str, Any],
        at: float,
        queue: str,
        outcome: str,
        wait: float,
        agent: str | None,
        ended: cev.ContactEnded | None,
    ) -> None:
        record = self._base(data, at, outcome)
        record.queue = queue
        record.time_in_queue = wait
        record.agent = agent
        record.sl_seconds = self.menu.queues[queue].service_level.seconds
        variables = data.get("variables", {})
        if ended is not None:
            record.ticket = Ticket(
                ended.reference, category_of(variables), ticket_data(variables), ended.agent, ended.resolved
            )
            record.hangup_reason = "completed"
            survey = survey_after(self.menu, record.last_node) if record.last_node else None
            if survey is not None:
                record.survey = self._answers(survey, ended.resolved, wait)
        else:
            record.hangup_reason = "caller" if outcome == "abandoned" else "queue full"
        self.write(record)

    def _answers(self, survey: Any, resolved: bool, wait: float) -> dict[str, Any]:
        """How a simulated caller answers: 60 % take part; they are happier when resolved and quickly."""
        if self.rng.random() > 0.6:
            return {}
        answers: dict[str, Any] = {}
        for question in survey.questions:
            values = list(question.answers.values())
            numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
            if numbers:
                mood = 4.6 - wait / 90 - (0 if resolved else 1.5) + self.rng.gauss(0, 0.7)
                answers[question.id] = min(numbers, key=lambda v: abs(v - mood))
            else:
                yes = next((v for v in values if str(v).lower() in ("yes", "true", "1")), values[0])
                no = next((v for v in values if str(v).lower() in ("no", "false", "2")), values[-1])
                answers[question.id] = yes if resolved else no
        return answers

    def _menu_call(self, event: cev.MenuOutcome) -> None:
        data = event.data
        reason = data.get("end_reason")
        record = self._base(data, event.at, menu_outcome(reason, event.outcome == "transferred"))
        record.hangup_reason = None if event.outcome == "transferred" else reason
        node = self.menu.nodes.get(record.last_node or "")
        if node is not None and (
            (isinstance(node.spec, TransferNode) and node.spec.ticket) or left_message(self.menu, record.path)
        ):
            variables = data.get("variables", {})
            reference = f"MSG-{record.call_id}"
            record.ticket = Ticket(reference, category_of(variables), ticket_data(variables), "voicemail", None)
        self.write(record)


def left_message(menu: Menu, path: list[str]) -> bool:
    """Whether the call went through a `record` node: the message is stored with a voicemail ticket."""
    return any(node in menu.nodes and menu.nodes[node].kind == "record" for node in path)


class LiveRecorder:
    """Listens to one live call's event stream (the queue phase included) and builds its record."""

    def __init__(self, menu: Menu, epoch: datetime, call_id: str, source: str = "live") -> None:
        self.menu = menu
        self.epoch = epoch
        self.call_id = call_id
        self.source = source
        self.path: list[str] = []
        self.keys: list[str] = []
        self.survey: dict[str, Any] = {}
        self.language: str | None = None
        self.caller: str | None = None
        self.queued_at: float | None = None
        self.queue: str | None = None
        self.answer: tuple[str, float] | None = None
        self.done: RepresentativeDone | None = None
        self.busy: str | None = None
        self.callback = False
        self.record: CallRecord | None = None

    def on_call(self, event: CallEvent) -> None:
        if isinstance(event, CallStarted):
            self.language, self.caller = event.language, event.caller
        elif isinstance(event, NodeEntered):
            self.path.append(event.node)
        elif isinstance(event, KeyPressed):
            self.keys.append(event.key)
        elif isinstance(event, SurveyAnswered):
            self.survey[event.question] = event.answer
        elif isinstance(event, Queued):
            self.queued_at = event.at
            self.queue = event.queue
        elif isinstance(event, Answered):
            self.answer = (event.agent, event.wait)
        elif isinstance(event, RepresentativeDone):
            self.done = event
        elif isinstance(event, QueueBusy):
            self.busy = event.why
        elif isinstance(event, CallbackTaken):
            self.callback = True

    def finish(self, call: Any) -> CallRecord:
        """The record of ``call``, which has ended (or is left where it is)."""
        started = self.epoch
        ended = started + timedelta(seconds=call.elapsed)
        transferred = any(isinstance(e, Transferred) for e in call.transcript)
        reason = next((e.reason for e in reversed(call.transcript) if isinstance(e, HungUp)), None)
        if self.queued_at is None:
            outcome = menu_outcome(reason, transferred)
        elif self.answer is not None:
            outcome = "answered"
        elif self.busy is not None:
            outcome = "blocked"
        elif self.callback:
            outcome = "callback"
        elif call.status == CallStatus.QUEUED:
            outcome = "queued"
        else:
            outcome = "abandoned"
        record = CallRecord(
            call_id=self.call_id,
            menu=self.menu.name,
            source=self.source,
            started_at=started,
            ended_at=ended,
            language=self.language,
            caller=self.caller,
            path=self.path,
            keys="".join(self.keys),
            time_in_menu=self.queued_at if self.queued_at is not None else call.elapsed,
            outcome=outcome,
            queue=self.queue,
            agent=self.answer[0] if self.answer else None,
            time_in_queue=self.answer[1] if self.answer else None,
            hangup_reason=reason,
            last_node=call.state,
            survey=dict(self.survey),
        )
        if self.queue is not None and self.queue in self.menu.queues:
            record.sl_seconds = self.menu.queues[self.queue].service_level.seconds
        variables = call.variables
        if self.done is not None:
            e = self.done
            record.ticket = Ticket(e.reference, category_of(variables), ticket_data(variables), e.agent, e.resolved)
        elif (transferred and self.menu.nodes[call.state].spec_as(TransferNode).ticket) or left_message(
            self.menu, self.path
        ):
            record.ticket = Ticket(
                f"MSG-{self.call_id}", category_of(variables), ticket_data(variables), "voicemail", None
            )
        self.record = record
        return record
