"""Twilio Studio flows (flow-definition JSON, or that JSON in a JS module) turned into an `ivr` menu a
person would have written: readable ids, prompts, queues declared, and a comment naming the widget each
node comes from. What Studio has and `ivr` cannot carry (a function run, an HTTP request, a recording
played by URL) becomes a marked node and a warning naming the widget: never a silent drop. Liquid
placeholders (`{{widgets.menu.Digits}}`, `{{flow.variables.x}}`) become variables where `ivr` has them
and are kept, explained, where it does not. Mapping table: docs/interop.md."""

from __future__ import annotations

import json
import re
from typing import Any

from ivr.menu.imported import END, TEMPLATE, Imported, ImportProblem, MenuDraft, literal, node_id, recorded

_LIQUID = re.compile(r"\{\{\s*([^}]*?)\s*\}\}")
_DIGITS_INPUT = re.compile(r"^\{\{\s*widgets\.([A-Za-z0-9_-]+)\.Digits\s*\}\}$")
StudioError = ImportProblem


def looks_like_studio(text: str) -> bool:
    return '"states"' in text and ('"initial_state"' in text or '"trigger"' in text)


def parse_studio(text: str) -> dict[str, Any]:
    """The flow definition: JSON, or the object literal of `module.exports = ... = {...}`."""
    body = text.strip()
    if not body.startswith("{"):
        start, end = body.find("{"), body.rfind("}")
        if start < 0 or end < start:
            raise StudioError("no flow definition (a JSON object with `states`) in the file")
        body = body[start : end + 1]
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise StudioError(f"the flow definition is not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(data, dict) or not isinstance(data.get("states"), list):
        raise StudioError("a Studio flow has a `states` list; this file has none")
    return data


def variable(expression: str) -> str | None:
    """An `ivr` variable for a Liquid expression, or None when `ivr` has no such thing."""
    parts = expression.strip().split(".")
    if len(parts) == 3 and parts[0] == "widgets" and parts[2] in ("Digits", "SpeechResult"):
        return f"{node_id(parts[1])}_{parts[2].lower()}"
    if len(parts) == 3 and parts[:2] == ["flow", "variables"]:
        return node_id(parts[2])
    if expression.strip() in ("trigger.call.From", "contact.channel.address"):
        return "caller.number"
    return None


class _Importer:
    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.states = {s.get("name"): s for s in data["states"] if isinstance(s, dict)}
        self.source = source
        self.draft = MenuDraft("Twilio Studio", source)
        self.warnings, self.nodes, self.comments = self.draft.warnings, self.draft.nodes, self.draft.comments
        self.queues, self.inputs = self.draft.queues, self.draft.inputs
        self.consumed: set[str] = set()  # splits folded into the menu before them
        self.ends = False

    def warn(self, widget: str, text: str) -> None:
        self.warnings.append(f"{self.source}: widget {widget!r}: {text}")

    def target(self, state: dict[str, Any], *events: str) -> str:
        """Where the first of ``events`` leads, or the end of the flow when it leads nowhere."""
        for transition in state.get("transitions", []):
            if transition.get("event") in events and transition.get("next"):
                if transition["next"] in self.states:
                    return node_id(transition["next"])
                self.warn(state["name"], f"leads to {transition['next']!r}, which is not in the flow")
        self.ends = True
        return END

    def text(self, widget: str, value: str) -> str:
        """A Studio text as an `ivr` prompt: Liquid output becomes {variables} where `ivr` has them; the
        rest (other output, `{% ... %}` logic) is said as written, braces and all, with a warning."""
        pieces, last = [], 0
        for match in _LIQUID.finditer(value):
            pieces.append(literal(value[last : match.start()]))
            name = variable(match.group(1))
            if name is not None:
                pieces.append("{" + name + "}")
            else:
                self.warn(widget, f"{{{{{match.group(1)}}}}} has no `ivr` variable: said as written")
                pieces.append(literal(match.group(0)))
            last = match.end()
        pieces.append(literal(value[last:]))
        if "{%" in value:
            self.warn(widget, "Liquid logic ({% ... %}) does not run in ivr: the text is said as written")
        return "".join(pieces)

    def run(self) -> Imported:
        trigger = next((s for s in self.states.values() if s.get("type") == "trigger"), None)
        if trigger is None:
            raise StudioError("the flow has no trigger widget")
        start = self.target(trigger, "incomingCall")
        if start == END:
            raise StudioError("the trigger's incomingCall leads nowhere: the flow takes no calls")
        for name, state in self.states.items():
            if state.get("type") != "trigger" and name not in self.consumed:
                self.widget(state)
        for name in self.consumed:
            self.nodes.pop(node_id(name), None)
        if self.ends:
            self.nodes[END] = {"type": "hangup", "prompt": False}
            self.comments[END] = "where Studio's flow simply ends"
        return self.draft.result(start)

    def widget(self, state: dict[str, Any]) -> None:
        kind, name = state.get("type"), state["name"]
        props = state.get("properties", {}) or {}
        me = node_id(name)
        self.comments[me] = f"Studio widget {name!r} ({kind})"
        if kind == "gather-input-on-call":
            self.gather(state, props)
        elif kind == "split-based-on":
            self.nodes[me] = self.split(state, props)
        elif kind == "say-play":
            self.nodes[me] = {
                "type": "message",
                "prompt": self.say(state, props),
                "next": self.target(state, "audioComplete"),
            }
        elif kind in ("send-to-flex", "enqueue-call"):
            queue = self.queue_name(name, str(props.get("queue_name") or props.get("workflow") or "flex"))
            self.queues.setdefault(queue, {"description": f"from Studio widget {name!r}"})
            self.nodes[me] = {"type": "queue", "queue": queue}
            if props.get("attributes"):
                self.warn(name, "task attributes are not carried over (ivr queues route by skill)")
        elif kind == "connect-call-to":
            self.nodes[me] = {"type": "transfer", "to": str(props.get("to") or props.get("noun") or "elsewhere")}
        elif kind == "record-voicemail":
            length = float(props.get("max_length") or 120)
            next_ = self.target(state, "recordingComplete", "noAudio", "hangup")
            self.nodes[me] = {"type": "record", "prompt": False, "max_length": min(length, 600.0), "next": next_}
        elif kind in ("run-function", "make-http-request"):
            self.nodes[me] = self.lookup(state, props, str(kind))
        elif kind == "set-variables":
            values = {node_id(str(v.get("key"))): str(v.get("value", "")) for v in props.get("variables", [])}
            self.nodes[me] = {"type": "message", "prompt": False, "set": values, "next": self.target(state, "next")}
        else:
            event = next((t["event"] for t in state.get("transitions", []) if t.get("next")), "")
            follow = self.target(state, event) if event else self.target(state)
            self.warn(
                name,
                f"a {kind} widget does not run in ivr (nothing is called or fetched): marked, "
                f"and the call goes on as on {event or 'its end'!r}",
            )
            self.nodes[me] = {"type": "message", "prompt": False, "next": follow}
            self.comments[me] += f": NOT RUN, goes on as on {event or 'its end'}"

    def lookup(self, state: dict[str, Any], props: dict[str, Any], kind: str) -> dict[str, Any]:
        """A Function or an HTTP request as a `lookup` node: nothing is called; it answers every input
        with nothing returned until the designer declares its answers. A failure goes where `fail` does."""
        name = state["name"]
        service = str(props.get("url") or props.get("function_sid") or props.get("service_sid") or kind)
        node: dict[str, Any] = {"type": "lookup", "service": service, "answers": {"*": {}}}
        node["next"] = self.target(state, "success")
        if any(t.get("event") in ("fail", "failed") and t.get("next") for t in state.get("transitions", [])):
            node["on_error"] = self.target(state, "fail", "failed")
        self.warn(
            name,
            f"a {kind} widget is a lookup: nothing is called; it returns nothing until its `answers` are "
            "declared (docs/menu-format.md), and scripts can answer for it (`world: lookups:`)",
        )
        return node

    def queue_name(self, widget: str, raw: str) -> str:
        """A readable queue name: a workflow SID becomes `flex`; a Terraform placeholder ``${NAME}`` names it."""
        placeholder = TEMPLATE.fullmatch(raw.strip())
        if placeholder is not None:
            self.warn(widget, f"the workflow is the template placeholder {raw}: the queue is named after it")
            return node_id(placeholder.group(1).lower())
        if raw.startswith("WW") and len(raw) == 34:
            return "flex"
        return node_id(raw)

    def say(self, state: dict[str, Any], props: dict[str, Any]) -> str | bool:
        if props.get("say"):
            return self.text(state["name"], str(props["say"]))
        if props.get("play"):
            self.warn(state["name"], f"plays a recording by URL ({props['play']}): kept as `audio:`, said as a note")
            return recorded(str(props["play"]), "studio")
        return False

    def gather(self, state: dict[str, Any], props: dict[str, Any]) -> None:
        name, me = state["name"], node_id(state["name"])
        prompt = self.say(state, props) or "(no prompt)"
        keypress = next((t.get("next") for t in state.get("transitions", []) if t.get("event") == "keypress"), None)
        split = self.states.get(keypress) if keypress else None
        on_silence = self.target(state, "timeout")
        if on_silence == me:  # Studio asks again for ever; ivr reprompts, then ends the call
            self.warn(name, "on silence Studio asks again for ever: ivr reprompts, then ends the call")
            on_silence = END
            self.ends = True
        options = self.menu_options(name, split) if split else None
        if options is not None and split is not None:
            self.consumed.add(split["name"])
            self.nodes[me] = {
                "type": "menu",
                "prompt": prompt,
                "options": options,
                "on_exhausted": self.target(split, "noMatch"),
            }
            if self.nodes[me]["on_exhausted"] == me:  # a wrong key asks again for ever in Studio
                self.warn(name, "on a wrong key Studio asks again for ever: ivr reprompts, then ends the call")
                self.nodes[me]["on_exhausted"] = END
                self.ends = True
            if on_silence != self.nodes[me]["on_exhausted"]:
                self.warn(
                    name,
                    "Studio sends silence and wrong keys to different places; ivr reprompts, then "
                    "sends both where a wrong key went",
                )
            return
        digits = int(props.get("number_of_digits") or 16)
        self.nodes[me] = {
            "type": "collect",
            "prompt": prompt,
            "variable": f"{me}_digits",
            "min_digits": 1,
            "max_digits": max(1, min(digits, 32)),
            "next": self.target(state, "keypress"),
            "on_exhausted": on_silence,
        }
        if props.get("speech_model") or "speech" in str(props.get("input", "")):
            self.warn(name, "speech input is not simulated: callers use keys")

    def menu_options(self, gather: str, split: dict[str, Any]) -> dict[str, str] | None:
        """A split on the gather's digits whose cases are single keys: the options of one menu."""
        match = _DIGITS_INPUT.match(str(split.get("properties", {}).get("input", "")))
        if match is None or match.group(1) != gather:
            return None
        options: dict[str, str] = {}
        for transition in split.get("transitions", []):
            if transition.get("event") != "match":
                continue
            for condition in transition.get("conditions", []):
                keys = [a.strip() for a in str(condition.get("value", "")).split(",")]
                if condition.get("type") not in ("equal_to", "matches_any_of") or not all(
                    len(k) == 1 and k in "0123456789*#" for k in keys
                ):
                    return None
                for key in keys:
                    options[key] = node_id(transition["next"]) if transition.get("next") else END
        return options or None

    def split(self, state: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
        name = state["name"]
        raw = str(props.get("input", ""))
        liquid = _LIQUID.fullmatch(raw.strip())
        var = variable(liquid.group(1)) if liquid else None
        if var is None:
            var = f"{node_id(name)}_input"
            self.inputs[var] = {"type": "text", "description": f"what Studio's {raw} gave"}
            self.warn(
                name,
                f"splits on {raw!r}, which ivr cannot compute: kept as the variable {var!r} "
                "(set it with a script's caller data)",
            )
        cases = []
        for transition in state.get("transitions", []):
            if transition.get("event") != "match":
                continue
            for condition in transition.get("conditions", []):
                test = self.condition(name, var, condition)
                if test is not None:
                    cases.append({"when": test, "goto": node_id(transition["next"]) if transition.get("next") else END})
                    if not transition.get("next"):
                        self.ends = True
        node: dict[str, Any] = {
            "type": "branch",
            "cases": cases or [{"when": {"var": var, "exists": True}, "goto": END}],
            "default": self.target(state, "noMatch"),
        }
        if not cases:
            self.ends = True
        return node

    def condition(self, widget: str, var: str, condition: dict[str, Any]) -> dict[str, Any] | None:
        kind, value = condition.get("type"), str(condition.get("value", ""))
        if kind == "equal_to":
            return {"var": var, "eq": value}
        if kind == "not_equal_to":
            return {"var": var, "ne": value}
        if kind == "matches_any_of":
            return {"var": var, "in": [v.strip() for v in value.split(",")]}
        if kind == "is_blank":
            return {"var": var, "exists": False}
        if kind == "is_not_blank":
            return {"var": var, "exists": True}
        if kind in ("less_than", "greater_than"):
            try:
                return {"var": var, "lt" if kind == "less_than" else "gt": float(value)}
            except ValueError:
                pass
        self.warn(widget, f"the condition {kind!r} {value!r} has no ivr equivalent: that case is left out")
        return None


def import_studio(text: str, source: str) -> Imported:
    """The Studio flow in ``text`` (a file called ``source``) as an `ivr` menu."""
    return _Importer(parse_studio(text), source).run()
