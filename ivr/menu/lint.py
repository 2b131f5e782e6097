"""Menu design checks: the quality control that makes every call handled the same way.

Each rule has an id (shown in brackets, and accepted by ``lint: {disable: [...]}`` in a menu file and by
``ivr check --disable``) and a severity: errors are mistakes a caller will hit, warnings are departures
from ISO/IEC 13714 and common practice.
"""

from __future__ import annotations

import re
from collections import deque

from ivr.menu.compiled import CompiledNode, Menu
from ivr.menu.lint_loops import LoopRules
from ivr.menu.lookup_model import LookupNode
from ivr.menu.model import INPUT_TYPES, BranchNode, CollectNode, MenuNode, QueueNode, SubmenuNode, SurveyNode
from ivr.menu.text import placeholders
from ivr.source.diagnostics import Diagnostic, Severity, sort_diagnostics

RULES: dict[str, tuple[Severity, str]] = {
    "unreachable": ("warning", "a node no call can reach from the start"),
    "dead-end": ("error", "a path that ends without a hang-up, queue or transfer"),
    "no-failure-path": ("error", "a menu that drops callers who stay silent or press wrong keys"),
    "no-exit-loop": ("error", "a loop callers can never leave"),
    "input-free-loop": ("warning", "a loop that goes round without waiting for the caller"),
    "silent-caller-loop": ("error", "a caller who never presses a key goes round a loop for ever"),
    "too-many-options": ("warning", "more than 4 numbered options (ISO/IEC 13714)"),
    "too-deep": ("warning", "more than 3 menu levels before a representative can be reached"),
    "key-not-mapped": ("error", "a key announced in a prompt that does nothing"),
    "key-not-announced": ("warning", "an option no prompt tells the caller about"),
    "option-gaps": ("warning", "numbered options with gaps (1, 2, 4)"),
    "timeout-range": ("warning", "a first-key timeout outside 3-10 s"),
    "key-before-function": ("warning", "'press 1 for billing' instead of 'for billing, press 1'"),
    "undefined-variable": ("warning", "a prompt uses a variable that nothing sets"),
    "unstaffed-queue": ("error", "a queue that no representative has the skill to answer"),
    "unused-skill": ("warning", "a representative's skill that no queue asks for"),
    "audio-unusable": ("warning", "a prompt's recording beside the menu that is missing or not a WAV"),
}

MAX_OPTIONS = 4
MAX_LEVELS = 3
TIMEOUT_RANGE = (3.0, 10.0)

_PRESS_WORDS = re.compile(r"\b(?:press|dial|push)\b|دبائیں|دبایئے|دبائیے", re.IGNORECASE)
_KEY_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "star": "*",
    "hash": "#",
    "pound": "#",
    "ستارہ": "*",
    "ہیش": "#",
}
_KEY_TOKEN = re.compile(
    r"(?<![\w.])([0-9۰-۹*#])(?![\w.])|\b(" + "|".join(k for k in _KEY_WORDS if k.isascii()) + r")\b|(ستارہ|ہیش)",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?۔\n]+")
_KEY_FIRST = re.compile(
    r"\bpress\s+(?:[0-9*#]|star|hash|pound|zero|one|two|three|four|five|six|seven|eight|nine)\s+(?:for|to)\b", re.I
)
_EASTERN = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")


def announced_keys(text: str) -> set[str]:
    """Keys a prompt tells the caller to press, in any language the linter knows ("press 1", "1 دبائیں")."""
    keys: set[str] = set()
    for sentence in _SENTENCE.findall(text):
        if not _PRESS_WORDS.search(sentence):
            continue
        for match in _KEY_TOKEN.finditer(sentence):
            token = match.group(0)
            keys.add(_KEY_WORDS.get(token.lower(), token.translate(_EASTERN)))
    return keys


class _Linter(LoopRules):
    def __init__(self, menu: Menu) -> None:
        self.menu = menu
        self.found: list[Diagnostic] = []

    def report(self, rule: str, node: CompiledNode, message: str, *where: str | int, hint: str | None = None) -> None:
        path, line, col = node.where(*where)
        severity, _ = RULES[rule]
        self.found.append(Diagnostic(path, line, col, message, severity, hint, rule))

    def run(self) -> list[Diagnostic]:
        reachable = self.reachable()
        for node in self.menu.nodes.values():
            if node.id not in reachable:
                self.report("unreachable", node, f"node {node.id!r} cannot be reached from {self.menu.start!r}")
        self.dead_ends()
        self.loops(reachable)
        self.input_free_loops(reachable)
        self.silent_loops(reachable)
        self.depth()
        for node in self.menu.nodes.values():
            if node.settings is not None:
                self.input_node(node)
            self.variables(node)
        self.recordings()
        self.staffing()
        return self.found

    def recordings(self) -> None:
        for node_id, found in self.menu.recordings.items():
            for language, recording in found.items():
                if recording.problem is not None:
                    where = ("audio",) if not language else ("audio", language)
                    self.report(
                        "audio-unusable",
                        self.menu.nodes[node_id],
                        f"{recording.problem}: the prompt's text is spoken in its place",
                        *where,
                        hint="write it with `ivr speak`, or name a platform's recording with its scheme (arn:, https:)",
                    )

    def staffing(self) -> None:
        centre = self.menu.centre
        if centre is None or not centre.agents:
            return
        skills = {skill for team in centre.agents for skill in team.skills}
        wanted = {name: spec.skill or name for name, spec in self.menu.queues.items()}
        for node in self.menu.nodes.values():
            if isinstance(node.spec, QueueNode) and wanted.get(queue := node.spec.queue) not in skills:
                self.report(
                    "unstaffed-queue",
                    node,
                    f"no representative has skill {wanted.get(queue)!r}: callers in queue "
                    f"{queue!r} wait until they give up",
                    "queue",
                    hint="give a team that skill under `centre.agents`",
                )
        root = self.menu.nodes[self.menu.start]
        for skill in sorted(skills - set(wanted.values())):
            self.report("unused-skill", root, f"representatives have skill {skill!r} but no queue asks for it")

    # -- graph rules ---------------------------------------------------------------------------------

    def reachable(self) -> set[str]:
        seen = {self.menu.start}
        todo = [self.menu.start]
        while todo:
            for target in self.menu.successors(todo.pop()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen

    def dead_ends(self) -> None:
        for node in self.menu.nodes.values():
            kind, outgoing = node.kind, {e.kind for e in self.menu.edges[node.id]}
            if kind == "return" and self.menu.is_submenu and "/" not in node.id:
                continue  # a sub-menu checked on its own returns to whoever includes it
            if kind in ("message", "collect", "return", "submenu") and "next" not in outgoing:
                field = "next" if kind != "return" else "type"
                what = {"return": "returns to a sub-menu node with no `next`"}.get(kind, "has no `next`")
                self.report("dead-end", node, f"{kind} {node.id!r} {what}: the call ends in silence", field)
            elif kind == "branch" and "default" not in outgoing:
                self.report(
                    "dead-end",
                    node,
                    f"branch {node.id!r} has no `default`: when no case holds the call ends in silence",
                    "cases",
                    hint="add `default:` naming where everyone else goes",
                )

    def depth(self) -> None:
        """Warn at input nodes a caller reaches after more than MAX_LEVELS menus with no way to a person."""
        offers = {n.id for n in self.menu.nodes.values() if self._offers_person(n)}
        start = self.menu.start
        levels = {start: 1 if self.menu.nodes[start].kind in INPUT_TYPES else 0}
        todo = deque([start])
        warned: set[str] = set()
        while todo:
            node_id = todo.popleft()
            if node_id in offers:
                continue
            node = self.menu.nodes[node_id]
            if node.kind in INPUT_TYPES and levels[node_id] > MAX_LEVELS and node_id not in warned:
                warned.add(node_id)
                self.report(
                    "too-deep",
                    node,
                    f"callers reach {node_id!r} after {levels[node_id]} menus with no way to a representative",
                    hint="offer the representative key (0) or flatten the menu",
                )
            for target in self.menu.successors(node_id):
                depth = levels[node_id] + (self.menu.nodes[target].kind in INPUT_TYPES)
                if target not in levels:
                    levels[target] = depth
                    todo.append(target)

    def _offers_person(self, node: CompiledNode) -> bool:
        if node.kind in ("queue", "transfer"):
            return True
        edges = self.menu.edges[node.id]
        if node.kind not in INPUT_TYPES:
            return False
        if any(e.kind == "key" for e in edges):
            return True
        for edge in edges:
            if edge.kind != "option":
                continue
            target = self.menu.nodes[edge.target]
            while target.kind in ("message", "submenu") and self.menu.edges[target.id]:
                target = self.menu.nodes[self.menu.edges[target.id][0].target]
            if target.kind in ("queue", "transfer"):
                return True
        return False

    # -- per-node rules ------------------------------------------------------------------------------

    def input_node(self, node: CompiledNode) -> None:
        settings = node.settings
        assert settings is not None
        if settings.on_exhausted is None and not self.menu.is_submenu and node.kind != "survey":
            self.report(
                "no-failure-path",
                node,
                f"{node.kind} {node.id!r} has nowhere to go when attempts run out: silent callers are dropped",
                hint="set `defaults.representative` (or `on_exhausted`) to a queue node",
            )
        low, high = TIMEOUT_RANGE
        if not low <= settings.timeout <= high:
            self.report(
                "timeout-range",
                node,
                f"first-key timeout of {settings.timeout:g} s is outside {low:g}-{high:g} s",
                "timeout" if "timeout" in node.spec.model_fields_set else "type",
            )
        if not isinstance(node.spec, MenuNode):
            return
        options = node.spec.options
        numbered = sorted(int(k) for k in options if k.isdigit() and k != "0")
        if len(numbered) > MAX_OPTIONS:
            self.report(
                "too-many-options",
                node,
                f"menu {node.id!r} has {len(numbered)} numbered options; callers remember {MAX_OPTIONS} at most",
                "options",
                hint="group options into a sub-menu",
            )
        if numbered and numbered != list(range(1, len(numbered) + 1)):
            self.report(
                "option-gaps",
                node,
                f"options are numbered {', '.join(map(str, numbered))}; number them 1 to {len(numbered)} in order",
                "options",
            )
        keys = settings.keys
        active = set(options) | {k for k in (keys.back, keys.repeat) if k}
        if keys.representative and settings.representative:
            active.add(keys.representative)
        heard: dict[str, set[str]] = {}
        for role in ("prompt", "short_prompt", "help"):
            text = getattr(node.spec, role)
            for lang, body in (text or {}).items():
                heard.setdefault(lang, set()).update(announced_keys(body))
                if (lang == "en" or lang in ("", "*")) and _KEY_FIRST.search(body):
                    self.report(
                        "key-before-function",
                        node,
                        "say the function before the key: 'For billing, press 1'",
                        role,
                        lang,
                    )
        for lang, announced in heard.items():
            for key in sorted(announced - active):
                self.report(
                    "key-not-mapped",
                    node,
                    f"the {lang or 'prompt'} prompt of {node.id!r} announces key {key!r}, which does nothing here",
                    "prompt",
                    lang,
                    hint=f"add an option for {key!r} or correct the prompt",
                )
            for key in sorted(set(options) - announced):
                self.report(
                    "key-not-announced",
                    node,
                    f"option {key!r} of {node.id!r} is never announced in the {lang or 'prompt'} prompt",
                    "options",
                    key,
                )

    def variables(self, node: CompiledNode) -> None:
        known = self._known_variables()
        if isinstance(node.spec, BranchNode):
            for i, case in enumerate(node.spec.cases):
                for name in sorted(case.when.variables()):
                    if name not in known and not name.startswith("caller."):
                        self.report(
                            "undefined-variable",
                            node,
                            f"condition tests {name!r} but no node, option or caller data sets it",
                            "cases",
                            i,
                            "when",
                        )
        if isinstance(node.spec, LookupNode) and node.spec.input is not None:
            for name, _ in placeholders(node.spec.input):
                if name not in known:
                    self.report(
                        "undefined-variable",
                        node,
                        f"the lookup's input uses {{{name}}} but no node, option or caller data sets {name!r}",
                        "input",
                    )
        for role in ("prompt", "short_prompt", "help", "invalid_prompt"):
            text = getattr(node.spec, role, None)
            for lang, body in (text or {}).items():
                for name, _ in placeholders(body):
                    if name not in known:
                        self.report(
                            "undefined-variable",
                            node,
                            f"prompt uses {{{name}}} but no node, option or caller data sets {name!r}",
                            role,
                            lang,
                        )

    _known: set[str] | None = None

    def _known_variables(self) -> set[str]:
        if self._known is None:
            # what the representative notes when a queued call goes on to its `after` node
            known = {"language", "caller.number", "caller.tier", "reference", "resolved", "agent", *self.menu.variables}
            known |= set(self.menu.inputs)  # caller data the line declares
            known |= {"queue.position", "queue.wait", "queue.key"}  # filled in by the queue's own messages
            for node in self.menu.nodes.values():
                spec = node.spec
                known.update(spec.set)
                match spec:
                    case SubmenuNode():
                        known.update(spec.with_)
                    case CollectNode():
                        known.add(spec.variable)
                    case MenuNode():
                        for option in spec.options.values():
                            known.update(option.set)
                    case SurveyNode():
                        known.update(f"survey.{q.id}" for q in spec.questions)
                    case LookupNode():
                        known.update(spec.returns())
            self._known = known
        return self._known


def lint_menu(menu: Menu, disable: set[str] | frozenset[str] = frozenset()) -> list[Diagnostic]:
    """Every design problem in ``menu``, minus the rules switched off by the file or by ``disable``."""
    off = set(disable) | menu.lint_disabled
    return sort_diagnostics(d for d in _Linter(menu).run() if d.rule not in off)
