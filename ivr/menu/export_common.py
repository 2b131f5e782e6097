"""What every exporter to another platform shares: the files it writes, the report of what the target
cannot express and how it was approximated, and the prompt text in the menu's first language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ivr.menu.compiled import CompiledNode, Menu, Text
from ivr.menu.conditions import Condition
from ivr.menu.lookup_model import LookupNode
from ivr.menu.recordings import recording_for
from ivr.menu.text import PLACEHOLDER, pick


class ExportRefused(ValueError):
    """The menu cannot be written for the platform at all (not approximated: refused), and why."""


@dataclass
class Lossy:
    """One thing the target cannot say as the menu does: where, what, and what was written instead."""

    node: str
    feature: str
    instead: str

    def line(self) -> str:
        return f"{self.node}: {self.feature}: {self.instead}"


@dataclass
class Exported:
    """The platform's files (name -> text) and what was lost on the way."""

    platform: str
    files: dict[str, str]
    lossy: list[Lossy] = field(default_factory=list)

    def report(self, source: str) -> str:
        """The export report as Markdown, written beside the files."""
        lines = [f"# {source} exported to {self.platform}", "", "Files: " + ", ".join(sorted(self.files)), ""]
        if not self.lossy:
            return "\n".join([*lines, "Everything in the menu was carried over.", ""])
        lines += ["What the target cannot express, and how it was approximated:", ""]
        lines += [f"- {item.line()}" for item in self.lossy]
        return "\n".join([*lines, ""])


class Exporter:
    """The shared part of an exporter: the menu, the lossy list, prompt text."""

    platform = ""
    AND, OR = " && ", " || "  # how the target joins tests; `!` negates in every target so far

    def __init__(self, menu: Menu) -> None:
        self.menu = menu
        self.lossy: list[Lossy] = []
        self.language = menu.default_language
        if len(menu.languages) > 1:
            others = ", ".join(menu.languages[1:])
            self.lose("(menu)", f"prompts in {others}", f"only the {self.language} prompts are exported")

    def lookup_ways(
        self, node: CompiledNode, spec: LookupNode, caller: str, route: str
    ) -> tuple[list[str], str | None, str | None]:
        """Where a lookup's answers lead, its ``next`` and its ``on_error``. The answers a menu declares are
        test data: the target calls the real service (``caller``), which must return the variables and,
        when the answers lead to more than one place, set ``route`` to the node to go to."""
        edges = self.menu.edges.get(node.id, ())
        ways = list(dict.fromkeys(e.target for e in edges if e.kind == "case"))
        onward = next((e.target for e in edges if e.kind == "next"), None)
        failed = next((e.target for e in edges if e.kind == "default"), None)
        returned = spec.returns()
        routed = f", and {route} to one of {', '.join(ways)}" if len({*ways, onward} - {None}) > 1 else ""
        self.lose(
            node.id,
            f"the answers declared for {spec.service} (test data)",
            f"{caller} is called; it must set {', '.join(returned) or 'nothing'}{routed}",
        )
        return ways, onward, failed

    def back_to(self, node: CompiledNode) -> str | None:
        """Where the back key takes a caller from ``node`` when only one menu leads to it; None (and
        reported) when several do, since a flow keeps no history of the way the caller came."""
        ways = sorted({e.target for e in self.menu.edges.get(node.id, ()) if e.kind == "back"})
        if len(ways) == 1:
            return ways[0]
        if ways:
            self.lose(
                node.id, "the back key", f"not offered: {len(ways)} menus lead here and the flow keeps no history"
            )
        return None

    def lose(self, node: str, feature: str, instead: str) -> None:
        lost = Lossy(node, feature, instead)
        if lost not in self.lossy:  # a text written twice (a prompt and the state before it) is one loss
            self.lossy.append(lost)

    def played(
        self,
        node: str,
        text: object,
        own: str,
        readable: tuple[str, ...] = (),
        files: bool = True,
        keeps_text: bool = False,
    ) -> str | None:
        """The recording this target plays for ``text`` when it is ``node``'s own prompt with an `audio:`
        (in the exported language), as the target names it: a name marked with the target's scheme ``own``
        without the mark, one of the ``readable`` schemes (https, arn, phrase) as it is, a WAV beside the
        menu by its path when the target plays ``files``. None, and reported, for a recording the target
        cannot play: its text is said. A target that plays the recording in place of the text (not
        ``keeps_text``) reports the text as lost."""
        compiled = self.menu.nodes.get(node)
        if compiled is None or text is None or text is not getattr(compiled.spec, "prompt", None):
            return None
        found = recording_for(self.menu.recordings, node, self.language)
        if found is None:
            return None
        scheme = found.platform
        playable = scheme == own or scheme in readable or (scheme is None and files)
        if playable and not keeps_text:
            self.lose(node, "the prompt's text", f"the recording {found.name} is played in its place")
        if scheme == own:
            return found.name[len(own) + 1 :]
        if scheme in readable:
            return found.name
        if scheme is None and files:
            self.lose(
                node, f"the recording {found.name}", "named by its path: put the file where the platform reads sounds"
            )
            return found.name
        self.lose(node, f"the recording {found.name}", f"{self.platform} cannot play it: its text is said")
        return None

    def text(self, node: str, text: Text | None, variable: str = "${{{name}}}") -> str:
        """The prompt in the first language, each `{name}` written as the target writes a variable."""
        if not text:
            return ""
        said = pick(text, self.language, self.language)

        def one(found: re.Match[str]) -> str:
            if found.group(2):
                self.lose(node, f"the filter |{found.group(2)} on {{{found.group(1)}}}", "the plain value is said")
            return variable.format(name=found.group(1).replace(".", "_"))

        return PLACEHOLDER.sub(lambda m: one(m) if m.group(1) else m.group(0)[0], said)  # `{{` says `{`

    def expression(self, node: str, when: Condition) -> str:
        """A branch condition in the target's syntax: `all`, `any` and `not` are combined here, each
        single test is the target's :meth:`test`."""
        if when.all_ or when.any_:
            joiner = self.AND if when.all_ else self.OR
            return joiner.join(f"({self.expression(node, c)})" for c in (when.all_ or when.any_ or []))
        if when.not_ is not None:
            return f"!({self.expression(node, when.not_)})"
        return self.test(node, when)

    def test(self, node: str, when: Condition) -> str:
        """One test (a variable, a schedule, a holiday ...) in the target's syntax."""
        raise NotImplementedError

    def edge(self, node: CompiledNode, *kinds: str) -> str | None:
        """Where the first way out of ``node`` of one of ``kinds`` leads."""
        return next((e.target for e in self.menu.edges.get(node.id, ()) if e.kind in kinds), None)

    def next_of(self, node: CompiledNode) -> str | None:
        """Where the node goes on by itself (its `next`, a sub-menu's start, a return's way back)."""
        for edge in self.menu.edges.get(node.id, ()):
            if edge.kind in ("next", "after"):
                return edge.target
        return None
