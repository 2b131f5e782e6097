"""What a caller's keys and silences do at an input node: menu options, digit entry and its
confirmation, survey answers, and the no-input / no-match / attempts-used-up paths."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ivr.call.events import (
    AttemptsExhausted,
    NoInput,
    NoMatch,
    SurveyAnswered,
)
from ivr.menu.compiled import CompiledNode
from ivr.menu.luhn import luhn_ok
from ivr.menu.model import CollectNode, MenuNode, SurveyNode
from ivr.source import patterns

if TYPE_CHECKING:
    pass

from ivr.call.call_state import CallState


class CallInput(CallState):
    """Key presses and timeouts at input nodes; part of :class:`ivr.call.session.Call`."""

    # Provided by the call, which moves it from node to node.
    def _leave(self, trigger: str) -> None:
        raise NotImplementedError

    def _go_back(self) -> None:
        raise NotImplementedError

    def _can_go_back(self) -> bool:
        raise NotImplementedError

    def _menu_key(self, node: CompiledNode, key: str) -> None:
        settings = node.settings
        assert settings is not None
        trigger = self.engine.triggers[node.id].get(key)
        if trigger is not None:
            option = node.spec.options.get(key) if isinstance(node.spec, MenuNode) else None  # or a global key
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
        spec = node.spec_as(CollectNode)
        assert settings is not None
        if self.confirming and spec.confirm is not None:
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
        spec = node.spec_as(CollectNode)
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
    def _valid_entry(spec: CollectNode, digits: str) -> bool:
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
        if invalid and isinstance(spec, CollectNode) and spec.invalid_prompt:
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

    def _message_left(self, node: CompiledNode) -> None:
        raise NotImplementedError

    def _timeout(self) -> None:
        node = self.node
        if node.kind == "record":
            self._message_left(node)  # the longest message allowed
        elif node.kind == "collect" and self.digits and not self.confirming:
            self._finish_entry(node)
        elif node.kind == "survey":
            self._emit(NoInput(self._rel, node.id, 1))
            self._answer(node, None)  # a caller who does not answer is not asked again
        else:
            self._failed(node, None)

    # -- surveys -------------------------------------------------------------------------------------

    def _ask(self, node: CompiledNode) -> None:
        question = node.spec_as(SurveyNode).questions[self.question]
        self._play(node.id, f"question.{question.id}", question.prompt)
        assert node.settings is not None
        self._arm(node.settings.timeout)

    def _survey_key(self, node: CompiledNode, key: str) -> None:
        question = node.spec_as(SurveyNode).questions[self.question]
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
        spec = node.spec_as(SurveyNode)
        question = spec.questions[self.question]
        self._emit(SurveyAnswered(self._rel, node.id, question.id, answer))
        if answer is not None:
            self._set(f"survey.{question.id}", answer)
        self.question += 1
        self.no_match = 0
        self.deadline = None
        if self.question < len(spec.questions):
            self._ask(node)
            return
        if spec.thanks is not None:
            self._play(node.id, "thanks", spec.thanks)
        if "next" in self.engine.outgoing[node.id]:
            self._leave("next")
        else:
            self._end("completed")

    # -- moving --------------------------------------------------------------------------------------
