"""VoiceXML 2.1 documents turned into an `ivr` menu: `<menu>` with `<choice>`s, `<form>` with `<block>`s
and `<field>`s (DTMF options or digits), `<goto>`, `<transfer>`, `<exit>` / `<disconnect>`. Script, data
fetches and sub-dialogs do not run: they are marked, with a warning. Mapping table: docs/interop.md."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ivr.menu.expressions import ecmascript_condition
from ivr.menu.freeswitch import parse_xml
from ivr.menu.imported import END, Imported, ImportProblem, MenuDraft, literal, node_id, recorded

_NS = re.compile(r"^\{[^}]*\}")


def looks_like_voicexml(text: str) -> bool:
    return "<vxml" in text[:4000]


def _tag(element: ET.Element) -> str:
    return _NS.sub("", element.tag)


def _children(element: ET.Element, *tags: str) -> list[ET.Element]:
    return [child for child in element if _tag(child) in tags]


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LITERAL = re.compile(r"""^(?:'([^'\\]*)'|"([^"\\]*)"|(-?\d+(?:\.\d+)?)|(true|false))$""")


def _text_of(element: ET.Element) -> str:
    """A prompt's words in ivr's syntax: `<value expr="name"/>` as the placeholder `{name}`."""
    out = [literal(element.text or "")]
    for child in element:
        expr = child.get("expr", "")
        if _tag(child) == "value" and _NAME.match(expr):
            out.append("{" + expr + "}")
        else:
            out.append(literal("".join(child.itertext())))
        out.append(literal(child.tail or ""))
    return " ".join("".join(out).split())


def _said(element: ET.Element, later: bool = False) -> str:
    """The text of the `<prompt>`s (and bare text) directly in ``element``: those said the first time
    (no `count`, or 1), or with ``later`` those of a higher `count` (tapered prompts: ivr's
    `short_prompt`)."""
    said = [p for p in _children(element, "prompt", "audio") if (_count(p) > 1) == later]
    text = " ".join(part for prompt in said if (part := _text_of(prompt)))
    sources = [a.get("src", "") for prompt in said for a in prompt.iter() if _tag(a) == "audio" and a.get("src")]
    if len(sources) == 1:  # one recording: kept as the node's `audio:`, its fallback text is what is said
        return recorded(sources[0], "vxml", text)
    return text


def _count(prompt: ET.Element) -> int:
    count = prompt.get("count", "1")
    return int(count) if count.isdigit() else 1


def _tapered(element: ET.Element) -> dict[str, str]:
    """The `short_prompt` of a menu or field whose prompts taper (`<prompt count="2">`)."""
    short = _said(element, later=True)
    return {"short_prompt": short} if short else {}


def _value(expr: str) -> str | int | float | bool | None:
    """An ECMAScript literal as a value (None for anything computed)."""
    found = _LITERAL.match(expr.strip())
    if found is None:
        return None
    text, quoted, number, flag = found.groups()
    if flag is not None:
        return flag == "true"
    if number is not None:
        return float(number) if "." in number else int(number)
    return text if text is not None else quoted


def _seconds(value: str | None) -> float | None:
    found = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$", value or "")
    if found is None:
        return None
    seconds = float(found.group(1)) / (1000 if found.group(2) == "ms" else 1)
    return max(0.5, min(seconds, 60.0))


class _Document:
    def __init__(self, root: ET.Element, source: str) -> None:
        self.dialogs = [d for d in root if _tag(d) in ("form", "menu")]
        if not self.dialogs:
            raise ImportProblem("a VoiceXML document has a <form> or <menu>; this one has none")
        self.ids = {d.get("id") or f"dialog_{i + 1}": d for i, d in enumerate(self.dialogs)}
        self.draft = MenuDraft("VoiceXML", source)
        self.ends = False
        self.conditions = 0
        self.assigned = {  # what the document sets itself: any other name a `cond` reads is caller data
            node_id(e.get("name", ""))
            for e in root.iter()
            if _tag(e) in ("var", "assign", "field", "data", "record") and e.get("name")
        }
        for var in _children(root, "var"):
            value = _value(var.get("expr", ""))
            if var.get("name") and _NAME.match(var.get("name", "")) and value is not None:
                self.draft.variables[var.get("name", "")] = value

    def run(self) -> Imported:
        for name, dialog in self.ids.items():
            where = f"<{_tag(dialog)} id={name!r}>"
            if _tag(dialog) == "menu":
                self.menu(name, dialog, where)
            else:
                self.form(name, dialog, where)
        if self.ends:
            self.draft.nodes[END] = {"type": "hangup", "prompt": False}
            self.draft.comments[END] = "where the document ends"
        return self.draft.result(node_id(next(iter(self.ids))))

    def target(self, where: str, next_: str | None) -> str:
        """A `next="#id"` as a node; anything else (another document) ends the call, with a warning."""
        if next_ and next_.startswith("#") and next_[1:] in self.ids:
            return node_id(next_[1:])
        if next_:
            self.draft.warn(where, f"goes to {next_!r}, outside this document: the call ends there")
        self.ends = True
        return END

    def menu(self, name: str, dialog: ET.Element, where: str) -> None:
        options = {}
        for choice in _children(dialog, "choice"):
            key = choice.get("dtmf")
            if key and len(key) == 1 and key in "0123456789*#":
                options[key] = self.target(where, choice.get("next"))
            else:
                self.draft.warn(
                    where, f"the choice {''.join(choice.itertext()).strip()!r} has no one-key dtmf: left out"
                )
        me = node_id(name)
        self.draft.nodes[me] = {
            "type": "menu",
            "prompt": _said(dialog) or "(no prompt)",
            **_tapered(dialog),
            "options": options,
            "on_exhausted": self.fallback(dialog),
            **self.counts(dialog),
        }
        self.draft.comments[me] = f"VoiceXML {where}"

    @staticmethod
    def counts(dialog: ET.Element) -> dict[str, object]:
        """The dialog's timeout property and its handlers as ivr's settings: the highest counts, what the
        handlers that `<reprompt/>` say (in count order), and what the one that leaves says."""
        settings: dict[str, object] = {}
        reprompts: dict[str, list[str | bool]] = {}
        for prop in _children(dialog, "property"):
            if prop.get("name") == "timeout" and (seconds := _seconds(prop.get("value"))) is not None:
                settings["timeout"] = seconds
        for kind, key, role in (("noinput", "max_no_input", "no_input"), ("nomatch", "max_no_match", "no_match")):
            handlers = [h for h in _children(dialog, kind) if h.get("count", "1").isdigit()]
            handlers.sort(key=lambda h: int(h.get("count", "1")))
            if handlers:
                settings[key] = max(1, min(int(handlers[-1].get("count", "1")), 20))
            again = [_said(h) or False for h in handlers if _children(h, "reprompt")]
            if again:
                reprompts[role] = again
            leaving = [_said(h) for h in handlers if _children(h, "goto", "disconnect", "exit")]
            if leaving and leaving[-1] and "exhausted_prompt" not in settings:
                settings["exhausted_prompt"] = leaving[-1]
        if reprompts:
            settings["reprompts"] = reprompts
        return settings

    def fallback(self, dialog: ET.Element) -> str:
        """Where a caller goes when attempts run out: a `<noinput>`/`<nomatch>` goto, else the end."""
        handlers = _children(dialog, "noinput", "nomatch", "catch")
        handlers.sort(key=lambda h: -int(h.get("count", "1")) if h.get("count", "1").isdigit() else 0)
        for handler in handlers:
            for goto in _children(handler, "goto"):
                return self.target(f"<{_tag(handler)}>", goto.get("next"))
        self.ends = True
        return END

    def form(self, name: str, dialog: ET.Element, where: str) -> None:
        """A form's items in order: blocks said, fields asked, the last one leading where the form goes."""
        items = [i for i in dialog if _tag(i) in ("block", "field", "transfer", "subdialog", "record")]
        # where a failed fetch goes (a `<data>` in this form): the form's <catch event="error.badfetch">
        self.badfetch = next(
            (
                self.target(where, g.get("next"))
                for c in _children(dialog, "catch")
                if "badfetch" in c.get("event", "")
                for g in _children(c, "goto")
            ),
            None,
        )
        ids = [node_id(name) if n == 0 else f"{node_id(name)}_{n + 1}" for n in range(len(items))]
        for n, item in enumerate(items):
            following = ids[n + 1] if n + 1 < len(items) else None
            self.item(item, ids[n], following, where)
        if not items:
            self.draft.nodes[node_id(name)] = {"type": "message", "prompt": False, "next": self.target(where, None)}

    def item(self, item: ET.Element, me: str, following: str | None, where: str) -> None:
        draft, kind = self.draft, _tag(item)
        draft.comments[me] = f"VoiceXML {where} <{kind}>"
        onward = self.leads(item, where) or following or self.target(where, None)
        if kind == "block" and _children(item, "data"):
            self.lookup(item, me, following, where)
        elif kind == "block" and _children(item, "if"):
            self.branch(item, me, following, where)
        elif kind == "block":
            ends = any(_tag(e) in ("exit", "disconnect") for e in item.iter())
            if ends:
                draft.nodes[me] = {"type": "hangup", "prompt": _said(item) or False}
            else:
                draft.nodes[me] = {"type": "message", "prompt": _said(item) or False, "next": onward}
            sets = {a.get("name"): _value(a.get("expr", "")) for a in _children(item, "assign")}
            if sets := {k: v for k, v in sets.items() if k and _NAME.match(k) and v is not None}:
                draft.nodes[me]["set"] = sets
        elif kind == "field":
            options = {o.get("dtmf"): o for o in _children(item, "option") if o.get("dtmf")}
            variable = node_id(item.get("name") or me)
            if options and all(len(k or "") == 1 for k in options):
                choices = {
                    str(k): {"goto": onward, "set": {variable: o.get("value") or "".join(o.itertext()).strip()}}
                    for k, o in options.items()
                }
                draft.nodes[me] = {
                    "type": "menu",
                    "prompt": _said(item) or "(no prompt)",
                    "options": choices,
                    "on_exhausted": self.fallback(item),
                }
            else:
                grammar = re.match(r"^digits(?:\?(.*))?$", item.get("type", ""))
                bounds = (
                    dict(p.split("=", 1) for p in (grammar.group(1) or "").split(";") if "=" in p) if grammar else {}
                )
                low = int(bounds.get("minlength", bounds.get("length", "1")) or 1)
                high = int(bounds.get("maxlength", bounds.get("length", "16")) or 16)
                for filled in _children(item, "filled"):  # the entry kept in a document variable
                    for assign in _children(filled, "assign"):
                        if assign.get("expr") == item.get("name") and _NAME.match(assign.get("name", "")):
                            variable = assign.get("name", variable)
                draft.nodes[me] = {
                    "type": "collect",
                    "prompt": _said(item) or "(no prompt)",
                    **_tapered(item),
                    "variable": variable,
                    "min_digits": max(1, min(low, 32)),
                    "max_digits": max(1, min(max(low, high), 32)),
                    "next": onward,
                    "on_exhausted": self.fallback(item),
                    **self.counts(item),
                }
                if grammar is None:
                    draft.warn(where, f"the field {variable!r} takes digits (its grammar is not read): 1 to 16")
        elif kind == "transfer":
            dest = item.get("dest") or item.get("destexpr") or "elsewhere"
            draft.nodes[me] = {"type": "transfer", "to": re.sub(r"^sips?:", "", dest) or dest}  # tel: numbers stay
        elif kind == "record":
            draft.nodes[me] = {"type": "record", "prompt": _said(item) or False, "next": onward}
        else:
            draft.warn(where, f"<{kind}> does not run in ivr: marked, and the call goes on")
            draft.nodes[me] = {"type": "message", "prompt": False, "next": onward}
            draft.comments[me] += ": NOT RUN"

    def lookup(self, item: ET.Element, me: str, following: str | None, where: str) -> None:
        """A block that fetches `<data>`: a lookup node (what is said before the fetch is its prompt), then
        the rest of the block. Nothing is fetched; a failed fetch goes where the form's catch says."""
        data = _children(item, "data")[0]
        service = data.get("src") or data.get("srcexpr") or "data"
        position = list(item).index(data)
        before, rest = ET.Element("block"), ET.Element("block")
        for n, child in enumerate(item):
            if child is not data:
                (before if n < position else rest).append(child)
        then = f"{me}_then"
        node: dict[str, object] = {"type": "lookup", "service": service[:500], "answers": {"*": {}}, "next": then}
        if _said(before):
            node["prompt"] = _said(before)
        if getattr(self, "badfetch", None):
            node["on_error"] = self.badfetch
        self.draft.nodes[me] = node
        self.draft.warn(
            where,
            f"<data src={service!r}> is a lookup: nothing is fetched; it returns nothing until its `answers` are "
            "declared (docs/menu-format.md), and scripts can answer for it (`world: lookups:`)",
        )
        self.item(rest, then, following, where)

    def branch(self, item: ET.Element, me: str, following: str | None, where: str) -> None:
        """A block's `<if>` / `<elseif>` / `<else>`: each condition is declared caller data (ECMAScript is not
        run), each way where its `<goto>` leads."""
        test = _children(item, "if")[0]
        ways: list[tuple[str | None, str | None]] = [(test.get("cond"), None)]
        for child in test:
            if _tag(child) in ("elseif", "else"):
                ways.append((child.get("cond") if _tag(child) == "elseif" else None, None))
            elif _tag(child) == "goto":
                cond, _ = ways[-1]
                ways[-1] = (cond, child.get("next"))
        cases, default = [], following or self.target(where, None)
        for cond, next_ in ways:
            goes = self.target(where, next_) if next_ else following or self.target(where, None)
            if cond is None:
                default = goes
                continue
            when = ecmascript_condition(cond, self.variable)
            if when is None:
                self.conditions += 1
                var = f"condition_{self.conditions}"
                self.draft.inputs[var] = {"type": "yes-no", "description": f"<if cond> in {where}: {cond}"}
                self.draft.warn(where, f"<if cond={cond!r}> is not run (ECMAScript): kept as the caller data {var!r}")
                when = {"var": var, "eq": True}
            cases.append({"when": when, "goto": goes})
        self.draft.nodes[me] = {"type": "branch", "cases": cases, "default": default}

    def variable(self, name: str) -> str:
        """A variable a `cond` reads; caller data when the document never sets it (a session variable the
        platform gives, such as `session.ivr_open_office`)."""
        var = node_id(name)
        if var not in self.assigned and var not in self.draft.inputs:
            self.draft.inputs[var] = {"type": "text", "description": f"{name}, which the document reads"}
        return var

    def leads(self, item: ET.Element, where: str) -> str | None:
        """Where a `<goto>` inside the item (in its `<filled>` too, not in its no-input or no-match
        handlers) sends the call, if it has one."""
        for goto in _outside_handlers(item):
            if _tag(goto) == "goto":
                return self.target(where, goto.get("next"))
        return None


def _outside_handlers(element: ET.Element) -> list[ET.Element]:
    """``element``'s descendants, leaving out event handlers (where a failed attempt goes)."""
    found = []
    for child in element:
        if _tag(child) not in ("noinput", "nomatch", "catch", "help", "error"):
            found.append(child)
            found.extend(_outside_handlers(child))
    return found


def import_voicexml(text: str, source: str) -> Imported:
    """The VoiceXML document in ``text`` as an `ivr` menu."""
    return _Document(parse_xml(text), source).run()
