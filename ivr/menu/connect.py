"""Amazon Connect flows (flow language JSON, also wrapped as an escaped string in `{Name, Type, Content}`)
turned into an `ivr` menu. Each action becomes a node named after what it does (`say_1`, `queue_sales`),
with a comment naming the action's identifier. Actions that call out (Lambda, flow modules, other flows,
Lex bots) or only change settings are marked and followed along their success path, with a warning.
Mapping table: docs/interop.md."""

from __future__ import annotations

import json
import re
from typing import Any

from ivr.menu.imported import END, TEMPLATE, Imported, ImportProblem, MenuDraft, joined, literal, node_id, recorded

_SSML = re.compile(r"<[^>]+>")
_SAID_ATTRIBUTE = re.compile(r"\$\.(?:Attributes|External)\.([A-Za-z_][A-Za-z0-9_]*)")  # inside a prompt's text
_ATTRIBUTE = re.compile(r"\$\.(?:Attributes|FlowAttributes|External|Lex\.IntentName)\.?([A-Za-z0-9_-]*)")
# Actions that only change settings or hooks: no caller hears them, the call goes on
_SETTINGS = {
    "UpdateFlowLoggingBehavior",
    "UpdateContactTextToSpeechVoice",
    "UpdateContactEventHooks",
    "UpdateFlowAttributes",
    "UpdateContactRecordingBehavior",
    "UpdateContactRoutingBehavior",
    "UpdateContactData",
}
_CALLS_OUT = {"InvokeFlowModule"}
_LOOKUPS = {"InvokeLambdaFunction", "InvokeExternalResource"}  # a call out with an answer: a `lookup` node


def looks_like_connect(text: str) -> bool:
    return '"Actions"' in text or ('"Content"' in text and "Actions" in text)


def parse_connect(text: str) -> dict[str, Any]:
    """The flow: the flow language JSON itself, or the `Content` of a `{Name, Type, Content}` wrapper."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportProblem(f"the flow is not JSON: {exc.msg} at line {exc.lineno}") from None
    if isinstance(data, dict) and "Content" in data:
        content = data["Content"]
        if isinstance(content, str):
            try:
                content = json.loads(content)
            except json.JSONDecodeError as exc:
                raise ImportProblem(f"the flow in `Content` is not JSON: {exc.msg}") from None
        data = content
    if not isinstance(data, dict) or not isinstance(data.get("Actions"), list):
        raise ImportProblem("an Amazon Connect flow has an `Actions` list; this file has none")
    return data


def short_name(value: str) -> str:
    """A readable name for an ARN, a `$.FlowAttributes.x` reference or a Terraform `${NAME}`."""
    value = value.strip()
    if (match := _ATTRIBUTE.fullmatch(value)) and match.group(1):
        return node_id(match.group(1))
    if match := TEMPLATE.fullmatch(value):
        return node_id(match.group(1).lower())
    return node_id(value.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1])[:40] or "queue"


class _Importer:
    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.actions = {a["Identifier"]: a for a in data["Actions"] if isinstance(a, dict) and "Identifier" in a}
        self.start = data.get("StartAction")
        self.draft = MenuDraft("Amazon Connect", source)
        self.ids: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self.ends = False

    def warn(self, action: dict[str, Any], text: str) -> None:
        self.draft.warn(f"action {action['Identifier']!r} ({action['Type']})", text)

    def id_of(self, identifier: str) -> str:
        """A readable node id for an action, made once per action."""
        if identifier not in self.ids:
            action = self.actions[identifier]
            base = {
                "MessageParticipant": "say",
                "MessageParticipantIteratively": "hold_message",
                "GetParticipantInput": "menu",
                "DisconnectParticipant": "hang_up",
                "EndFlowExecution": "hang_up",
                "TransferContactToQueue": "to_queue",
                "UpdateContactTargetQueue": "set_queue",
                "Compare": "check",
                "CheckHoursOfOperation": "hours",
                "ConnectParticipantWithLexBot": "bot",
            }.get(action["Type"], node_id(re.sub(r"(?<!^)(?=[A-Z])", "_", action["Type"]).lower()))
            self.counts[base] = self.counts.get(base, 0) + 1
            self.ids[identifier] = f"{base}_{self.counts[base]}"
        return self.ids[identifier]

    def next_of(self, action: dict[str, Any]) -> str:
        target = (action.get("Transitions") or {}).get("NextAction")
        if isinstance(target, str) and target in self.actions:
            return self.id_of(target)
        if target:
            self.warn(action, f"leads to {target!r}, which is not in the flow: the call ends there")
        self.ends = True
        return END

    def error_of(self, action: dict[str, Any], *kinds: str) -> str | None:
        for error in (action.get("Transitions") or {}).get("Errors", []):
            if error.get("ErrorType") in kinds and error.get("NextAction") in self.actions:
                return self.id_of(error["NextAction"])
        return None

    def run(self) -> Imported:
        if not self.actions:  # an empty flow (a test fixture, a flow not yet built): the call just ends
            self.draft.warn("the flow", "has no actions: the call ends at once")
            self.ends = True
            start = END
        elif not isinstance(self.start, str) or self.start not in self.actions:
            raise ImportProblem("the flow's StartAction is not one of its actions")
        else:
            start = self.id_of(self.start)
        # Transfers last: they reach every queue the flow sets, wherever in the list those actions are
        ordered = sorted(self.actions.values(), key=lambda a: a["Type"] == "TransferContactToQueue")
        for action in ordered:
            self.action(action)
        if self.ends:
            self.draft.nodes[END] = {"type": "hangup", "prompt": False}
            self.draft.comments[END] = "where the Connect flow simply ends"
        return self.draft.result(start)

    def action(self, action: dict[str, Any]) -> None:
        kind, params = action["Type"], action.get("Parameters") or {}
        me = self.id_of(action["Identifier"])
        self.draft.comments[me] = f"Connect action {action['Identifier']} ({kind})"
        nodes = self.draft.nodes
        if kind == "MessageParticipant":
            nodes[me] = {"type": "message", "prompt": self.say(action, params), "next": self.next_of(action)}
        elif kind == "MessageParticipantIteratively":
            texts = [self.say(action, m) for m in params.get("Messages", [])]
            spoken = [t for t in texts if isinstance(t, str) and t]
            said = joined(spoken) if spoken else False
            nodes[me] = {"type": "message", "prompt": said, "next": self.next_of(action)}
            self.warn(action, "played over and over while a caller waits in Connect: said once here")
        elif kind in ("DisconnectParticipant", "EndFlowExecution", "EndFlowModuleExecution"):
            nodes[me] = {"type": "hangup", "prompt": False}
        elif kind == "UpdateContactTargetQueue":
            queue = short_name(str(params.get("QueueId", "queue")))
            self.draft.queues.setdefault(queue, {"description": f"from Connect action {action['Identifier']}"})
            nodes[me] = {
                "type": "message",
                "prompt": False,
                "set": {"target_queue": queue},
                "next": self.next_of(action),
            }
        elif kind == "TransferContactToQueue":
            nodes[me] = self.transfer_to_queue(action)
        elif kind == "GetParticipantInput" and str(params.get("StoreInput", "False")).lower() == "true":
            nodes[me] = self.collect(action, params, me)
        elif kind == "GetParticipantInput":
            nodes[me] = self.menu(action, params)
        elif kind in ("Compare", "CheckHoursOfOperation"):
            nodes[me] = self.compare(action, params, me)
        elif kind == "TransferParticipantToThirdParty":
            nodes[me] = {"type": "transfer", "to": str(params.get("ThirdPartyPhoneNumber") or "elsewhere")}
        elif kind == "UpdateContactAttributes":  # `$.StoredCustomerInput` is kept by the entry before it
            attributes = (params.get("Attributes") or {}).items()
            values = {node_id(k): str(v) for k, v in attributes if str(v) != "$.StoredCustomerInput"}
            nodes[me] = {"type": "message", "prompt": False, "set": values, "next": self.next_of(action)}
        elif kind == "TransferToFlow":  # the call leaves this flow; NextAction is only its error path
            flow = short_name(str(params.get("ContactFlowId", "another_flow")))
            nodes[me] = {"type": "transfer", "to": f"flow:{flow}"}
            self.warn(action, f"the call goes on in the flow {flow!r}: import that flow to follow it there")
        elif kind == "ConnectParticipantWithLexBot":
            self.bot(action, params, me)
        elif kind in _SETTINGS:
            nodes[me] = {"type": "message", "prompt": False, "next": self.next_of(action)}
        elif kind in _LOOKUPS:
            self.lookup(action, params, me, str(kind))
        else:
            if kind not in _CALLS_OUT:
                self.warn(action, f"{kind} has no ivr equivalent: marked, and the call goes on as on success")
            else:
                self.warn(action, f"{kind} does not run in ivr (nothing is called): the call goes on as on success")
            nodes[me] = {"type": "message", "prompt": False, "next": self.next_of(action)}
            self.draft.comments[me] += ": NOT RUN, goes on as on success"

    def lookup(self, action: dict[str, Any], params: dict[str, Any], me: str, kind: str) -> None:
        """A Lambda as a `lookup` node: nothing is called; it answers every input with nothing returned
        until the designer declares its answers. An error goes where the action's errors go."""
        service = next(
            (str(params[k]) for k in ("LambdaFunctionARN", "FunctionArn", "ResourceId") if params.get(k)), kind
        )
        node: dict[str, Any] = {"type": "lookup", "service": service, "answers": {"*": {}}}
        node["next"] = self.next_of(action)
        failed = self.error_of(action, "NoMatchingError", "NoMatchingCondition")
        if failed is not None:
            node["on_error"] = failed
        self.draft.nodes[me] = node
        self.warn(
            action,
            f"{kind} is a lookup: nothing is called; it returns nothing until its `answers` are declared "
            "(docs/menu-format.md), and scripts can answer for it (`world: lookups:`)",
        )

    def collect(self, action: dict[str, Any], params: dict[str, Any], me: str) -> dict[str, Any]:
        """Digits stored as `$.StoredCustomerInput`: an entry, kept in the attribute the action after it
        copies the input to (else `<node>_input`)."""
        onward = self.actions.get(str((action.get("Transitions") or {}).get("NextAction")))
        kept = ((onward or {}).get("Parameters") or {}).get("Attributes") or {}
        variable = next((node_id(k) for k, v in kept.items() if v == "$.StoredCustomerInput"), f"{me}_input")
        validation = (params.get("InputValidation") or {}).get("CustomValidation") or {}
        longest = (
            int(str(validation.get("MaximumLength") or "20"))
            if str(validation.get("MaximumLength") or "20").isdigit()
            else 20
        )
        failed = self.error_of(action, "InputTimeLimitExceeded", "NoMatchingError")
        node: dict[str, Any] = {
            "type": "collect",
            "prompt": self.say(action, params) or "(no prompt)",
            "variable": variable,
            "min_digits": 1,
            "max_digits": max(1, min(longest, 32)),
            "next": self.next_of(action),
        }
        if failed is not None:
            node["on_exhausted"] = failed
        return node

    def compare(self, action: dict[str, Any], params: dict[str, Any], me: str) -> dict[str, Any]:
        """A Compare of a contact attribute, as a branch on that variable; CheckHoursOfOperation as a branch
        on declared caller data `open_<hours>` (Connect's hours are not simulated)."""
        if action["Type"] == "CheckHoursOfOperation":
            var = f"open_{short_name(str(params.get('HoursOfOperationId') or 'hours'))}"
            self.draft.inputs[var] = {"type": "text", "values": ["True", "False"], "description": "Connect's hours"}
            self.warn(action, f"hours of operation are not simulated: open or not is the caller data {var!r}")
        else:
            value = str(params.get("ComparisonValue") or "")
            found = _ATTRIBUTE.fullmatch(value)
            var = node_id(found.group(1)) if found and found.group(1) else f"{me}_value"
            if not (found and found.group(1)):
                self.draft.inputs[var] = {"type": "text", "description": f"what Connect compared: {value}"}
                self.warn(action, f"compares {value!r}, which ivr cannot compute: kept as the caller data {var!r}")
        operators = {"Equals": "eq", "NumberLessThan": "lt", "NumberGreaterThan": "gt"}
        operators |= {"NumberLessOrEqualTo": "le", "NumberGreaterOrEqualTo": "ge"}
        cases = []
        for condition in (action.get("Transitions") or {}).get("Conditions", []):
            test = condition.get("Condition") or {}
            operands, operator = test.get("Operands") or [], operators.get(str(test.get("Operator")))
            if operator is None or len(operands) != 1 or condition.get("NextAction") not in self.actions:
                self.warn(action, f"the condition {test} is not one comparison: left out")
                continue
            operand: Any = str(operands[0])
            if operator != "eq":
                try:
                    operand = float(operand)
                except ValueError:
                    self.warn(action, f"the condition {test} compares a number to {operand!r}: left out")
                    continue
            cases.append({"when": {"var": var, operator: operand}, "goto": self.id_of(condition["NextAction"])})
        otherwise = self.error_of(action, "NoMatchingCondition") or self.next_of(action)
        if not cases:
            return {"type": "message", "prompt": False, "next": otherwise}
        return {"type": "branch", "cases": cases, "default": otherwise}

    def bot(self, action: dict[str, Any], params: dict[str, Any], me: str) -> None:
        """A Lex bot asks and routes by the intent it hears: the question, then a branch on the intent,
        which a script or `--var` gives (speech is not simulated)."""
        intent = f"{me}_intent"
        cases, heard = [], []
        for condition in (action.get("Transitions") or {}).get("Conditions", []):
            operands = (condition.get("Condition") or {}).get("Operands") or []
            if len(operands) == 1 and condition.get("NextAction") in self.actions:
                heard.append(str(operands[0]))
                cases.append(
                    {"when": {"var": intent, "eq": str(operands[0])}, "goto": self.id_of(condition["NextAction"])}
                )
        self.draft.inputs[intent] = {"type": "text", "values": heard or ["none"], "description": "what the bot heard"}
        self.draft.nodes[me] = {"type": "message", "prompt": self.say(action, params), "next": f"{me}_answer"}
        self.draft.nodes[f"{me}_answer"] = {
            "type": "branch",
            "cases": cases or [{"when": {"var": intent, "exists": True}, "goto": self.next_of(action)}],
            "default": self.next_of(action),
        }
        self.draft.comments[f"{me}_answer"] = f"where the bot's intent leads ({intent})"
        self.warn(action, f"speech is not simulated: the intent is the caller data {intent!r}")

    def say(self, action: dict[str, Any], params: dict[str, Any]) -> str | bool:
        if params.get("Text") or params.get("SSML"):
            text = str(params.get("Text") or _SSML.sub("", str(params.get("SSML"))))
            # `$.Attributes.name` (a contact attribute) and `$.External.name` (what a Lambda returned) are
            # said as their values in Connect: the placeholder `{name}` says them here
            said = literal(" ".join(text.split()))
            return _SAID_ATTRIBUTE.sub(lambda found: "{" + node_id(found.group(1)) + "}", said)
        if params.get("PromptId"):
            given = params["PromptId"]
            prompt = str(given.get("displayName", "prompt") if isinstance(given, dict) else given)
            self.warn(action, "plays a stored prompt: kept as the node's `audio:`, said here as a note naming it")
            return recorded(prompt, "connect")
        return False

    def transfer_to_queue(self, action: dict[str, Any]) -> dict[str, Any]:
        """To the queue the flow set before (`target_queue`): one case per queue the flow names."""
        full = self.error_of(action, "QueueAtCapacity")
        queues = sorted(self.draft.queues) or ["queue"]
        for queue in queues:
            self.draft.queues.setdefault(queue, {"description": "the flow's working queue"})
            node = f"queue_{queue}"
            self.draft.nodes.setdefault(node, {"type": "queue", "queue": queue, **({"on_busy": full} if full else {})})
            self.draft.comments.setdefault(node, f"the queue {queue!r} a transfer reaches")
        if len(queues) == 1:
            return {"type": "message", "prompt": False, "next": f"queue_{queues[0]}"}
        cases = [{"when": {"var": "target_queue", "eq": q}, "goto": f"queue_{q}"} for q in queues]
        return {"type": "branch", "cases": cases, "default": f"queue_{queues[0]}"}

    def menu(self, action: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        options: dict[str, str] = {}
        for condition in (action.get("Transitions") or {}).get("Conditions", []):
            operands = (condition.get("Condition") or {}).get("Operands") or []
            target = condition.get("NextAction")
            if len(operands) == 1 and str(operands[0]) in list("0123456789*#") and target in self.actions:
                options[str(operands[0])] = self.id_of(target)
            else:
                self.warn(action, f"the condition {condition.get('Condition')} is not one key: left out")
        failed = self.error_of(action, "NoMatchingCondition", "InputTimeLimitExceeded", "NoMatchingError")
        if failed is None:
            failed, self.ends = END, True
        prompt = self.say(action, params) or "(no prompt)"
        if not options:
            return {"type": "message", "prompt": prompt, "next": failed}
        return {"type": "menu", "prompt": prompt, "options": options, "on_exhausted": failed}


def import_connect(text: str, source: str) -> Imported:
    """The Amazon Connect flow in ``text`` (a file called ``source``) as an `ivr` menu."""
    return _Importer(parse_connect(text), source).run()
