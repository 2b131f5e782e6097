"""VoiceXML 2.1 documents turned into an `ivr` menu: `<menu>` with `<choice>`s, `<form>` with `<block>`s
and `<field>`s (DTMF options or digits), `<goto>`, `<transfer>`, `<exit>` / `<disconnect>`. Script, data
fetches and sub-dialogs do not run: they are marked, with a warning. Mapping table: docs/interop.md."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ivr.menu.freeswitch import parse_xml
from ivr.menu.imported import END, Imported, ImportProblem, MenuDraft, literal, node_id

_NS = re.compile(r"^\{[^}]*\}")


def looks_like_voicexml(text: str) -> bool:
    return "<vxml" in text[:4000]


def _tag(element: ET.Element) -> str:
    return _NS.sub("", element.tag)


def _children(element: ET.Element, *tags: str) -> list[ET.Element]:
    return [child for child in element if _tag(child) in tags]


def _said(element: ET.Element) -> str:
    """The text of the `<prompt>`s (and bare text) directly in ``element``."""
    parts = []
    for prompt in _children(element, "prompt", "audio"):
        text = " ".join("".join(prompt.itertext()).split())
        if text:
            parts.append(text)
    return literal(" ".join(parts))


class _Document:
    def __init__(self, root: ET.Element, source: str) -> None:
        self.dialogs = [d for d in root if _tag(d) in ("form", "menu")]
        if not self.dialogs:
            raise ImportProblem("a VoiceXML document has a <form> or <menu>; this one has none")
        self.ids = {d.get("id") or f"dialog_{i + 1}": d for i, d in enumerate(self.dialogs)}
        self.draft = MenuDraft("VoiceXML", source)
        self.ends = False

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
            "options": options,
            "on_exhausted": self.fallback(dialog),
        }
        self.draft.comments[me] = f"VoiceXML {where}"

    def fallback(self, dialog: ET.Element) -> str:
        """Where a caller goes when attempts run out: a `<noinput>`/`<nomatch>` goto, else the end."""
        for handler in _children(dialog, "noinput", "nomatch", "catch"):
            for goto in _children(handler, "goto"):
                return self.target(f"<{_tag(handler)}>", goto.get("next"))
        self.ends = True
        return END

    def form(self, name: str, dialog: ET.Element, where: str) -> None:
        """A form's items in order: blocks said, fields asked, the last one leading where the form goes."""
        items = [i for i in dialog if _tag(i) in ("block", "field", "transfer", "subdialog", "record")]
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
        if kind == "block":
            ends = any(_tag(e) in ("exit", "disconnect") for e in item.iter())
            if ends:
                draft.nodes[me] = {"type": "hangup", "prompt": _said(item) or False}
            else:
                draft.nodes[me] = {"type": "message", "prompt": _said(item) or False, "next": onward}
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
                draft.nodes[me] = {
                    "type": "collect",
                    "prompt": _said(item) or "(no prompt)",
                    "variable": variable,
                    "min_digits": 1,
                    "max_digits": 16,
                    "next": onward,
                    "on_exhausted": self.fallback(item),
                }
                draft.warn(where, f"the field {variable!r} takes digits (a grammar is not read): 1 to 16")
        elif kind == "transfer":
            draft.nodes[me] = {"type": "transfer", "to": item.get("dest") or item.get("destexpr") or "elsewhere"}
        elif kind == "record":
            draft.nodes[me] = {"type": "record", "prompt": _said(item) or False, "next": onward}
        else:
            draft.warn(where, f"<{kind}> does not run in ivr: marked, and the call goes on")
            draft.nodes[me] = {"type": "message", "prompt": False, "next": onward}
            draft.comments[me] += ": NOT RUN"

    def leads(self, item: ET.Element, where: str) -> str | None:
        """Where a `<goto>` inside the item (in its `<filled>` too) sends the call, if it has one."""
        for goto in item.iter():
            if _tag(goto) == "goto":
                return self.target(where, goto.get("next"))
        return None


def import_voicexml(text: str, source: str) -> Imported:
    """The VoiceXML document in ``text`` as an `ivr` menu."""
    return _Document(parse_xml(text), source).run()
