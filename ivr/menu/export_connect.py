"""A menu as an Amazon Connect contact flow in the flow language (the JSON `CreateContactFlow` takes).

Each node becomes Connect's actions for it: a menu is a `GetParticipantInput` with a condition per key; a
digit entry stores the input and keeps it in a contact attribute; messages are `MessageParticipant`;
branches `Compare` the contact attribute each case tests; a queue is `UpdateContactTargetQueue` then
`TransferContactToQueue`; a transfer `TransferParticipantToThirdParty`; a lookup `InvokeLambdaFunction`;
the end `DisconnectParticipant`. Every `NextAction` names an action of the flow, and the flow stays
within Connect's 250 actions, or the export is refused (:class:`TooManyActions`).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from ivr.menu.compiled import CompiledNode, Menu
from ivr.menu.conditions import Condition
from ivr.menu.export_common import Exported, Exporter, ExportRefused
from ivr.menu.lookup_model import LookupNode
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

MAX_ACTIONS = 250  # Connect's limit for one flow
ATTRIBUTE = "$.Attributes.{name}"
SILENT = {"Text": " "}  # an action that says nothing still has a text: Connect refuses an empty one
_OPERATORS = {"eq": "Equals", "lt": "NumberLessThan", "gt": "NumberGreaterThan", "le": "NumberLessOrEqualTo"}
_OPERATORS["ge"] = "NumberGreaterOrEqualTo"


class TooManyActions(ExportRefused):
    """The menu needs more actions than one Connect flow may hold."""


def _id(menu: Menu, name: str) -> str:
    """A stable action identifier: the same menu exports the same flow every time."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"ivr:{menu.name}:{name}"))


class _Connect(Exporter):
    platform = "Amazon Connect"

    def __init__(self, menu: Menu) -> None:
        super().__init__(menu)
        self.actions: list[dict[str, Any]] = []
        self.end = _id(menu, "(end)")

    def run(self) -> Exported:
        menu = self.menu
        start = self.at(menu.start)
        if menu.variables:  # the menu's own variables, kept as contact attributes as the call comes in
            variables = _id(menu, "(variables)/set")
            self.attributes(variables, menu.variables, start)
            start = variables
        for node in menu.nodes.values():
            self.node(node)
        self.add(self.end, "DisconnectParticipant", {}, {})
        flow = {
            "Version": "2019-10-30",
            "StartAction": start,
            "Metadata": {"name": menu.name, "description": f"exported from ivr ({menu.path})"},
            "Actions": self.actions,
        }
        check_flow(flow)
        if menu.centre is not None:
            self.lose("(centre)", "representatives, handle times and traffic", "left out: the floor is real people")
        name = f"{menu.name}.connect.json"
        return Exported(self.platform, {name: json.dumps(flow, indent=2, ensure_ascii=False) + "\n"}, self.lossy)

    def add(self, identifier: str, kind: str, params: dict[str, Any], transitions: dict[str, Any]) -> None:
        self.actions.append({"Identifier": identifier, "Type": kind, "Parameters": params, "Transitions": transitions})

    def at(self, node_id: str | None) -> str:
        """The action a call going to ``node_id`` starts at (the end when it goes nowhere)."""
        return self.end if node_id is None else _id(self.menu, node_id)

    def attributes(self, identifier: str, values: dict[str, Any], onward: str) -> None:
        """An UpdateContactAttributes action ``identifier`` setting ``values``, then ``onward``."""
        attributes = {key.replace(".", "_"): str(value) for key, value in values.items()}
        errors = [{"NextAction": onward, "ErrorType": "NoMatchingError"}]
        self.add(
            identifier, "UpdateContactAttributes", {"Attributes": attributes}, {"NextAction": onward, "Errors": errors}
        )

    def say(self, node_id: str, text: Any) -> str:
        return self.text(node_id, text, ATTRIBUTE)

    def spoken(self, node_id: str, prompt: Any) -> dict[str, str] | None:
        """How an action says ``prompt``: the stored prompt (`PromptId`) the node's `audio:` names, else
        its `Text`; None when it says nothing."""
        stored = self.played(node_id, prompt, "connect", ("arn",), files=False)
        if stored is not None:
            return {"PromptId": stored}
        said = self.say(node_id, prompt) if prompt else ""
        return {"Text": said} if said else None

    def message(self, identifier: str, node_id: str, prompt: Any, onward: str) -> None:
        self.said(identifier, self.spoken(node_id, prompt) or "", onward)

    def said(self, identifier: str, spoken: dict[str, str] | str, onward: str) -> None:
        """A MessageParticipant action saying ``spoken`` (text already written as Connect says it, or
        :meth:`spoken`'s parameters), then ``onward``."""
        params = spoken if isinstance(spoken, dict) else {"Text": spoken or " "}
        errors = [{"NextAction": onward, "ErrorType": "NoMatchingError"}]
        self.add(identifier, "MessageParticipant", params, {"NextAction": onward, "Errors": errors})

    def node(self, node: CompiledNode) -> None:
        spec, me = node.spec, self.at(node.id)
        if spec.set:  # variables set on entry: an attributes action under the node's identifier first
            inner = _id(self.menu, f"{node.id}/body")
            self.attributes(me, spec.set, inner)
            me = inner
        match spec:
            case MenuNode():
                self.menu_action(me, node, spec)
            case CollectNode():
                self.collect_actions(me, node, spec)
            case MessageNode() | ReturnNode() | SubmenuNode():
                self.message(me, node.id, getattr(spec, "prompt", None), self.at(self.next_of(node)))
            case BranchNode():
                self.branch_actions(me, node, spec)
            case SplitNode():
                first = next(iter(spec.shares))
                self.lose(node.id, "an A/B split by the caller's hash", f"every call goes to {first!r}")
                self.message(me, node.id, None, self.at(first))
            case LookupNode():
                self.lookup_action(me, node, spec)
            case QueueNode():
                self.queue_actions(me, node, spec)
            case TransferNode():
                body = self.prompt_then(me, node.id, spec.prompt)
                params = {"ThirdPartyPhoneNumber": spec.to, "ThirdPartyConnectionTimeLimitSeconds": "30"}
                params["ContinueFlowExecution"] = "False"
                errors = [{"NextAction": self.end, "ErrorType": "NoMatchingError"}]
                self.add(body, "TransferParticipantToThirdParty", params, {"NextAction": self.end, "Errors": errors})
            case HangupNode():
                if spec.reason != "completed":
                    self.lose(node.id, f"the hang-up reason {spec.reason!r}", "the flow disconnects")
                self.message(me, node.id, spec.prompt, self.end)
            case RecordNode():
                self.lose(node.id, "leaving a message", "Connect records through a flow module: the prompt is said")
                self.message(me, node.id, spec.prompt, self.at(self.edge(node, "next")))
            case SurveyNode():
                self.lose(node.id, "a survey", "each question is said; the answers are not taken")
                said = " ".join(self.say(node.id, q.prompt) for q in spec.questions)
                self.said(me, said, self.at(self.edge(node, "next")))

    def prompt_then(self, me: str, node_id: str, prompt: Any) -> str:
        """The prompt as a message under ``me`` when there is one; the identifier of what follows it."""
        spoken = self.spoken(node_id, prompt)
        if spoken is None:
            return me
        body = _id(self.menu, f"{node_id}/do")
        self.said(me, spoken, body)
        return body

    def menu_action(self, me: str, node: CompiledNode, spec: MenuNode) -> None:
        settings = node.settings
        assert settings is not None
        failed = self.at(self.edge(node, "exhausted"))
        conditions = []
        for edge in self.menu.edges.get(node.id, ()):
            if edge.kind in ("option", "key") and edge.key is not None:
                test = {"Operator": "Equals", "Operands": [edge.key]}
                conditions.append({"NextAction": self.at(edge.target), "Condition": test})
        back = self.back_to(node)
        if back is not None and settings.keys.back:
            conditions.append(
                {"NextAction": self.at(back), "Condition": {"Operator": "Equals", "Operands": [settings.keys.back]}}
            )
        repeat = settings.keys.repeat if settings.keys else None
        if repeat and repeat not in spec.options:  # the repeat key asks again
            conditions.append({"NextAction": me, "Condition": {"Operator": "Equals", "Operands": [repeat]}})
        self.lose(
            node.id, "no-input and no-match counts and reprompts", "silence or a wrong key goes where attempts lead"
        )
        errors = [
            {"NextAction": failed, "ErrorType": kind}
            for kind in ("InputTimeLimitExceeded", "NoMatchingCondition", "NoMatchingError")
        ]
        params = {
            **(self.spoken(node.id, spec.prompt) or SILENT),
            "StoreInput": "False",
            "InputTimeLimitSeconds": str(max(1, round(settings.timeout))),
        }
        self.add(me, "GetParticipantInput", params, {"NextAction": failed, "Conditions": conditions, "Errors": errors})

    def collect_actions(self, me: str, node: CompiledNode, spec: CollectNode) -> None:
        settings = node.settings
        assert settings is not None
        failed = self.at(self.edge(node, "exhausted"))
        keep = _id(self.menu, f"{node.id}/keep")
        if spec.min_digits > 1 or spec.validate_ is not None or spec.confirm is not None:
            self.lose(node.id, "digit checks and the read-back", "the entry is taken as typed")
        params = {
            **(self.spoken(node.id, spec.prompt) or SILENT),
            "StoreInput": "True",
            "InputTimeLimitSeconds": str(max(1, round(settings.timeout))),
            "InputValidation": {"CustomValidation": {"MaximumLength": str(spec.max_digits)}},
            "DTMFConfiguration": {"InputTerminationSequence": "#"},
        }
        errors = [{"NextAction": failed, "ErrorType": kind} for kind in ("InputTimeLimitExceeded", "NoMatchingError")]
        self.add(me, "GetParticipantInput", params, {"NextAction": keep, "Errors": errors})
        onward = self.at(self.edge(node, "next"))
        variable = spec.variable.replace(".", "_")
        errors = [{"NextAction": onward, "ErrorType": "NoMatchingError"}]
        attributes = {"Attributes": {variable: "$.StoredCustomerInput"}}
        self.add(keep, "UpdateContactAttributes", attributes, {"NextAction": onward, "Errors": errors})

    def branch_actions(self, me: str, node: CompiledNode, spec: BranchNode) -> None:
        """A Compare a case, on the contact attribute it tests; a case Connect cannot compare is left out."""
        targets = [e.target for e in self.menu.edges.get(node.id, ()) if e.kind == "case"]
        default = self.at(self.edge(node, "default"))
        cases = []
        for case, target in zip(spec.cases, targets, strict=True):
            test = self.compare(node.id, case.when)
            if test is not None:
                cases.append((test, self.at(target)))
        if not cases:
            self.message(me, node.id, None, default)
            return
        names = [me if i == 0 else _id(self.menu, f"{node.id}/case{i}") for i in range(len(cases))]
        for i, ((kind, params, condition), target) in enumerate(cases):
            otherwise = names[i + 1] if i + 1 < len(cases) else default
            transitions = {
                "NextAction": otherwise,
                "Conditions": [{"NextAction": target, "Condition": condition}],
                "Errors": [{"NextAction": otherwise, "ErrorType": "NoMatchingCondition"}],
            }
            self.add(names[i], kind, params, transitions)

    def compare(self, node_id: str, when: Condition) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
        """A case as Connect tests it: a Compare of a contact attribute, or CheckHoursOfOperation for a
        schedule (Connect's hours carry their holidays as overrides)."""
        parts = when.all_ or [when]
        schedules = [p.open for p in parts if p.open is not None]
        holidays = [p for p in parts if p.not_ is not None and p.not_.holiday]
        if schedules and len(schedules) + len(holidays) == len(parts) and len(schedules) == 1:
            if holidays:
                self.lose(node_id, "a holiday test", f"the hours {schedules[0]!r} in Connect hold the holidays")
            self.lose(node_id, f"the schedule {schedules[0]!r}", "hours of operation of that name, made in Connect")
            check = {"Operator": "Equals", "Operands": ["True"]}
            return "CheckHoursOfOperation", {"HoursOfOperationId": schedules[0]}, check
        if when.var is not None:
            var = when.var.replace(".", "_")
            for field, operator in _OPERATORS.items():
                value = getattr(when, field)
                if value is not None:
                    test = {"Operator": operator, "Operands": [str(value)]}
                    return "Compare", {"ComparisonValue": ATTRIBUTE.format(name=var)}, test
        self.lose(node_id, "a condition Connect's Compare cannot make (the clock, several tests)", "left out")
        return None

    def lookup_action(self, me: str, node: CompiledNode, spec: LookupNode) -> None:
        ways, onward, failed = self.lookup_ways(node, spec, f"the Lambda {spec.service}", "a `route` attribute")
        success = self.at(onward or (ways[0] if ways else failed))
        if len({*ways, onward} - {None}) > 1:
            self.lose(node.id, "answers that lead to different places", "the flow goes on where the first leads")
        body = self.prompt_then(me, node.id, spec.prompt)
        params = {"LambdaFunctionARN": spec.service, "InvocationTimeLimitSeconds": "8", "ResponseValidation": {}}
        params["ResponseValidation"] = {"ResponseType": "STRING_MAP"}
        errors = [{"NextAction": self.at(failed) if failed else success, "ErrorType": "NoMatchingError"}]
        self.add(body, "InvokeLambdaFunction", params, {"NextAction": success, "Errors": errors})

    def queue_actions(self, me: str, node: CompiledNode, spec: QueueNode) -> None:
        if self.edge(node, "after"):
            self.lose(node.id, "what follows the representative (after)", "the call ends with the queue")
        body = self.prompt_then(me, node.id, spec.prompt)
        transfer = _id(self.menu, f"{node.id}/transfer")
        errors = [{"NextAction": transfer, "ErrorType": "NoMatchingError"}]
        self.add(body, "UpdateContactTargetQueue", {"QueueId": spec.queue}, {"NextAction": transfer, "Errors": errors})
        busy = self.at(self.edge(node, "busy"))
        errors = [
            {"NextAction": busy, "ErrorType": "QueueAtCapacity"},
            {"NextAction": self.end, "ErrorType": "NoMatchingError"},
        ]
        self.add(transfer, "TransferContactToQueue", {}, {"Errors": errors})


def check_flow(flow: dict[str, Any]) -> None:
    """Refuse a flow over Connect's action limit; fail (a fault here) on an action named twice or a
    `NextAction` that names no action."""
    actions = flow["Actions"]
    if len(actions) > MAX_ACTIONS:
        raise TooManyActions(
            f"the flow needs {len(actions)} actions and Amazon Connect takes at most {MAX_ACTIONS} in one flow: "
            "export the sub-menus as flows of their own, or make the menu smaller"
        )
    names = [action["Identifier"] for action in actions]
    if len(names) != len(set(names)):
        raise AssertionError("two Connect actions share an identifier")
    known = set(names)
    if flow["StartAction"] not in known:
        raise AssertionError("the StartAction is not an action of the flow")
    for action in actions:
        transitions = action["Transitions"]
        leads = [transitions.get("NextAction")]
        leads += [c["NextAction"] for c in transitions.get("Conditions", []) + transitions.get("Errors", [])]
        for lead in leads:
            if lead is not None and lead not in known:
                raise AssertionError(f"{action['Identifier']} ({action['Type']}) leads to no action {lead!r}")


def export_connect(menu: Menu) -> Exported:
    """The menu as an Amazon Connect contact flow."""
    return _Connect(menu).run()
