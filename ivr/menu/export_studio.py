"""A menu as a Twilio Studio flow definition (the JSON Studio's editor and its REST API load).

Each node becomes the widget Studio has for it: a menu is a `gather-input-on-call` whose digits a
`split-based-on` routes; a digit entry is a gather and a `set-variables` that keeps the digits; messages
are `say-play`; queues `enqueue-call`; transfers `connect-call-to`; messages left `record-voicemail`;
lookups `make-http-request` (or `run-function`); branches a chain of splits on flow variables. Every
`next` names a state of the flow, and the flow is checked against the shape Studio publishes
(:data:`FLOW_SHAPE`) before it is written.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema

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
from ivr.menu.text import pick

LIQUID = "{{{{flow.variables.{name}}}}}"  # how a prompt says a variable: `{x}` -> {{flow.variables.x}}

# The flow definition's shape, as Twilio documents it (https://www.twilio.com/docs/studio/rest-api/v2/flow):
# a description, the name of the first state, flags, and states that each have a name, a widget type,
# transitions (an event and, where the flow goes on, the next state's name) and properties.
FLOW_SHAPE: dict[str, Any] = {
    "type": "object",
    "required": ["description", "states", "initial_state", "flags"],
    "additionalProperties": False,
    "properties": {
        "description": {"type": "string"},
        "initial_state": {"type": "string"},
        "flags": {"type": "object", "properties": {"allow_concurrent_calls": {"type": "boolean"}}},
        "states": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "type", "transitions", "properties"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "pattern": "^[A-Za-z0-9_]{1,64}$"},
                    "type": {"type": "string"},
                    "transitions": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["event"],
                            "properties": {
                                "event": {"type": "string"},
                                "next": {"type": "string"},
                                "conditions": {"type": "array"},
                            },
                        },
                    },
                    "properties": {"type": "object"},
                },
            },
        },
    },
}
_REGIONS = {"en": "en-US", "ur": "ur-PK", "ar": "ar-SA", "es": "es-ES", "fr": "fr-FR", "de": "de-DE"}  # Studio's tags
_TESTS = {"eq": "equal_to", "ne": "not_equal_to", "in_": "matches_any_of", "lt": "less_than", "gt": "greater_than"}


def state_name(node_id: str) -> str:
    """A node id as a Studio widget name (letters, digits and underscores)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", node_id)[:64]


def _go(event: str, target: str | None, **extra: Any) -> dict[str, Any]:
    return {"event": event, **({"next": target} if target else {}), **extra}


class _Studio(Exporter):
    platform = "Twilio Studio"

    def __init__(self, menu: Menu) -> None:
        super().__init__(menu)
        self.states: list[dict[str, Any]] = []

    def run(self) -> Exported:
        menu = self.menu
        trigger_events = ("incomingMessage", "incomingCall", "incomingConversationMessage", "incomingRequest")
        first = "ivr_variables" if menu.variables else self.at(menu.start)
        trigger = [_go(e, first if e == "incomingCall" else None) for e in trigger_events]
        self.add("Trigger", "trigger", trigger, {"offset": {"x": 0, "y": 0}})
        if menu.variables:  # the menu's own variables, set as the call comes in
            self.set_variables("ivr_variables", menu.variables, self.at(menu.start))
        for node in menu.nodes.values():
            self.node(node)
        flow = {
            "description": f"{menu.name}: exported from ivr ({menu.path})",
            "states": self.states,
            "initial_state": "Trigger",
            "flags": {"allow_concurrent_calls": True},
        }
        check_flow(flow)
        if menu.centre is not None:
            self.lose("(centre)", "representatives, handle times and traffic", "Studio hands callers to TaskRouter")
        name = f"{state_name(menu.name)}.studio.json"
        return Exported(self.platform, {name: json.dumps(flow, indent=2, ensure_ascii=False) + "\n"}, self.lossy)

    def add(self, name: str, kind: str, transitions: list[dict[str, Any]], props: dict[str, Any]) -> None:
        position = {"x": 300 * (len(self.states) % 6), "y": 250 * (len(self.states) // 6)}
        properties = {**props, "offset": props.get("offset", position)}
        self.states.append({"name": name, "type": kind, "transitions": transitions, "properties": properties})

    def at(self, node_id: str | None) -> str | None:
        """The state a call going to ``node_id`` enters; None where the flow ends (a silent hang-up)."""
        if node_id is None:
            return None
        node = self.menu.nodes[node_id]
        spec = node.spec
        if isinstance(spec, HangupNode) and not spec.set and not self.says(spec.prompt):
            return None  # a hang-up that says nothing: the flow just ends
        return state_name(node_id) + ("_set" if node.spec.set else "")

    def say(self, node_id: str, text: Any) -> str:
        return self.text(node_id, text, LIQUID)

    def says(self, text: Any) -> bool:
        """Whether a prompt says anything (without writing it out, which reports what it loses)."""
        return text is not None and bool(pick(text, self.language, self.language).strip())

    def set_variables(self, name: str, values: dict[str, Any], onward: str | None) -> None:
        """A set-variables state setting ``values`` as flow variables, then ``onward``."""
        written = [{"key": key.replace(".", "_"), "value": str(value)} for key, value in values.items()]
        self.add(name, "set-variables", [_go("next", onward)], {"variables": written})

    def node(self, node: CompiledNode) -> None:
        spec, me = node.spec, state_name(node.id)
        if spec.set:  # variables set on entry: a set-variables state first
            self.set_variables(f"{me}_set", spec.set, me)
        match spec:
            case MenuNode():
                self.menu_states(node, spec)
            case CollectNode():
                self.collect_states(node, spec)
            case MessageNode() | ReturnNode() | SubmenuNode():
                self.message(me, node.id, getattr(spec, "prompt", None), self.at(self.next_of(node)))
            case BranchNode():
                self.branch_states(node, spec)
            case SplitNode():
                first = next(iter(spec.shares))
                self.lose(node.id, "an A/B split by the caller's hash", f"every call goes to {first!r}")
                self.message(me, node.id, None, self.at(first))
            case LookupNode():
                self.lookup_state(node, spec)
            case QueueNode():
                if self.edge(node, "after", "busy"):
                    self.lose(node.id, "what follows the queue (after, on_busy)", "the call ends when the queue does")
                name = self.prompt_then(me, node.id, spec.prompt)
                self.add(name, "enqueue-call", [_go("callComplete", None), _go("failedToEnqueue", None)], {
                    "queue_name": spec.queue,
                    "priority": 0,
                    "timeout": 3600,
                })  # fmt: skip
            case TransferNode():
                name = self.prompt_then(me, node.id, spec.prompt)
                self.add(name, "connect-call-to", [_go("callCompleted", None)], {"noun": "number", "to": spec.to})
            case HangupNode():
                if spec.reason != "completed":
                    self.lose(node.id, f"the hang-up reason {spec.reason!r}", "the flow simply ends")
                self.message(me, node.id, spec.prompt, None)
            case RecordNode():
                name = self.prompt_then(me, node.id, spec.prompt)
                onward = self.at(self.edge(node, "next"))
                events = ("recordingComplete", "noAudio", "hangup")
                props = {
                    "max_length": int(spec.max_length),
                    "finish_on_key": spec.terminator or "#",
                    "play_beep": "true",
                }
                self.add(name, "record-voicemail", [_go(e, onward) for e in events], props)
            case SurveyNode():
                self.survey_states(node, spec)

    def spoken(self, node_id: str, prompt: Any) -> dict[str, Any]:
        """How a say-play or gather widget says ``prompt``: its recording's URL (`play`) where the node
        names one Studio can fetch, else its text (`say`); empty when it says nothing."""
        url = self.played(node_id, prompt, "studio", ("http", "https"), files=False)
        if url is not None:
            return {"play": url}
        said = self.say(node_id, prompt) if prompt else ""
        return {"say": said} if said else {}

    def message(self, me: str, node_id: str, prompt: Any, onward: str | None) -> None:
        said = self.spoken(node_id, prompt)
        if said:
            self.add(me, "say-play", [_go("audioComplete", onward)], {**said, "loop": 1})
        else:
            self.add(me, "set-variables", [_go("next", onward)], {"variables": []})

    def prompt_then(self, me: str, node_id: str, prompt: Any) -> str:
        """A widget that cannot speak: its prompt is a say-play entered under the node's name, and the
        widget's own name (returned) comes after it."""
        said = self.spoken(node_id, prompt)
        if not said:
            return me
        self.add(me, "say-play", [_go("audioComplete", f"{me}_do")], {**said, "loop": 1})
        return f"{me}_do"

    def gather(
        self, me: str, node_id: str, prompt: Any, digits: int, timeout: float, onward: str, silence: str | None
    ) -> None:
        props = {
            **(self.spoken(node_id, prompt) or {"say": " "}),
            "stop_gather": True,
            "number_of_digits": digits,
            "timeout": max(1, round(timeout)),
            "finish_on_key": "#",
            "gather_language": _REGIONS.get(self.language, self.language),
        }
        self.add(
            me, "gather-input-on-call", [_go("keypress", onward), _go("speech", onward), _go("timeout", silence)], props
        )

    def menu_states(self, node: CompiledNode, spec: MenuNode) -> None:
        me, settings = state_name(node.id), node.settings
        assert settings is not None
        exhausted = self.at(self.edge(node, "exhausted"))
        self.gather(me, node.id, spec.prompt, 1, settings.timeout, f"{me}_keys", exhausted)
        matches = []
        for edge in self.menu.edges.get(node.id, ()):
            if edge.kind in ("option", "key") and edge.key is not None:
                condition = {
                    "friendly_name": f"key {edge.key}",
                    "arguments": [f"{{{{widgets.{me}.Digits}}}}"],
                    "type": "equal_to",
                    "value": edge.key,
                }
                matches.append(_go("match", self.at(edge.target) or me, conditions=[condition]))
        back = self.back_to(node)
        if back is not None and settings.keys.back:
            condition = {"friendly_name": "back", "arguments": [f"{{{{widgets.{me}.Digits}}}}"], "type": "equal_to"}
            matches.append(_go("match", self.at(back) or me, conditions=[{**condition, "value": settings.keys.back}]))
        repeat = settings.keys.repeat if settings.keys else None
        if repeat and repeat not in spec.options:
            condition = {"friendly_name": "repeat", "arguments": [f"{{{{widgets.{me}.Digits}}}}"], "type": "equal_to"}
            matches.append(_go("match", me, conditions=[{**condition, "value": repeat}]))
        self.lose(
            node.id, "no-input and no-match counts and reprompts", "a wrong key or silence goes where attempts lead"
        )
        self.add(f"{me}_keys", "split-based-on", [_go("noMatch", exhausted), *matches], {
            "input": f"{{{{widgets.{me}.Digits}}}}"
        })  # fmt: skip

    def collect_states(self, node: CompiledNode, spec: CollectNode) -> None:
        me, settings = state_name(node.id), node.settings
        assert settings is not None
        exhausted = self.at(self.edge(node, "exhausted"))
        self.gather(me, node.id, spec.prompt, spec.max_digits, settings.timeout, f"{me}_entered", exhausted)
        if spec.min_digits > 1 or spec.validate_ is not None or spec.confirm is not None:
            self.lose(node.id, "digit checks and the read-back", "the entry is taken as typed")
        kept = [{"key": spec.variable.replace(".", "_"), "value": f"{{{{widgets.{me}.Digits}}}}"}]
        self.add(f"{me}_entered", "set-variables", [_go("next", self.at(self.edge(node, "next")))], {"variables": kept})

    def branch_states(self, node: CompiledNode, spec: BranchNode) -> None:
        """A split a test, each on its variable: a case of several tests (`all`) is a chain of them, a
        wrong answer at any goes on to the next case; a case Studio cannot test is left out (reported)."""
        me = state_name(node.id)
        targets = [e.target for e in self.menu.edges.get(node.id, ()) if e.kind == "case"]
        default = self.at(self.edge(node, "default"))
        cases = []
        for case, target in zip(spec.cases, targets, strict=True):
            tests = self.studio_tests(node.id, case.when)
            if tests is not None:
                cases.append((tests, self.at(target)))
            else:
                self.lose(node.id, "a condition on the time of day, weekdays or an `any`", "that case is left out")
        if not cases:
            self.message(me, node.id, None, default)
            return
        firsts = [me if i == 0 else f"{me}_{i}" for i in range(len(cases))]
        for i, (tests, way) in enumerate(cases):
            otherwise = firsts[i + 1] if i + 1 < len(cases) else default
            for j, (var, condition) in enumerate(tests):
                name = firsts[i] if j == 0 else f"{firsts[i]}_{j}"
                then = f"{firsts[i]}_{j + 1}" if j + 1 < len(tests) else way
                transitions = [_go("noMatch", otherwise), _go("match", then, conditions=[condition])]
                self.add(name, "split-based-on", transitions, {"input": f"{{{{flow.variables.{var}}}}}"})

    def studio_tests(self, node_id: str, when: Condition) -> list[tuple[str, dict[str, Any]]] | None:
        """``when`` as Studio split conditions that must all hold; None when Studio cannot test it."""
        if when.all_ is not None:
            parts = [self.studio_tests(node_id, part) for part in when.all_]
            return None if any(p is None for p in parts) else [t for p in parts if p for t in p]
        if when.not_ is not None:
            inner = when.not_
            if inner.holiday is not None:
                return self.studio_tests(node_id, Condition(holiday=not inner.holiday))
            if inner.var is not None and inner.eq is not None:
                return self.studio_tests(node_id, Condition(var=inner.var, ne=inner.eq))
            return None
        if when.var is not None:
            var = when.var.replace(".", "_")
            argument = f"{{{{flow.variables.{var}}}}}"
            for field, kind in _TESTS.items():
                value = getattr(when, field)
                if value is not None:
                    shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
                    return [
                        (var, {"friendly_name": f"{var} {kind}", "arguments": [argument], "type": kind, "value": shown})
                    ]
            if when.exists is not None:
                kind = "is_not_blank" if when.exists else "is_blank"
                return [(var, {"friendly_name": f"{var} {kind}", "arguments": [argument], "type": kind})]
            return None
        if when.open is not None or when.holiday is not None:
            var = f"ivr_open_{when.open}" if when.open is not None else "ivr_holiday"
            var = var.replace(".", "_").replace("-", "_")
            self.lose(
                node_id,
                f"the schedule {when.open!r}" if when.open is not None else "a holiday test",
                f"flow.variables.{var}, which the flow must set (a Function can): Studio has no calendar",
            )
            truth = "true" if when.open is not None or when.holiday else "false"
            argument = f"{{{{flow.variables.{var}}}}}"
            return [(var, {"friendly_name": var, "arguments": [argument], "type": "equal_to", "value": truth})]
        return None

    def lookup_state(self, node: CompiledNode, spec: LookupNode) -> None:
        me = state_name(node.id)
        ways, onward, failed = self.lookup_ways(node, spec, f"the request to {spec.service}", "its `route`")
        success = self.at(onward or (ways[0] if ways else failed))
        if len({*ways, onward} - {None}) > 1:
            self.lose(node.id, "answers that lead to different places", f"the flow goes on to {success}")
        name = self.prompt_then(me, node.id, spec.prompt)
        props = {
            "method": "GET",
            "url": spec.service,
            "content_type": "application/x-www-form-urlencoded;charset=utf-8",
        }
        self.add(name, "make-http-request", [_go("success", success), _go("failed", self.at(failed))], props)

    def survey_states(self, node: CompiledNode, spec: SurveyNode) -> None:
        me = state_name(node.id)
        self.lose(node.id, "a survey", "one one-digit gather per question; answers are not named")
        onward = self.at(self.edge(node, "next"))
        names = [me if i == 0 else f"{me}_{i}" for i in range(len(spec.questions))]
        for i, question in enumerate(spec.questions):
            following = names[i + 1] if i + 1 < len(names) else onward
            self.gather(names[i], node.id, question.prompt, 1, 5, following or names[i], following)


def check_flow(flow: dict[str, Any]) -> None:
    """Refuse a flow whose widget names clash (node ids that read the same in Studio); fail (a fault in this
    exporter) unless ``flow`` has Studio's shape and every `next` names a state."""
    jsonschema.validate(flow, FLOW_SHAPE)
    names = [state["name"] for state in flow["states"]]
    if len(names) != len(set(names)):
        clashes = ", ".join(sorted({n for n in names if names.count(n) > 1}))
        raise ExportRefused(
            f"node ids give Studio widgets the same name ({clashes}): Studio names are letters, digits and _ "
            "(64 at most), and a menu becomes widgets such as NODE_keys and NODE_entered; rename one of the nodes"
        )
    for state in flow["states"]:
        for transition in state["transitions"]:
            if "next" in transition and transition["next"] not in names:
                raise AssertionError(f"{state['name']}: {transition['event']} leads to no state {transition['next']!r}")


def export_studio(menu: Menu) -> Exported:
    """The menu as a Twilio Studio flow definition."""
    return _Studio(menu).run()
