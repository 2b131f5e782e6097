"""One call on a menu: its node, variables, attempt counters, digits, deadline and transcript.

A call reacts to three inputs (a key, the passing of time, the caller hanging up) and publishes
:mod:`ivr.call.events` for each thing a caller would hear or do. It reaches the machine only through
:meth:`Engine.fire`.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from ivr.call.events import (
    CallEvent,
    CallStarted,
    KeyPressed,
    LookupAnswered,
    NodeEntered,
    PromptPlayed,
    Queued,
    Transferred,
)
from ivr.menu.compiled import CompiledNode, Text
from ivr.menu.conditions import Context, evaluate
from ivr.menu.lookup_model import ANY_INPUT, LookupNode
from ivr.menu.model import (
    BranchNode,
    CollectNode,
    HangupNode,
    MenuNode,
    MessageNode,
    QueueNode,
    RecordNode,
    ReturnNode,
    SplitNode,
    SubmenuNode,
    SurveyNode,
    TransferNode,
)
from ivr.menu.text import fill

if TYPE_CHECKING:
    pass

from ivr.call.call_input import CallInput
from ivr.call.call_state import (
    ACTIVE,
    ENDED,
    MAX_STEPS_PER_INPUT,
    QUEUED,
    TRANSFERRED,
    CallOver,
    CallStatus,
    Speech,
)

__all__ = ["ACTIVE", "ENDED", "QUEUED", "TRANSFERRED", "Call", "CallOver", "CallStatus", "Speech"]


class Call(CallInput):
    """A caller's session on an :class:`Engine`. Create it with :meth:`Engine.start_call`.

    Its state and output are in :mod:`ivr.call.call_state`, what keys do at input nodes in
    :mod:`ivr.call.call_input`; this class takes the inputs and walks the menu."""

    def start(self) -> None:
        self._emit(CallStarted(0.0, self.state, self.menu.name, self.caller.number, self.language))
        self._arrive(via_back=False)

    def press(self, key: str) -> None:
        """The caller presses one phone key (0-9, * or #)."""
        swallow, self.swallow = self.swallow, None
        # The terminator typed after an entry that already ended at max_digits belongs to the entry: it
        # is published but cuts nothing short (the read-back after a full entry is still heard whole).
        self._key_pressed(key, ACTIVE, barge_in=key != swallow)
        if key == swallow:
            return
        node = self.node
        match node.spec:
            case RecordNode(terminator=terminator):
                if key == terminator:
                    self._message_left(node)
                # other keys are part of the message
            case CollectNode():
                self._collect_key(node, key)
            case SurveyNode():
                self._survey_key(node, key)
            case MenuNode():
                self._menu_key(node, key)

    def wait(self, seconds: float | None = None) -> None:
        """The caller stays silent: for ``seconds``, or until the next timeout fires when None.

        This moves the call's own clock. Calls that share a clock with a floor are driven through
        :class:`ivr.call.driver.LiveCall` instead, which moves the clock for both.
        """
        if seconds is None:
            if self.deadline is not None and self.status == ACTIVE:
                self.clock.advance_to(self.deadline)
                self.poll()
            return
        target = self.clock.now() + seconds
        while (due := self.next_time()) is not None and due <= target:
            self.clock.advance_to(due)
            self.poll()
        self.clock.advance_to(target)
        self.poll()

    def next_time(self) -> float | None:
        """When this call next does something by itself: a prompt starts, or a timeout fires."""
        due = self._pending[0].at + self.started_at if self._pending else None
        if self.deadline is not None and self.status == ACTIVE and (due is None or self.deadline < due):
            due = self.deadline
        return due

    def settled_at(self) -> float:
        """When the line falls quiet, seen from now: the last prompt queued so far has been said to the end."""
        return max(self.clock.now(), self.speaking_until)

    def poll(self) -> None:
        """Publish what has begun and fire every timeout that is due, in time order, by the clock's time."""
        now = self.clock.now()
        pending = self._pending
        same_instant = 0  # timeouts fired at one instant: a zero-second timeout that loops must not spin
        while True:
            due = pending[0].at + self.started_at if pending else None
            deadline = self.deadline if self.status == ACTIVE else None
            if due is not None and due <= now and (deadline is None or due <= deadline):
                event = pending.popleft()
                self._stamp(due)
                self._publish(event)
            elif deadline is not None and deadline <= now:
                same_instant = same_instant + 1 if deadline == self._t else 0
                self._stamp(deadline)
                self.deadline = None
                self.swallow = None
                if same_instant >= MAX_STEPS_PER_INPUT:
                    self._end("loop")
                    continue
                self._timeout()
            else:
                return

    def _barge_in(self) -> None:
        """A key now: the prompt being said stops, prompts not yet begun are never heard, and what the
        call did meanwhile (nodes entered, variables set) is published now."""
        self._stamp(self.clock.now())
        self.speaking_until = self._t
        kept = [e for e in self._pending if not isinstance(e, PromptPlayed)]
        self._pending.clear()
        for event in kept:
            event.at = self._rel
            self._publish(event)

    def key_while_queued(self, key: str) -> None:
        """A key pressed while waiting in a queue: published, and it stops the announcement being said.
        What it does is the queue's business (:class:`ivr.call.driver.LiveCall`)."""
        self._key_pressed(key, QUEUED)

    def _key_pressed(self, key: str, status: str, barge_in: bool = True) -> None:
        """Check ``key`` is a phone key pressed while the call is in ``status``, then publish it (cutting
        into what is being said, unless ``barge_in`` is False)."""
        if key not in "0123456789*#" or len(key) != 1:
            raise ValueError(f"{key!r} is not a phone key")
        if self.status != status:
            raise CallOver(f"the call has {self._over_reason()}; key {key!r} was not used")
        if barge_in:
            self._barge_in()
        else:
            self._stamp(self.clock.now())
        self._emit(KeyPressed(self._rel, self.state, key))

    def emit(self, event: CallEvent) -> None:
        """Publish an event from outside the menu (the queue phase), stamped now and after what is pending."""
        self._stamp(self.clock.now())
        event.at = self._rel
        self._emit(event)

    def say(self, node_id: str, role: str, text: Text, extra: dict[str, Any] | None = None) -> None:
        """Play a prompt that is not the menu's own (queue announcements), after whatever is being said."""
        self._stamp(self.clock.now())
        self._play(node_id, role, text, extra)

    def leave_queue(self, trigger: str, reason: str) -> None:
        """The queue could not take the call: follow the queue node's ``trigger`` route, or end with ``reason``."""
        if self.status != QUEUED:
            raise CallOver(f"the call has {self._over_reason()}; only a queued call can leave its queue")
        self._stamp(self.clock.now())
        self.status = ACTIVE
        self.queue = None
        if trigger in self.engine.outgoing[self.state]:
            self._leave(trigger)
        else:
            self._end(reason)

    def move_to_queue(self, queue: str) -> None:
        """The queued call now waits in ``queue`` (a representative transferred it there)."""
        if self.status != QUEUED:
            raise CallOver(f"the call has {self._over_reason()}; only a queued call can move to another queue")
        self._stamp(self.clock.now())
        self.queue = queue

    def end(self, reason: str) -> None:
        """The line ends the call now (e.g. a callback was taken: the caller keeps their place and hangs up)."""
        if self.status == ENDED:
            raise CallOver(f"the call has already {self._over_reason()}")
        self._stamp(self.clock.now())
        self._end(reason)

    def resume(self, variables: dict[str, Any]) -> None:
        """The representative is done with a queued call: set what they noted (``reference``,
        ``resolved``, ``agent``) and go on to the queue node's ``after`` node, or end the call."""
        if self.status != QUEUED:
            raise CallOver(f"the call has {self._over_reason()}; only a queued call can resume")
        self._stamp(self.clock.now())
        self.status = ACTIVE
        for name, value in variables.items():
            self._set(name, value)
        if "after" in self.engine.outgoing[self.state]:
            self._leave("after")
        else:
            self._end("completed")

    def hang_up(self) -> None:
        """The caller hangs up (in the menu, or while waiting in a queue)."""
        if self.ended:
            raise CallOver(f"the call has already {self._over_reason()}")
        self._barge_in()  # what happened before the hang-up is still published first
        self._end("caller")

    # -- menus ---------------------------------------------------------------------------------------

    def _can_go_back(self) -> bool:
        return len(self.history) >= 2 and f"back:{self.history[-2]}" in self.engine.outgoing[self.state]

    def _go_back(self) -> None:
        self.history.pop()
        target = self.history.pop()
        self.deadline = None
        self.engine.fire(self, f"back:{target}")
        self._arrive(via_back=True)

    def _leave(self, trigger: str) -> None:
        self.deadline = None
        self.engine.fire(self, trigger)
        self._arrive(via_back=False)

    def _arrive(self, via_back: bool) -> None:
        """Run the node just entered and every node after it that needs no caller input.

        A node met again with the same variables in one step can only go round for ever (branches read
        variables and a clock that has not moved), so the call ends as ``loop`` there, not a thousand
        prompts later."""
        passed: dict[str, int] = {}  # node -> how many variable changes the call had made when it was met
        states: set[tuple[str, str]] | None = None  # (node, variables), once some node comes round again
        for _ in range(MAX_STEPS_PER_INPUT):
            node = self.node
            met = passed.get(node.id)
            if met is not None:
                if met == self._changes:
                    break
                state = (node.id, repr(sorted(self.variables.items(), key=lambda item: item[0])))
                if states is None:
                    states = set()
                elif state in states:
                    break
                states.add(state)
            passed[node.id] = self._changes
            self._emit(NodeEntered(self._after_speech(), node.id, node.kind))  # reached when the line is quiet
            spec = node.spec
            for name, value in spec.set.items():
                self._set(name, value)
            trigger: str | None = "next"
            match spec:
                case SurveyNode():
                    self.no_input = self.no_match = self.question = 0
                    if spec.intro is not None:
                        self._play(node.id, "intro", spec.intro)
                    self._ask(node)
                    return
                case MenuNode() | CollectNode():
                    self.no_input = self.no_match = 0
                    self.digits = ""
                    self.confirming = False
                    self.history.append(node.id)
                    first = node.id not in self.heard
                    self._play_node_prompt(node, "prompt" if first else "short_prompt")
                    assert node.settings is not None
                    self._arm(node.settings.timeout)
                    return
                case SubmenuNode():
                    for name, value in spec.with_.items():  # the sub-menu's parameters
                        self._set(name, value)
                case MessageNode() | ReturnNode():
                    if spec.prompt is not None:
                        self._play(node.id, "prompt", spec.prompt)
                case BranchNode():
                    trigger = self._branch(node.id, spec)
                case SplitNode():
                    trigger = self._split(node.id, spec)
                case LookupNode():
                    trigger = self._lookup(node.id, spec)
                    if self.ended:
                        return
                case RecordNode():
                    self._play(node.id, "prompt", spec.prompt)
                    self.recording_from = self._quiet_at()  # the message starts when the prompt ends
                    self.deadline = self.recording_from + spec.max_length
                    return
                case QueueNode():
                    self._play_optional(node.id, spec.prompt)
                    self.status = QUEUED
                    self.queue = spec.queue
                    self._emit(Queued(self._after_speech(), node.id, spec.queue))
                    return
                case TransferNode():
                    self._play_optional(node.id, spec.prompt)
                    self.status = TRANSFERRED
                    self.end_reason = "transferred"
                    self._emit(Transferred(self._after_speech(), node.id, spec.to))
                    return
                case HangupNode():
                    self._play_optional(node.id, spec.prompt)
                    self._end(spec.reason)
                    return
            if trigger is None or trigger not in self.engine.outgoing[node.id]:
                self._end("returned" if node.kind == "return" else "dead-end")
                return
            self.engine.fire(self, trigger)
        self._end("loop")

    def _message_left(self, node: CompiledNode) -> None:
        """The caller ends their message (the terminator, or the longest message reached)."""
        spec = node.spec_as(RecordNode)
        spoken = min(max(self._t - self.recording_from, 0.0), spec.max_length)
        self._set(spec.variable, round(spoken, 1))
        self._leave("next")

    def _split(self, node_id: str, spec: SplitNode) -> str:
        """The way this call goes at an A/B split: the same for the same call (number, start) every run."""
        started = self.clock.wall(self.started_at).isoformat()
        key = f"{spec.seed}\0{node_id}\0{self.variables.get('caller.number')}\0{started}"
        draw = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") / 2**64
        shares = spec.shares
        point, total = draw * sum(shares.values()), 0.0
        for i, (target, share) in enumerate(shares.items()):
            total += share
            if point < total or i == len(shares) - 1:
                self._set(f"split.{node_id}", target)
                return f"share:{i}"
        raise AssertionError("a split has at least two ways")

    def _lookup(self, node_id: str, spec: LookupNode) -> str | None:
        """Ask the service the node stands for: its answer (declared, or the script's) is taken once the
        caller has heard the prompt and waited the service's latency. The way out; None when the service
        failed and the node has no ``on_error`` (the call has ended)."""
        self._play_optional(node_id, spec.prompt)
        if self.speech is not None:  # paced: the caller waits for the answer in silence
            self.speaking_until = self._quiet_at() + spec.latency
        language = str(self.variables["language"])
        given = fill(spec.input, self.variables, language=language) if spec.input is not None else ANY_INPUT
        override = self.caller.lookups.get(node_id)
        answer = spec.answer(given, override)
        if override is not None:
            key = "world"
        elif answer is None:
            key = "none"
        else:
            key = given if given in spec.answers else ANY_INPUT
        returned = dict(answer.set) if answer is not None else {}
        failed = answer is None or answer.error
        self._emit(LookupAnswered(self._after_speech(), node_id, spec.service, given, key, returned, failed))
        if answer is None or answer.error:
            if "error" not in self.engine.outgoing[node_id]:
                self._end("lookup-failed")
                return None
            return "error"
        for name, value in answer.set.items():
            self._set(name, value)
        if answer.goto is None:
            return "next"
        if override is None:
            return f"answer:{list(spec.answers).index(key)}"
        # a script's answer names the node by its id, which must be one of the node's ways out
        return next((e.trigger for e in self.menu.edges[node_id] if e.target == answer.goto), None)

    def _branch(self, node_id: str, spec: BranchNode) -> str | None:
        local = self.clock.wall(self._t).astimezone(self.menu.timezone)
        ctx = Context(self.variables, local, self.engine.hours, self.menu.holidays)
        for i, case in enumerate(spec.cases):
            if evaluate(case.when, ctx):
                return f"case:{i}"
        return "default" if spec.default is not None else None
