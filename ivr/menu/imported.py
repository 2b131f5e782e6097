"""What every importer of another platform's flows shares: the result, readable ids, text said as it
is, and the menu written as a person would write it, a comment on each node naming where it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ivr.menu.recordings import SCHEME

IMPORTED_LANGUAGE = "en"  # an imported menu's one language (a flow's prompts are text in one language)
CHOSEN_LANGUAGE = "chosen_language"
END = "end_of_flow"  # the hang-up every branch that ends in the source flow leads to
TEMPLATE = re.compile(r"\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")  # Terraform's ${NAME}


class ImportProblem(ValueError):
    """The file is not a flow `ivr` can read; the message says what is wrong."""


@dataclass
class Imported:
    """The menu as YAML text, what could not be carried over, and how many nodes it has."""

    text: str
    warnings: list[str] = field(default_factory=list)
    nodes: int = 0


def node_id(name: str) -> str:
    clean = re.sub(r"[^A-Za-z0-9_-]", "_", name.strip()) or "node"
    return clean if re.match(r"[A-Za-z_]", clean) else f"_{clean}"


def literal(text: str) -> str:
    """Text said as it is: its braces doubled, as `ivr` prompts write a brace the caller should hear."""
    return text.replace("{", "{{").replace("}", "}}")


class Recorded(str):
    """A prompt that plays a recording: its text (what the caller hears in ivr) and the recording, which
    the menu keeps as the node's `audio:` so that an export plays it again."""

    audio: str

    def __new__(cls, text: str, audio: str) -> Recorded:
        made = super().__new__(cls, text)
        made.audio = audio
        return made


def recorded(name: str, platform: str, text: str = "") -> Recorded:
    """The recording ``name`` of ``platform`` (``asterisk``, ``freeswitch``, ...), with ``text`` as what is
    said in its place (a note naming it, when the flow gives no text). A name without a scheme is marked
    with the platform's, so that it is never read as a file beside the menu."""
    short = name.rstrip("/").rsplit("/", 1)[-1]
    spoken = text or literal(f"(the recording {short} plays here)")
    return Recorded(spoken, name if SCHEME.match(name) else f"{platform}:{name}")


def joined(prompts: list[str]) -> str:
    """Prompts said in a row as one text; one recording alone stays a recording."""
    return prompts[0] if len(prompts) == 1 else " ".join(prompts)


def _plain(value: Any) -> Any:
    """``value`` with every :class:`Recorded` as plain text (YAML's safe writer takes no subclasses)."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _with_audio(spec: dict[str, Any]) -> dict[str, Any]:
    """A node as written: a recorded prompt gets its `audio:` right after it."""
    out: dict[str, Any] = {}
    for key, value in spec.items():
        out[key] = _plain(value)
        if key == "prompt" and isinstance(value, Recorded):
            out["audio"] = value.audio
    return out


@dataclass
class MenuDraft:
    """A menu being written by an importer."""

    platform: str
    source: str
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    queues: dict[str, dict[str, Any]] = field(default_factory=dict)
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)  # values the flow declares once for every call
    calendar: dict[str, Any] = field(default_factory=dict)  # the time zone its time tests are in
    warnings: list[str] = field(default_factory=list)

    def warn(self, where: str, text: str) -> None:
        self.warnings.append(f"{self.source}: {where}: {text}")

    def result(self, start: str) -> Imported:
        for node, spec in self.nodes.items():
            self._other_languages(node, spec)
        return Imported(self.render(start), self.warnings, len(self.nodes))

    def _other_languages(self, node: str, spec: Any) -> None:
        """A flow that switches the caller's language (`Set(language=ur)`, `xml:lang`) while its prompts are
        in one: the choice is kept as `chosen_language`, since `language` may only name the menu's own."""
        if isinstance(spec, list):
            for item in spec:
                self._other_languages(node, item)
        if not isinstance(spec, dict):
            return
        sets = spec.get("set")
        if isinstance(sets, dict) and "language" in sets and str(sets["language"]) != IMPORTED_LANGUAGE:
            sets[CHOSEN_LANGUAGE] = sets.pop("language")
            self.warn(
                f"node {node!r}",
                f"switches the caller's language to {sets[CHOSEN_LANGUAGE]!r}, but its prompts are in one language: "
                f"the choice is kept as the variable {CHOSEN_LANGUAGE!r}",
            )
        for key, value in spec.items():
            if key != "set":
                self._other_languages(node, value)

    def render(self, start: str) -> str:
        head = {"version": 1, "name": node_id(self.source.rsplit("/", 1)[-1].split(".")[0]), "start": start}
        out = [
            f"# Imported from the {self.platform} flow {self.source} by `ivr import`.",
            "# Each node names where it comes from; warnings name what could not be carried over.",
            yaml.safe_dump(head, sort_keys=False, allow_unicode=True).rstrip(),
        ]
        if self.calendar:
            out.append(yaml.safe_dump({"calendar": self.calendar}, sort_keys=False, allow_unicode=True).rstrip())
        if self.variables:
            out.append(yaml.safe_dump({"variables": self.variables}, sort_keys=False, allow_unicode=True).rstrip())
        if self.inputs:
            out.append("# What the flow computed and ivr cannot: give it as caller data (`--var`, a script's caller)")
            out.append(yaml.safe_dump({"inputs": self.inputs}, sort_keys=False, allow_unicode=True).rstrip())
        if self.queues:
            out.append(yaml.safe_dump({"queues": self.queues}, sort_keys=False, allow_unicode=True).rstrip())
        out.append(f"# {self.platform} has no global keys: every key is the flow's own")
        out.append("defaults:\n  keys: { representative: null, back: null, repeat: null }")
        out.append("nodes:")
        for node, spec in self.nodes.items():
            out.append(f"  # {self.comments.get(node, '')}")
            block = yaml.safe_dump({node: _with_audio(spec)}, sort_keys=False, allow_unicode=True, width=110)
            out.append("\n".join("  " + line for line in block.rstrip().splitlines()))
        return "\n".join(out) + "\n"
