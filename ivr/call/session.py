"""One call on a menu: its node, variables, attempt counters, digits, deadline and transcript.

A call reacts to three inputs (a key, the passing of time, the caller hanging up) and publishes
:mod:`ivr.call.events` for each thing a caller would hear or do. It reaches the machine only through
:meth:`Engine.fire`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ivr.call.clock import SimClock
from ivr.call.events import (
    AttemptsExhausted,
    CallEvent,
    CallStarted,
    HungUp,
    KeyPressed,
    NodeEntered,
    NoInput,
    NoMatch,
    PromptPlayed,
    Queued,
    SurveyAnswered,
    Transferred,
    VariableSet,
)
from ivr.menu.compiled import CompiledNode, Text
from ivr.menu.conditions import Context, evaluate
from ivr.menu.luhn import luhn_ok
from ivr.menu.text import fill, pick
from ivr.source import patterns

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


class Call:
    """A caller's session on an :class:`Engine`. Create it with :meth:`Engine.start_call`."""

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

    def start(self) -> None:
        self._emit(CallStarted(0.0, self.state, self.menu.name, self.caller.number, self.language))
        self._arrive(via_back=False)

    def press(self, key: str) -> None:
        """The caller presses one phone key (0-9, * or #)."""
        self._key_pressed(key, ACTIVE)
        swallow, self.swallow = self.swallow, None
        if key == swallow:
            return  # the terminator typed after an entry that already ended at max_digits
        node = self.node
        if node.settings is None:
            return
        if node.kind == "collect":
            self._collect_key(node, key)
        elif node.kind == "survey":
            self._survey_key(node, key)
        else:
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

    def _key_pressed(self, key: str, status: str) -> None:
        """Check ``key`` is a phone key pressed while the call is in ``status``, then publish it (barge-in)."""
        if key not in "0123456789*#" or len(key) != 1:
            raise ValueError(f"{key!r} is not a phone key")
        if self.status != status:
            raise CallOver(f"the call has {self._over_reason()}; key {key!r} was not used")
        self._barge_in()
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

    def _menu_key(self, node: CompiledNode, key: str) -> None:
        settings = node.settings
        assert settings is not None
        trigger = self.engine.triggers[node.id].get(key)
        if trigger is not None:
            option = node.spec.options.get(key)
            if option is not None:
                for name, value in option.set.items():
                    self._set(name, value)
            self._leave(trigger)
        elif key == settings.keys.repeat:
            self.engine.fire(self, "repeat")
            self._play_node_prompt(node, "prompt")
            self._arm(settings.timeout)
        elif key == settings.keys.back and self._can_go_back():
            self._go_back()
        else:
            self._failed(node, key)

    def _collect_key(self, node: CompiledNode, key: str) -> None:
        settings = node.settings
        spec = node.spec
        assert settings is not None
        if self.confirming:
            if key == spec.confirm.yes:
                self.confirming = False
                self._leave_collect(node)
            elif key == spec.confirm.no:
                self.confirming = False
                self.digits = ""
                self._play_node_prompt(node, "short_prompt")
                self._arm(settings.timeout)
            else:
                self._failed(node, key)
            return
        terminator = spec.terminator or settings.keys.terminator
        if key == terminator:
            self._finish_entry(node)
        elif key == settings.keys.back:
            if self.digits:
                self.digits = ""
                self._play_node_prompt(node, "short_prompt")
                self._arm(settings.timeout)
            elif self._can_go_back():
                self._go_back()
            else:
                self._failed(node, key)
        elif key.isdigit():
            self.digits += key
            if len(self.digits) >= spec.max_digits:
                self._finish_entry(node)
                self.swallow = terminator
            else:
                self._arm(settings.inter_digit_timeout)
        elif (trigger := self.engine.triggers[node.id].get(key)) is not None:
            self._leave(trigger)
        else:
            self._failed(node, key)

    def _finish_entry(self, node: CompiledNode) -> None:
        spec = node.spec
        digits, self.digits = self.digits, ""
        if not self._valid_entry(spec, digits):
            self._failed(node, digits or "(empty)", invalid=True)
            return
        self._set(spec.variable, digits)
        if spec.confirm is not None:
            self.confirming = True
            self._play(node.id, "confirm", spec.confirm.prompt)
            assert node.settings is not None
            self._arm(node.settings.timeout)
        else:
            self._leave_collect(node)

    @staticmethod
    def _valid_entry(spec: Any, digits: str) -> bool:
        if not (spec.min_digits <= len(digits) <= spec.max_digits):
            return False
        check = spec.validate_
        if check is not None:
            if check.pattern is not None and not patterns.fullmatch(check.pattern, digits):
                return False
            if check.luhn and not luhn_ok(digits):
                return False
        return True

    def _leave_collect(self, node: CompiledNode) -> None:
        if "next" in self.engine.outgoing[node.id]:
            self._leave("next")
        else:
            self._end("dead-end")

    def _failed(self, node: CompiledNode, given: str | None, invalid: bool = False) -> None:
        """A no-input (``given`` None) or a no-match: reprompt with escalation, or give up."""
        settings = node.settings
        assert settings is not None
        self.digits = ""
        self.confirming = False
        if given is None:
            self.no_input += 1
            count, limit, reprompts, kind = (
                self.no_input,
                settings.max_no_input,
                settings.no_input_reprompts,
                "no_input",
            )
            self._emit(NoInput(self._rel, node.id, count))
        else:
            self.no_match += 1
            count, limit, reprompts, kind = (
                self.no_match,
                settings.max_no_match,
                settings.no_match_reprompts,
                "no_match",
            )
            self._emit(NoMatch(self._rel, node.id, given, count))
        self.engine.fire(self, kind)
        if count >= limit or self.no_input + self.no_match >= settings.max_attempts:
            self._exhausted(node)
            return
        spec = node.spec
        if invalid and getattr(spec, "invalid_prompt", None):
            self._play(node.id, "invalid", spec.invalid_prompt)
        else:
            self._play(node.id, f"{kind}.{count}", reprompts[min(count, len(reprompts)) - 1])
        self._play_node_prompt(node, "short_prompt" if count == 1 else "help")
        self._arm(settings.timeout)

    def _exhausted(self, node: CompiledNode) -> None:
        settings = node.settings
        assert settings is not None
        target = settings.on_exhausted
        self._emit(AttemptsExhausted(self._rel, node.id, target))
        if target is None:
            self._end("max-attempts")
            return
        self._play(node.id, "exhausted", settings.exhausted_prompt)
        self._leave("exhausted")

    def _timeout(self) -> None:
        node = self.node
        if node.kind == "collect" and self.digits and not self.confirming:
            self._finish_entry(node)
        elif node.kind == "survey":
            self._emit(NoInput(self._rel, node.id, 1))
            self._answer(node, None)  # a caller who does not answer is not asked again
        else:
            self._failed(node, None)

    # -- surveys -------------------------------------------------------------------------------------

    def _ask(self, node: CompiledNode) -> None:
        question = node.spec.questions[self.question]
        self._play(node.id, f"question.{question.id}", question.prompt)
        assert node.settings is not None
        self._arm(node.settings.timeout)

    def _survey_key(self, node: CompiledNode, key: str) -> None:
        question = node.spec.questions[self.question]
        if key in question.answers:
            self._answer(node, question.answers[key])
        elif key == (node.settings.keys.repeat if node.settings else None):
            self._ask(node)
        else:
            self.no_match += 1
            self._emit(NoMatch(self._rel, node.id, key, self.no_match))
            if self.no_match >= 2:
                self._answer(node, None)
            else:
                assert node.settings is not None
                self._play(node.id, "no_match.1", node.settings.no_match_reprompts[0])
                self._ask(node)

    def _answer(self, node: CompiledNode, answer: Any) -> None:
        question = node.spec.questions[self.question]
        self._emit(SurveyAnswered(self._rel, node.id, question.id, answer))
        if answer is not None:
            self._set(f"survey.{question.id}", answer)
        self.question += 1
        self.no_match = 0
        self.deadline = None
        if self.question < len(node.spec.questions):
            self._ask(node)
            return
        if node.spec.thanks is not None:
            self._play(node.id, "thanks", node.spec.thanks)
        if "next" in self.engine.outgoing[node.id]:
            self._leave("next")
        else:
            self._end("completed")

    # -- moving --------------------------------------------------------------------------------------

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
        states: set[tuple[str, str]] = set()
        for _ in range(MAX_STEPS_PER_INPUT):
            node = self.node
            met = passed.get(node.id)
            if met is not None:
                if met == self._changes:
                    break
                state = (node.id, repr(sorted(self.variables.items(), key=lambda item: item[0])))
                if state in states:
                    break
                states.add(state)
            passed[node.id] = self._changes
            self._emit(NodeEntered(self._after_speech(), node.id, node.kind))  # reached when the line is quiet
            for name, value in node.spec.set.items():
                self._set(name, value)
            kind = node.kind
            if kind == "survey":
                self.no_input = self.no_match = self.question = 0
                if node.spec.intro is not None:
                    self._play(node.id, "intro", node.spec.intro)
                self._ask(node)
                return
            if node.settings is not None:
                self.no_input = self.no_match = 0
                self.digits = ""
                self.confirming = False
                self.history.append(node.id)
                first = node.id not in self.heard
                self._play_node_prompt(node, "prompt" if first else "short_prompt")
                self._arm(node.settings.timeout)
                return
            trigger: str | None = "next"
            if kind == "message" or kind == "return":
                if node.spec.prompt is not None:
                    self._play(node.id, "prompt", node.spec.prompt)
            elif kind == "branch":
                trigger = self._branch(node)
            elif kind == "queue":
                self._play_optional(node)
                self.status = QUEUED
                self.queue = node.spec.queue
                self._emit(Queued(self._after_speech(), node.id, node.spec.queue))
                return
            elif kind == "transfer":
                self._play_optional(node)
                self.status = TRANSFERRED
                self.end_reason = "transferred"
                self._emit(Transferred(self._after_speech(), node.id, node.spec.to))
                return
            elif kind == "hangup":
                self._play_optional(node)
                self._end(node.spec.reason)
                return
            if trigger is None or trigger not in self.engine.outgoing[node.id]:
                self._end("returned" if kind == "return" else "dead-end")
                return
            self.engine.fire(self, trigger)
        self._end("loop")

    def _branch(self, node: CompiledNode) -> str | None:
        local = self.clock.wall(self._t).astimezone(self.menu.timezone)
        ctx = Context(self.variables, local, self.engine.hours, self.menu.holidays)
        for i, case in enumerate(node.spec.cases):
            if evaluate(case.when, ctx):
                return f"case:{i}"
        return "default" if node.spec.default is not None else None

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
        spec = node.spec
        text = getattr(spec, role, None)
        if text is None:
            role, text = "prompt", spec.prompt
        self.heard.add(node.id)
        self._play(node.id, role, text)

    def _play_optional(self, node: CompiledNode) -> None:
        if node.spec.prompt is not None:
            self._play(node.id, "prompt", node.spec.prompt)

    def _play(self, node_id: str, role: str, text: Text, extra: dict[str, Any] | None = None) -> None:
        language = self.variables["language"]
        values = {**self.variables, **extra} if extra else self.variables
        spoken = fill(pick(text, language, self.menu.default_language), values)
        prompt_id = f"{node_id}.{role}"
        begins = self._t
        if self.speech is not None:
            begins = self._quiet_at()
            self.speaking_until = begins + self.speech(spoken, language, prompt_id)
        self._emit(PromptPlayed(begins - self.started_at, node_id, prompt_id, spoken, language))

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
