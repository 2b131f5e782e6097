"""An `ivr` menu as one VoiceXML 2.1 document: menus as `<menu>` with `<choice dtmf>`, digit entry as a
`<field>` with the builtin digits grammar, no-input and no-match handlers counted as the menu counts
them, messages as `<block>`s, branches as `<if>`. Built with the standard library's ElementTree, so the
document is well formed by construction. What VoiceXML cannot say as the menu does is in the report."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from ivr.menu.compiled import CompiledNode, Menu, Text
from ivr.menu.conditions import Condition
from ivr.menu.export_common import Exported, Exporter
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

NS = "http://www.w3.org/2001/vxml"


def dialog(node: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", node)


def variable(name: str) -> str:
    return name.replace(".", "_")


class _Document(Exporter):
    platform = "VoiceXML 2.1"

    def run(self) -> Exported:
        menu = self.menu
        lang = {"en": "en-US", "ur": "ur-PK"}.get(self.language, self.language)
        root = ET.Element("vxml", {"version": "2.1", "xmlns": NS, "xml:lang": lang})
        root.append(ET.Comment(f" {menu.name}: exported from ivr; the call starts at the first dialog "))
        for name in sorted(self.variables()):
            value = menu.variables.get(name)
            attrs = {"name": variable(name)}
            if value is not None:
                attrs["expr"] = _js(value)
            ET.SubElement(root, "var", attrs)
        order = [menu.start, *(n for n in menu.nodes if n != menu.start)]
        for node_id in order:
            self.node(root, menu.nodes[node_id])
        ET.indent(root)
        text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
        return Exported(self.platform, {f"{dialog(menu.name)}.vxml": text}, self.lossy)

    def variables(self) -> set[str]:
        names = set(self.menu.variables)
        for node in self.menu.nodes.values():
            names |= set(node.spec.set)
            if isinstance(node.spec, MenuNode):
                for option in node.spec.options.values():
                    names |= set(option.set)
            if isinstance(node.spec, CollectNode):
                names.add(node.spec.variable)
        return names

    def prompt(self, parent: ET.Element, node: str, text: Text | None, count: int = 0) -> None:
        """A `<prompt>` with each `{name}` as `<value expr="name"/>`; a ``count`` makes it one of tapered
        prompts (said from that time the dialog asks)."""
        said = self.text(node, text, "\0{name}\0")
        if not said:
            return
        element = ET.SubElement(parent, "prompt", {"count": str(count)} if count else {})
        sound = self.played(node, text, "vxml", ("http", "https"), keeps_text=True)
        if sound is not None:  # the recording, with the text inside it as the fallback the browser says
            element = ET.SubElement(element, "audio", {"src": sound})
        parts = said.split("\0")
        element.text = parts[0]
        for i in range(1, len(parts) - 1, 2):
            value = ET.SubElement(element, "value", {"expr": variable(parts[i])})
            value.tail = parts[i + 1]

    def tapered(self, parent: ET.Element, node: CompiledNode, prompt: Text, short: Text | None) -> None:
        """The prompt, and a short prompt as `<prompt count="2">`: VoiceXML counts the times one visit
        asks, so the short prompt is said on reprompts, and a new visit starts with the full one."""
        if short is None:
            self.prompt(parent, node.id, prompt)
            return
        self.prompt(parent, node.id, prompt, count=1)
        self.prompt(parent, node.id, short, count=2)
        self.lose(node.id, "the short prompt on a later visit", "said on the reprompts of one visit (prompt count 2)")

    def goto(self, parent: ET.Element, target: str | None) -> None:
        if target is None:
            ET.SubElement(parent, "disconnect")
        else:
            ET.SubElement(parent, "goto", {"next": "#" + dialog(target)})

    def sets(self, parent: ET.Element, values: dict[str, Any]) -> None:
        for name, value in values.items():
            ET.SubElement(parent, "assign", {"name": variable(name), "expr": _js(value)})

    def node(self, root: ET.Element, node: CompiledNode) -> None:
        spec, me = node.spec, node.id
        edges = {e.kind: e.target for e in self.menu.edges.get(me, ()) if e.kind not in ("option", "key", "case")}
        if isinstance(spec, MenuNode):
            self.menu_dialog(root, node, spec)
            return
        form = ET.SubElement(root, "form", {"id": dialog(me)})
        block = ET.SubElement(form, "block")
        self.sets(block, spec.set)
        match spec:
            case MessageNode() | ReturnNode() | SubmenuNode():
                self.prompt(block, me, getattr(spec, "prompt", None))
                self.goto(block, self.next_of(node))
            case CollectNode():
                self.collect(form, block, node, spec, edges.get("next"))
            case BranchNode():
                self.branch(block, node, spec)
            case LookupNode():
                self.lookup(form, block, node, spec)
            case SplitNode():
                first = next(iter(spec.shares))
                self.lose(me, "an A/B split by the caller's hash", f"every call goes to {first!r}")
                self.goto(block, first)
            case QueueNode():
                self.prompt(block, me, spec.prompt)
                self.lose(me, f"the queue {spec.queue!r}", f"a bridged transfer to sip:queue-{spec.queue}")
                ET.SubElement(
                    form, "transfer", {"name": "to_queue", "dest": f"sip:queue-{spec.queue}", "bridge": "true"}
                )
            case TransferNode():
                self.prompt(block, me, spec.prompt)
                ET.SubElement(form, "transfer", {"name": "to_" + dialog(me), "dest": f"sip:{spec.to}"})
            case HangupNode():
                self.prompt(block, me, spec.prompt)
                if spec.reason != "completed":
                    self.lose(me, f"the hang-up reason {spec.reason!r}", "a plain <disconnect/>")
                ET.SubElement(block, "disconnect")
            case RecordNode():
                form.remove(block)
                record = ET.SubElement(form, "record", {"name": "message", "maxtime": f"{spec.max_length:g}s"})
                self.prompt(record, me, spec.prompt)
                self.goto(ET.SubElement(record, "filled"), edges.get("next"))
            case SurveyNode():
                form.remove(block)
                self.lose(me, "a survey", "one one-digit field per question; answers are kept as the digit pressed")
                for question in spec.questions:
                    field = ET.SubElement(form, "field", {"name": f"survey_{question.id}", "type": "digits?length=1"})
                    self.prompt(field, me, question.prompt)
                self.goto(ET.SubElement(form, "block"), edges.get("next"))

    def menu_dialog(self, root: ET.Element, node: CompiledNode, spec: MenuNode) -> None:
        me, settings = node.id, node.settings
        assert settings is not None
        element = ET.SubElement(root, "menu", {"id": dialog(me)})
        ET.SubElement(element, "property", {"name": "timeout", "value": f"{settings.timeout:g}s"})
        self.tapered(element, node, spec.prompt, spec.short_prompt)
        for edge in self.menu.edges.get(me, ()):
            if edge.kind not in ("option", "key") or edge.key is None:
                continue
            option = spec.options.get(edge.key)
            target = edge.target
            if option is not None and option.set:  # a choice cannot assign: a form does, then goes on
                target = f"{me}_{_key_name(edge.key)}"
                form = ET.SubElement(root, "form", {"id": dialog(target)})
                block = ET.SubElement(form, "block")
                self.sets(block, option.set)
                self.goto(block, edge.target)
            ET.SubElement(element, "choice", {"dtmf": edge.key, "next": "#" + dialog(target)})
        if settings.keys.repeat and settings.keys.repeat not in spec.options:
            ET.SubElement(element, "choice", {"dtmf": settings.keys.repeat, "next": "#" + dialog(me)})
        self.handlers(element, node)

    def handlers(self, parent: ET.Element, node: CompiledNode) -> None:
        """`<noinput>` / `<nomatch>` per count: the reprompts, then where attempts lead."""
        settings = node.settings
        assert settings is not None
        for kind, limit, reprompts in (
            ("noinput", settings.max_no_input, settings.no_input_reprompts),
            ("nomatch", settings.max_no_match, settings.no_match_reprompts),
        ):
            for count in range(1, limit):
                handler = ET.SubElement(parent, kind, {"count": str(count)})
                self.prompt(handler, node.id, reprompts[min(count, len(reprompts)) - 1])
                ET.SubElement(handler, "reprompt")
            last = ET.SubElement(parent, kind, {"count": str(max(1, limit))})
            if settings.on_exhausted:
                self.prompt(last, node.id, settings.exhausted_prompt)
            self.goto(last, settings.on_exhausted)
        if settings.max_attempts < settings.max_no_input + settings.max_no_match - 1:
            self.lose(node.id, "a limit on no-inputs and wrong keys together", "each is counted on its own")

    def collect(
        self, form: ET.Element, block: ET.Element, node: CompiledNode, spec: CollectNode, then: str | None
    ) -> None:
        if not len(block):
            form.remove(block)
        grammar = f"digits?minlength={spec.min_digits};maxlength={spec.max_digits}"
        field = ET.SubElement(form, "field", {"name": "entry", "type": grammar})
        self.tapered(field, node, spec.prompt, spec.short_prompt)
        if spec.validate_ is not None or spec.confirm is not None:
            self.lose(node.id, "a pattern or Luhn check, or a read-back", "the digits grammar's length only")
        self.handlers(field, node)
        filled = ET.SubElement(field, "filled")
        ET.SubElement(filled, "assign", {"name": variable(spec.variable), "expr": "entry"})
        self.goto(filled, then)

    def lookup(self, form: ET.Element, block: ET.Element, node: CompiledNode, spec: LookupNode) -> None:
        """The service as a `<data>` fetch of its URL with the input's variables; a failed fetch
        (error.badfetch) goes to ``on_error``, the answer's `route` picks the way."""
        me = node.id
        ways, onward, failed = self.lookup_ways(node, spec, f"the document at {spec.service}", "its `route`")
        self.prompt(block, me, spec.prompt)
        if failed is not None:
            catch = ET.SubElement(form, "catch", {"event": "error.badfetch"})
            self.goto(catch, failed)
        names = sorted({variable(n) for n in re.findall(r"\{([A-Za-z_][\w.]*)", spec.input or "")})
        attributes = {"name": f"{variable(me)}_answer", "src": spec.service, "fetchtimeout": f"{spec.latency + 5:g}s"}
        ET.SubElement(block, "data", {**attributes, **({"namelist": " ".join(names)} if names else {})})
        for name in spec.returns():
            ET.SubElement(block, "assign", {"name": variable(name), "expr": f"{variable(me)}_answer.{variable(name)}"})
        if len({*ways, onward} - {None}) > 1:
            test = ET.SubElement(block, "if", {"cond": f"{variable(me)}_answer.route == {_js(ways[0])}"})
            self.goto(test, ways[0])
            for way in ways[1:]:
                ET.SubElement(test, "elseif", {"cond": f"{variable(me)}_answer.route == {_js(way)}"})
                self.goto(test, way)
            ET.SubElement(test, "else")
            self.goto(test, onward or failed)
        else:
            self.goto(block, onward or (ways[0] if ways else failed))

    def branch(self, block: ET.Element, node: CompiledNode, spec: BranchNode) -> None:
        cases = [e.target for e in self.menu.edges.get(node.id, ()) if e.kind == "case"]
        default = next((e.target for e in self.menu.edges.get(node.id, ()) if e.kind == "default"), None)
        test = ET.SubElement(block, "if", {"cond": self.expression(node.id, spec.cases[0].when)})
        self.goto(test, cases[0])
        for case, target in zip(spec.cases[1:], cases[1:], strict=True):
            ET.SubElement(test, "elseif", {"cond": self.expression(node.id, case.when)})
            self.goto(test, target)
        ET.SubElement(test, "else")
        self.goto(test, default)

    def test(self, node: str, when: Condition) -> str:
        """An ECMAScript test of a variable; a clock test reads a session variable the platform sets."""
        if when.var is not None and when.eq is not None:
            return f"{variable(when.var)} == {_js(when.eq)}"
        if when.var is not None and when.exists:
            return f"typeof {variable(when.var)} != 'undefined'"
        if when.open is not None:
            name = f"session.ivr_open_{variable(when.open)}"
            self.lose(
                node, f"the schedule {when.open!r}", f"{name}, which the platform must set (VoiceXML has no calendar)"
            )
            return name
        if when.holiday is not None:
            self.lose(node, "a holiday test", "session.ivr_holiday, which the platform must set")
            return "session.ivr_holiday" if when.holiday else "!session.ivr_holiday"
        said = when.model_dump(by_alias=True, exclude_none=True)
        self.lose(node, f"the condition {said}", "session.ivr_test, which the platform must set")
        return "session.ivr_test"


def _js(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _key_name(key: str) -> str:
    return {"*": "star", "#": "hash"}.get(key, key)


def export_voicexml(menu: Menu) -> Exported:
    return _Document(menu).run()
