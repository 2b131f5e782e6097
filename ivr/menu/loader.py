"""Load a menu file (and the sub-menu files it includes) into a :class:`Menu`, reporting every problem.

Loading goes file by file: the YAML is read with positions, the top-level settings and then each node are
validated on their own (so one broken node does not hide the problems of the others), references are
checked, and effective settings and edges are worked out. All problems of all files are raised together
as one :class:`MenuError`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, TypeAdapter, ValidationError

from ivr.menu.centre_model import CentreSpec, QueueSpec
from ivr.menu.compiled import CompiledNode, Edge, Menu, Settings, Text
from ivr.menu.conditions import Condition, Hours
from ivr.menu.model import (
    ANY_LANGUAGE,
    INPUT_TYPES,
    NODE_TYPES,
    PLAIN_TEXT,
    BranchNode,
    CollectNode,
    Defaults,
    GlobalKeys,
    MenuFile,
    MenuNode,
    MessageNode,
    Node,
    QueueMessages,
    QueueNode,
    Reprompts,
    ReturnNode,
    SubmenuNode,
    SurveyNode,
    parse_time_range,
    parse_weekdays,
)
from ivr.source.diagnostics import Diagnostic, IvrError, MenuError, sort_diagnostics
from ivr.source.reader import Loc, Source, display_path, read_yaml
from ivr.source.validation import validation_diagnostics

_node_adapter: TypeAdapter[Any] = TypeAdapter(Node)

BUILTIN_REPROMPTS: dict[str, tuple[Text, ...]] = {
    "no_input": (
        {"en": "Sorry, I didn't hear anything.", "ur": "معاف کیجیے، ہمیں آپ کا کوئی جواب نہیں ملا۔"},
        {
            "en": "Sorry, I still didn't hear anything. Here are the choices again.",
            "ur": "معاف کیجیے، اب بھی کوئی جواب نہیں ملا۔ انتخاب دوبارہ سنیے۔",
        },
    ),
    "no_match": (
        {"en": "Sorry, that is not one of the choices.", "ur": "معاف کیجیے، یہ دستیاب انتخاب میں شامل نہیں۔"},
        {
            "en": "Sorry, that still isn't one of the choices. Please listen carefully.",
            "ur": "معاف کیجیے، یہ اب بھی درست انتخاب نہیں۔ براہِ کرم غور سے سنیے۔",
        },
    ),
}
BUILTIN_EXHAUSTED: Text = {
    "en": "Let me put you through to someone who can help.",
    "ur": "میں آپ کو ایک ایسے نمائندے سے ملاتا ہوں جو آپ کی مدد کر سکے۔",
}
BASE_DEFAULTS = {"timeout": 5.0, "max_no_input": 3, "max_no_match": 3, "max_attempts": 5}


MAX_EXPANDED_NODES = 20_000  # nodes of a menu with every sub-menu included (a 10,000-node menu loads in ~2 s)
MAX_INCLUDES = 500  # sub-menu inclusions: each one reads its file again


@dataclass(frozen=True)
class _Scope:
    """One loaded file: where its node ids live and what it inherits."""

    source: Source
    folder: Path
    prefix: str
    languages: tuple[str, ...]
    defaults: dict[str, Any]  # effective defaults with absolute node ids
    parent_next: str | None  # where this file's `return` nodes go

    def absolute(self, local: str) -> str:
        return self.prefix + local


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root_folder = self.root.parent
        self.problems: list[Diagnostic] = []
        self.nodes: dict[str, CompiledNode] = {}
        self.edges: dict[str, list[Edge]] = {}
        self.queues: dict[str, Any] = {}
        self.queue_sources: dict[str, str] = {}
        self.includes = 0  # sub-menu files read, counting each inclusion
        self.too_big = False
        self.sources: list[Source] = []
        self.hours: dict[str, Hours] = {}
        self.holidays: set[date] = set()
        self.root_file: MenuFile | None = None
        self.pending_refs: list[tuple[Source, Loc, str, str]] = []  # queue/schedule names checked at the end

    # -- files ---------------------------------------------------------------------------------------

    def load_file(self, path: Path, prefix: str, parent: _Scope | None, chain: tuple[Path, ...]) -> str | None:
        """Load one file; return the absolute id of its start node (None when it could not be loaded)."""
        try:
            data, source = read_yaml(path)
        except IvrError as exc:
            self.problems.extend(exc.diagnostics)
            return None
        self.sources.append(source)
        if not isinstance(data, dict):
            self.problems.append(source.error((), "expected a mapping with `name`, `start` and `nodes` at the top"))
            return None
        nodes_value = data.get("nodes")
        raw_nodes: dict[str, Any] = nodes_value if isinstance(nodes_value, dict) else {}
        top = dict(data)
        if raw_nodes:
            top["nodes"] = dict.fromkeys(raw_nodes)
        if isinstance(top.get("centre"), str):
            self._centre_file(top, path.parent, source)
        try:
            file = MenuFile.model_validate(top)
        except ValidationError as exc:
            self._report(source, (), exc, MenuFile)
            file = None
        specs: dict[str, Any] = {}
        for local_id, raw in raw_nodes.items():
            try:
                specs[local_id] = _node_adapter.validate_python(raw)
            except ValidationError as exc:
                self._report(source, ("nodes", local_id), exc, None, raw)
        if file is None:
            return None
        if parent is None:
            self.root_file = file
            self._calendar(file, source)
        elif missing := [lang for lang in parent.languages if lang not in file.languages]:
            self.problems.append(
                source.error(
                    ("languages",),
                    f"this sub-menu lacks language(s) {', '.join(missing)} that the including menu uses",
                    "add them to `languages` with a text for each prompt",
                )
            )
        languages = parent.languages if parent else tuple(file.languages)
        scope = _Scope(
            source=source,
            folder=path.parent,
            prefix=prefix,
            languages=languages,
            defaults=self._defaults(file.defaults, prefix, parent, source, set(raw_nodes)),
            parent_next=parent.parent_next if parent else None,
        )
        self._check_texts_of(scope, ("defaults",), file.defaults)
        if parent is None:
            self._check_builtin_texts(scope)
        for name, spec in file.queues.items():
            if name in self.queues and self.queues[name] != spec:
                self.problems.append(
                    source.error(
                        ("queues", name), f"queue {name!r} is declared differently in {self.queue_sources[name]}"
                    )
                )
            self.queues.setdefault(name, spec)
            self.queue_sources.setdefault(name, source.path)
        if parent is not None:
            self._calendar(file, source)
            if file.centre is not None:
                self.problems.append(
                    source.error(("centre",), "only the main menu file can describe the centre", "move it there")
                )
        local_ids = set(raw_nodes)
        self._ref(scope, ("start",), file.start, local_ids)
        chain = (*chain, path.resolve())
        for local_id, spec in specs.items():
            self._node(scope, local_id, spec, local_ids, chain)
        return scope.absolute(file.start)

    def _centre_file(self, top: dict[str, Any], folder: Path, source: Source) -> None:
        """`centre: floor.yaml`: the representatives (and more queues) kept in a file of their own."""
        name = top.pop("centre")
        target = (folder / name).resolve()
        if not target.is_relative_to(self.root_folder):
            self.problems.append(source.error(("centre",), f"centre file {name!r} is outside the menu's folder"))
            return
        if not target.is_file():
            self.problems.append(source.error(("centre",), f"centre file {name!r} does not exist"))
            return
        try:
            data, centre_source = read_yaml(target)
        except IvrError as exc:
            self.problems.extend(exc.diagnostics)
            return
        self.sources.append(centre_source)
        if not isinstance(data, dict):
            self.problems.append(centre_source.error((), "expected a mapping with `agents` (and optional `queues`)"))
            return
        data = dict(data)
        queues = data.pop("queues", None)
        if queues is not None:
            try:
                extra = TypeAdapter(dict[str, QueueSpec]).validate_python(queues)
            except ValidationError as exc:
                self.problems.extend(validation_diagnostics(centre_source, ("queues",), exc, queues))
                extra = {}
            queues_value = top.get("queues")
            mine: dict[str, Any] = queues_value if isinstance(queues_value, dict) else {}
            for queue_name in extra:
                if queue_name in mine:
                    self.problems.append(
                        centre_source.error(("queues", queue_name), f"queue {queue_name!r} is declared in the menu too")
                    )
            top["queues"] = {**mine, **{k: v for k, v in extra.items() if k not in mine}}
        try:
            top["centre"] = CentreSpec.model_validate(data)
        except ValidationError as exc:
            self.problems.extend(validation_diagnostics(centre_source, (), exc, data))

    def _calendar(self, file: MenuFile, source: Source) -> None:
        for name, days in file.calendar.schedules.items():
            ranges: dict[int, list[tuple[int, int]]] = {}
            for spec, texts in days.items():
                for day in parse_weekdays(spec):
                    ranges.setdefault(day, []).extend(parse_time_range(t) for t in texts)
            self.hours[name] = Hours({d: tuple(sorted(r)) for d, r in ranges.items()})
        self.holidays.update(file.calendar.holidays)

    def _defaults(
        self, given: Defaults, prefix: str, parent: _Scope | None, source: Source, local_ids: set[str]
    ) -> dict[str, Any]:
        effective: dict[str, Any] = (
            dict(parent.defaults)
            if parent
            else {
                **BASE_DEFAULTS,
                "keys": GlobalKeys(),
                "reprompts": Reprompts(),
                "representative": None,
                "on_exhausted": None,
                "exhausted_prompt": None,
                "inter_digit_timeout": None,
            }
        )
        for name in given.model_fields_set:
            value = getattr(given, name)
            if name in ("representative", "on_exhausted") and value is not None:
                self._ref_local(source, ("defaults", name), value, local_ids)
                value = prefix + value
            elif name in ("keys", "reprompts"):
                value = _merged(effective[name], value)
            effective[name] = value
        return effective

    # -- nodes ---------------------------------------------------------------------------------------

    def _node(self, scope: _Scope, local_id: str, spec: Any, local_ids: set[str], chain: tuple[Path, ...]) -> None:
        node_id = scope.absolute(local_id)
        loc: Loc = ("nodes", local_id)
        node = CompiledNode(node_id, spec.type, spec, scope.source, loc)
        self.nodes[node_id] = node
        edges: list[Edge] = []
        self.edges[node_id] = edges

        def goto(
            field_loc: tuple[str | int, ...],
            target: str | None,
            kind: str,
            trigger: str,
            label: str,
            key: str | None = None,
        ) -> None:
            if target is not None and self._ref(scope, (*loc, *field_loc), target, local_ids):
                edges.append(Edge(node_id, scope.absolute(target), kind, trigger, label, key))

        self._check_texts_of(scope, loc, spec)
        self._check_sets(scope, loc, spec)
        if isinstance(spec, MenuNode | CollectNode | SurveyNode):
            node.settings = self._settings(scope, loc, spec, local_ids)
        if isinstance(spec, MenuNode):
            for key, option in spec.options.items():
                goto(("options", key, "goto"), option.goto, "option", f"press:{key}", key, key)
                self._check_sets(scope, (*loc, "options", key), option)
                if option.label:
                    self._check_text(scope, (*loc, "options", key, "label"), option.label)
            self._check_key_clashes(scope, loc, spec, node.settings)
        elif isinstance(spec, CollectNode):
            goto(("next",), spec.next, "next", "next", "entered")
            terminator = spec.terminator or (node.settings.keys.terminator if node.settings else None)
            if terminator is not None and terminator.isdigit():
                field = ("terminator",) if spec.terminator else ()
                self.problems.append(
                    scope.source.error(
                        (*loc, *field),
                        f"the terminator {terminator!r} is a digit: it could never be typed as part of the entry",
                        "end digit entry with # (or *)",
                    )
                )
        elif isinstance(spec, MessageNode):
            goto(("next",), spec.next, "next", "next", "")
        elif isinstance(spec, BranchNode):
            for i, case in enumerate(spec.cases):
                goto(("cases", i, "goto"), case.goto, "case", f"case:{i}", describe(case.when))
                for name in sorted(case.when.schedules()):
                    self.pending_refs.append((scope.source, (*loc, "cases", i, "when"), "schedule", name))
            goto(("default",), spec.default, "default", "default", "otherwise")
        elif isinstance(spec, QueueNode):
            self.pending_refs.append((scope.source, (*loc, "queue"), "queue", spec.queue))
            goto(("after",), spec.after, "after", "after", "after the representative")
            goto(("on_busy",), spec.on_busy, "busy", "busy", "queue full or unstaffed")
        elif isinstance(spec, SurveyNode):
            goto(("next",), spec.next, "next", "next", "survey done")
            repeat = node.settings.keys.repeat if node.settings else None
            for i, question in enumerate(spec.questions):
                self._check_text(scope, (*loc, "questions", i, "prompt"), question.prompt)
                if repeat is not None and repeat in question.answers:
                    self.problems.append(
                        scope.source.error(
                            (*loc, "questions", i, "answers", repeat),
                            f"answer key {repeat!r} is also the repeat key: the question would be asked again instead",
                            "use another key for the answer, or set `keys: {repeat: null}` on the survey",
                        )
                    )
        elif isinstance(spec, SubmenuNode):
            self._submenu(scope, node_id, loc, spec, local_ids, chain, edges)
        elif isinstance(spec, ReturnNode) and scope.parent_next:
            edges.append(Edge(node_id, scope.parent_next, "next", "next", "return"))
        if node.settings is not None and node.kind != "survey":
            settings = node.settings
            rep = settings.keys.representative
            # In digit entry a digit is data, so only * or # can reach a representative there.
            if settings.representative and rep and not (node.kind == "collect" and rep.isdigit()):
                edges.append(Edge(node_id, settings.representative, "key", f"key:{rep}", f"{rep} representative", rep))
            if settings.on_exhausted:
                edges.append(Edge(node_id, settings.on_exhausted, "exhausted", "exhausted", "attempts used up"))

    def _submenu(
        self,
        scope: _Scope,
        node_id: str,
        loc: Loc,
        spec: SubmenuNode,
        local_ids: set[str],
        chain: tuple[Path, ...],
        edges: list[Edge],
    ) -> None:
        if len(self.nodes) >= MAX_EXPANDED_NODES or self.includes >= MAX_INCLUDES:
            if not self.too_big:  # said once, where it happened; the rest is not read
                self.too_big = True
                self.problems.append(
                    scope.source.error(
                        (*loc, "file"),
                        f"the menu is too big once its sub-menus are included (more than {MAX_EXPANDED_NODES:,}"
                        f" nodes or {MAX_INCLUDES:,} inclusions)",
                        "include each sub-menu fewer times, or split the line into several menus",
                    )
                )
            return
        self.includes += 1
        target = (scope.folder / spec.file).resolve()
        if not target.is_relative_to(self.root_folder):
            self.problems.append(
                scope.source.error(
                    (*loc, "file"),
                    f"sub-menu {spec.file!r} is outside the menu's folder {display_path(self.root_folder)}",
                    "keep included menus in the same folder as the main menu, or below it",
                )
            )
            return
        if target in chain:
            self.problems.append(scope.source.error((*loc, "file"), f"sub-menu {spec.file!r} includes itself"))
            return
        if not target.is_file():
            self.problems.append(scope.source.error((*loc, "file"), f"sub-menu file {spec.file!r} does not exist"))
            return
        next_id = None
        if spec.next is not None and self._ref(scope, (*loc, "next"), spec.next, local_ids):
            next_id = scope.absolute(spec.next)
        child = _Scope(scope.source, scope.folder, scope.prefix, scope.languages, scope.defaults, next_id)
        start = self.load_file(target, node_id + "/", child, chain)
        if start is not None:
            edges.append(Edge(node_id, start, "next", "next", "sub-menu"))

    def _settings(
        self, scope: _Scope, loc: Loc, spec: MenuNode | CollectNode | SurveyNode, local_ids: set[str]
    ) -> Settings:
        merged = dict(scope.defaults)
        for name in spec.model_fields_set & set(BASE_DEFAULTS.keys() | {"inter_digit_timeout", "exhausted_prompt"}):
            merged[name] = getattr(spec, name)
        for name in ("keys", "reprompts"):
            if name in spec.model_fields_set:
                merged[name] = _merged(merged[name], getattr(spec, name))
        if spec.on_exhausted is not None and self._ref(scope, (*loc, "on_exhausted"), spec.on_exhausted, local_ids):
            merged["on_exhausted"] = scope.absolute(spec.on_exhausted)
        timeout = merged["timeout"]
        reprompts: Reprompts = merged["reprompts"]
        return Settings(
            timeout=timeout,
            inter_digit_timeout=merged["inter_digit_timeout"] or timeout / 2,
            max_no_input=merged["max_no_input"],
            max_no_match=merged["max_no_match"],
            max_attempts=merged["max_attempts"],
            no_input_reprompts=tuple(reprompts.no_input or BUILTIN_REPROMPTS["no_input"]),
            no_match_reprompts=tuple(reprompts.no_match or BUILTIN_REPROMPTS["no_match"]),
            keys=merged["keys"],
            representative=merged["representative"],
            on_exhausted=merged["on_exhausted"] or merged["representative"],
            exhausted_prompt=merged["exhausted_prompt"] or BUILTIN_EXHAUSTED,
        )

    def _check_builtin_texts(self, scope: _Scope) -> None:
        """The built-in reprompts speak English and Urdu only; other languages must bring their own."""
        builtin = {"en", "ur"}
        others = [lang for lang in scope.languages if lang not in builtin]
        if not others:
            return
        reprompts: Reprompts = scope.defaults["reprompts"]
        needed = [
            ("reprompts.no_input", reprompts.no_input),
            ("reprompts.no_match", reprompts.no_match),
            ("exhausted_prompt", scope.defaults["exhausted_prompt"]),
        ]
        for name, given in needed:
            if given is None:
                self.problems.append(
                    scope.source.error(
                        ("languages",),
                        f"the built-in {name} has no {', '.join(others)} text",
                        f"set `defaults.{name}` with a text for each language",
                    )
                )

    def _check_key_clashes(self, scope: _Scope, loc: Loc, spec: MenuNode, settings: Settings | None) -> None:
        if settings is None:
            return
        keys = settings.keys
        for role in ("representative", "back", "repeat"):
            key = getattr(keys, role)
            if key is not None and key in spec.options:
                if role == "representative" and settings.representative is None:
                    continue
                self.problems.append(
                    scope.source.error(
                        (*loc, "options", key),
                        f"option {key!r} clashes with the global {role} key",
                        f"use another key, or switch the global key off here with `keys: {{{role}: null}}`",
                    )
                )

    # -- checks --------------------------------------------------------------------------------------

    def _ref(self, scope: _Scope, loc: Loc, target: str, local_ids: set[str]) -> bool:
        return self._ref_local(scope.source, loc, target, local_ids)

    def _ref_local(self, source: Source, loc: Loc, target: str, local_ids: set[str]) -> bool:
        if target in local_ids:
            return True
        close = difflib.get_close_matches(target, sorted(local_ids), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "add a node with that id under `nodes`"
        self.problems.append(source.error(loc, f"unknown node {target!r}", hint))
        return False

    def _check_sets(self, scope: _Scope, loc: Loc, spec: Any) -> None:
        language = spec.set.get("language") if hasattr(spec, "set") else None
        if language is not None and language not in scope.languages:
            self.problems.append(
                scope.source.error(
                    (*loc, "set", "language"),
                    f"language {language!r} is not one of this menu's languages ({', '.join(scope.languages)})",
                )
            )

    def _check_texts_of(self, scope: _Scope, loc: Loc, model: BaseModel) -> None:
        for field_loc, text in _texts(model):
            self._check_text(scope, (*loc, *field_loc), text)

    def _overflow_cycles(self, source: Source) -> None:
        """Queues overflowing into each other with no wait on the way would move a caller for ever."""
        reported: set[frozenset[str]] = set()
        for start in self.queues:
            seen: list[str] = []
            name: str | None = start
            while name is not None and name in self.queues and name not in seen:
                seen.append(name)
                overflow = self.queues[name].overflow
                name = overflow.to if overflow is not None else None
            if name != start or frozenset(seen) in reported:
                continue
            reported.add(frozenset(seen))
            overflows = [self.queues[q].overflow for q in seen]
            if sum(o.after for o in overflows if o is not None) == 0:
                ring = " -> ".join([*seen, start])
                self.problems.append(
                    source.error(
                        ("queues", start, "overflow", "after"),
                        f"overflow cycle {ring} with no wait: a caller would be moved for ever",
                        "give one of these overflows an `after` of more than 0 s",
                    )
                )

    def _check_text(self, scope: _Scope, loc: Loc, text: Text) -> None:
        languages = scope.languages
        if PLAIN_TEXT in text:
            if len(languages) > 1:
                self.problems.append(
                    scope.source.error(
                        loc,
                        f"text has no language but the menu speaks {', '.join(languages)}",
                        'write one text per language, e.g. {en: ..., ur: ...}, or `"*": ...` for all',
                    )
                )
            return
        for lang in text:
            if lang != ANY_LANGUAGE and lang not in languages:
                self.problems.append(
                    scope.source.error(
                        (*loc, lang),
                        f"language {lang!r} is not declared in `languages` ({', '.join(languages)})",
                    )
                )
        if ANY_LANGUAGE not in text:
            for lang in languages:
                if lang not in text:
                    self.problems.append(scope.source.error(loc, f"missing the {lang!r} text"))

    def finish(self) -> None:
        for source, loc, kind, name in self.pending_refs:
            known = self.queues if kind == "queue" else self.hours
            if name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1)
                where = "`queues`" if kind == "queue" else "`calendar.schedules`"
                hint = f"did you mean {close[0]!r}?" if close else f"declare it under {where}"
                self.problems.append(source.error(loc, f"unknown {kind} {name!r}", hint))
        self._add_back_edges()
        self._check_centre()

    def _check_centre(self) -> None:
        """References inside the contact-centre section: queues, nodes and keys of the traffic."""
        root = self.root_file
        if root is None or root.centre is None:
            return
        source = self.sources[0]
        centre = root.centre
        for name, spec in self.queues.items():
            if spec.overflow is not None and spec.overflow.to not in self.queues:
                self.problems.append(
                    source.error(("queues", name, "overflow", "to"), f"unknown queue {spec.overflow.to!r}")
                )
        self._overflow_cycles(source)
        traffic = centre.traffic
        if traffic is None:
            return
        for name in traffic.queues or {}:
            if name not in self.queues:
                self.problems.append(source.error(("centre", "traffic", "queues", name), f"unknown queue {name!r}"))
        for node_id, weights in traffic.choices.items():
            node = self.nodes.get(node_id)
            loc = ("centre", "traffic", "choices", node_id)
            if node is None or node.kind not in ("menu",):
                what = "unknown node" if node is None else f"{node.kind} node"
                self.problems.append(source.error(loc, f"{what} {node_id!r}: choices are for menu nodes"))
                continue
            keys = set(node.spec.options) | {e.key for e in self.edges[node_id] if e.key} | {"wait", "hangup"}
            for key in weights:
                if key not in keys:
                    self.problems.append(
                        source.error((*loc, key), f"{key!r} is not an option of {node_id!r}, nor 'wait' or 'hangup'")
                    )

    def _add_back_edges(self) -> None:
        """``back`` returns to the input node heard before this one: any input node that reaches it
        through non-input nodes only. Those pairs are fixed by the menu, so they are edges too."""
        for origin_id, origin in self.nodes.items():
            if origin.kind not in INPUT_TYPES:
                continue
            seen: set[str] = set()
            todo = [e.target for e in self.edges[origin_id] if e.kind != "back"]
            while todo:
                current = todo.pop()
                if current in seen or current not in self.nodes:
                    continue
                seen.add(current)
                node = self.nodes[current]
                if node.kind in INPUT_TYPES:
                    back = node.settings.keys.back if node.settings and node.kind != "survey" else None
                    if back is not None and current != origin_id:
                        self.edges[current].append(Edge(current, origin_id, "back", f"back:{origin_id}", back, back))
                    continue
                todo.extend(e.target for e in self.edges[current] if e.kind != "back")

    # -- validation errors ---------------------------------------------------------------------------

    def _report(
        self, source: Source, base: Loc, exc: ValidationError, model: type[BaseModel] | None, raw: Any = None
    ) -> None:
        self.problems.extend(
            validation_diagnostics(source, base, exc, raw, lambda err: _suggest_field(err, model, raw), NODE_TYPES)
        )


def _merged(base: BaseModel, override: BaseModel | None) -> BaseModel:
    if override is None:
        return base
    return base.model_copy(update={name: getattr(override, name) for name in override.model_fields_set})


def _texts(model: BaseModel) -> Iterator[tuple[tuple[str | int, ...], Text]]:
    for name in ("prompt", "short_prompt", "help", "invalid_prompt", "exhausted_prompt", "intro", "thanks"):
        value = getattr(model, name, None)
        if value is not None:
            yield (name,), value
    confirm = getattr(model, "confirm", None)
    if confirm is not None:
        yield ("confirm", "prompt"), confirm.prompt
    messages = getattr(model, "messages", None)
    if isinstance(messages, QueueMessages):
        for name in QueueMessages.model_fields:
            if (text := getattr(messages, name)) is not None:
                yield ("messages", name), text
    reprompts = getattr(model, "reprompts", None)
    if reprompts is not None:
        for kind in ("no_input", "no_match"):
            for i, text in enumerate(getattr(reprompts, kind) or ()):
                yield ("reprompts", kind, i), text


def describe(cond: Condition) -> str:
    """A short human reading of a condition, for diagrams."""
    if cond.all_ is not None:
        return " and ".join(describe(c) for c in cond.all_)
    if cond.any_ is not None:
        return " or ".join(describe(c) for c in cond.any_)
    if cond.not_ is not None:
        return f"not ({describe(cond.not_)})"
    if cond.open is not None:
        return f"{cond.open} open"
    if cond.holiday is not None:
        return "holiday" if cond.holiday else "not a holiday"
    if cond.weekday is not None:
        return "on " + ", ".join(cond.weekday)
    if cond.time is not None:
        return f"time {cond.time}"
    for op, sign in (("eq", "="), ("ne", "≠"), ("lt", "<"), ("le", "≤"), ("gt", ">"), ("ge", "≥")):
        if getattr(cond, op) is not None:
            return f"{cond.var} {sign} {getattr(cond, op)}"
    if cond.in_ is not None:
        return f"{cond.var} in {', '.join(map(str, cond.in_))}"
    if cond.not_in is not None:
        return f"{cond.var} not in {', '.join(map(str, cond.not_in))}"
    if cond.matches is not None:
        return f"{cond.var} ~ /{cond.matches}/"
    return f"{cond.var} {'set' if cond.exists else 'not set'}"


def _suggest_field(err: Any, model: type[BaseModel] | None, raw: Any) -> str | None:
    loc = err["loc"]
    name = str(loc[-1])
    fields: set[str] = set()
    target: Any = model
    if target is None and isinstance(raw, dict) and raw.get("type") in NODE_TYPES:
        target = _node_models()[raw["type"]]
    if target is not None and len(loc) <= 2:
        fields = {f.alias or n for n, f in target.model_fields.items()}
    close = difflib.get_close_matches(name, sorted(fields), n=1)
    return f"did you mean {close[0]!r}?" if close else None


def _node_models() -> dict[str, type[BaseModel]]:
    from ivr.menu import model as m

    return {
        cls.model_fields["type"].annotation.__args__[0]: cls  # type: ignore[union-attr]
        for cls in (
            m.MenuNode,
            m.CollectNode,
            m.MessageNode,
            m.BranchNode,
            m.QueueNode,
            m.TransferNode,
            m.HangupNode,
            m.SubmenuNode,
            m.ReturnNode,
            m.SurveyNode,
        )
    }


def load_menu(path: str | Path) -> Menu:
    """Load and validate a menu file; raise :class:`MenuError` listing every problem found."""
    path = Path(path)
    loader = _Loader(path)
    start = loader.load_file(path, "", None, ())
    if loader.root_file is not None and start is not None:
        loader.finish()
    if loader.problems or loader.root_file is None or start is None:
        raise MenuError(sort_diagnostics(loader.problems))
    root = loader.root_file
    return Menu(
        name=root.name,
        path=loader.sources[0].path,
        folder=path.parent,
        languages=list(root.languages),
        start=start,
        nodes=loader.nodes,
        edges=loader.edges,
        queues=loader.queues,
        variables=dict(root.variables),
        timezone=ZoneInfo(root.calendar.timezone),
        hours=loader.hours,
        holidays=frozenset(loader.holidays),
        sources=loader.sources,
        lint_disabled=set(root.lint.disable),
        centre=root.centre,
    )
