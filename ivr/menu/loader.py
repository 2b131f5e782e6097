"""Load a menu file (and the sub-menu files it includes) into a :class:`Menu`, reporting every problem.

Loading goes file by file: the YAML is read with positions, the top-level settings and then each node are
validated on their own (so one broken node does not hide the problems of the others), references are
checked, and effective settings and edges are worked out. All problems of all files are raised together
as one :class:`MenuError`.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter, ValidationError

from ivr.menu.builtin import BASE_DEFAULTS, BUILTIN_EXHAUSTED, BUILTIN_REPROMPTS
from ivr.menu.compiled import CompiledNode, Edge, Menu, Settings
from ivr.menu.conditions import describe
from ivr.menu.foreign import imported_copy, is_foreign
from ivr.menu.imported import ImportProblem
from ivr.menu.load_checks import is_centre_data
from ivr.menu.load_includes import LoaderIncludes
from ivr.menu.load_state import Scope, _merged
from ivr.menu.lookup_model import ANY_INPUT
from ivr.menu.model import (
    INPUT_TYPES,
    BranchNode,
    CollectNode,
    Defaults,
    GlobalKeys,
    LookupNode,
    MenuFile,
    MenuNode,
    MessageNode,
    Node,
    QueueNode,
    RecordNode,
    Reprompts,
    ReturnNode,
    SplitNode,
    SubmenuNode,
    SurveyNode,
)
from ivr.source.diagnostics import Diagnostic, IvrError, MenuError, sort_diagnostics
from ivr.source.raw_text import decode, read_bounded
from ivr.source.reader import Loc, Source, display_path, read_yaml

_node_adapter: TypeAdapter[Any] = TypeAdapter(Node)


class _Loader(LoaderIncludes):
    # -- files ---------------------------------------------------------------------------------------

    def load_file(self, path: Path, prefix: str, parent: Scope | None, chain: tuple[Path, ...]) -> str | None:
        """Load one file; return the absolute id of its start node (None when it could not be loaded)."""
        try:
            data, source = read_yaml(path)
        except IvrError as exc:
            self.problems.extend(exc.diagnostics)
            return None
        self.sources.append(source)
        if not chain:
            self.root_is_centre = is_centre_data(data)
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
        self.parameters[path.resolve()] = dict(file.parameters)
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
        scope = Scope(
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
        self.declared.update(scope.absolute(i) for i in local_ids)
        self._ref(scope, ("start",), file.start, local_ids)
        chain = (*chain, path.resolve())
        for local_id, spec in specs.items():
            self._node(scope, local_id, spec, local_ids, chain)
        return scope.absolute(file.start)

    def _defaults(
        self, given: Defaults, prefix: str, parent: Scope | None, source: Source, local_ids: set[str]
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
                "exhausted_prompts": {},
                "inter_digit_timeout": None,
            }
        )
        for name in given.model_fields_set:
            value = getattr(given, name)
            if value is None and (name in BASE_DEFAULTS or name in ("keys", "reprompts")):
                continue  # `timeout: null` and the like: written as unset, so the inherited value holds
            if name in ("representative", "on_exhausted") and value is not None:
                self._ref_local(source, ("defaults", name), value, local_ids)
                value = prefix + value
            elif name in ("keys", "reprompts"):
                if name == "keys" and "goto" in value.model_fields_set:
                    for key, target in value.goto.items():
                        self._ref_local(source, ("defaults", "keys", "goto", key), target, local_ids)
                    value = value.model_copy(update={"goto": {k: prefix + t for k, t in value.goto.items()}})
                value = _merged(effective[name], value)
            elif name == "exhausted_prompts":
                for target in value or {}:
                    self._ref_local(source, ("defaults", name, target), target, local_ids)
                value = {**effective[name], **{prefix + k: v for k, v in (value or {}).items()}}
            effective[name] = value
        return effective

    # -- nodes ---------------------------------------------------------------------------------------

    def _node(self, scope: Scope, local_id: str, spec: Any, local_ids: set[str], chain: tuple[Path, ...]) -> None:
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
        self._recordings_of(scope, loc, node_id, spec)
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
        elif isinstance(spec, RecordNode):
            goto(("next",), spec.next, "next", "next", "message left")
        elif isinstance(spec, BranchNode):
            for i, case in enumerate(spec.cases):
                goto(("cases", i, "goto"), case.goto, "case", f"case:{i}", describe(case.when))
                for name in sorted(case.when.schedules()):
                    self.pending_refs.append((scope.source, (*loc, "cases", i, "when"), "schedule", name))
            goto(("default",), spec.default, "default", "default", "otherwise")
        elif isinstance(spec, LookupNode):
            for i, (given, answer) in enumerate(spec.answers.items()):
                self._check_sets(scope, (*loc, "answers", given), answer)
                said = "any other answer" if given == ANY_INPUT else f"answer {given!r}"
                goto(("answers", given, "goto"), answer.goto, "case", f"answer:{i}", said)
            goto(("next",), spec.next, "next", "next", "answered")
            goto(("on_error",), spec.on_error, "default", "error", "the service failed")
        elif isinstance(spec, SplitNode):
            total = sum(spec.shares.values())
            for i, (target, share) in enumerate(spec.shares.items()):
                goto(("shares", target), target, "case", f"share:{i}", f"{share / total:.0%} of callers")
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
            for key, target in settings.keys.goto.items():  # the menu's own global keys
                taken = key in getattr(spec, "options", {}) or key == rep
                if not taken and target in self.declared and not (node.kind == "collect" and key.isdigit()):
                    edges.append(Edge(node_id, target, "key", f"key:{key}", f"{key} {target.rsplit('/', 1)[-1]}", key))
            if settings.on_exhausted:
                edges.append(Edge(node_id, settings.on_exhausted, "exhausted", "exhausted", "attempts used up"))

    def _settings(
        self, scope: Scope, loc: Loc, spec: MenuNode | CollectNode | SurveyNode, local_ids: set[str]
    ) -> Settings:
        merged = dict(scope.defaults)
        for name in spec.model_fields_set & set(BASE_DEFAULTS.keys() | {"inter_digit_timeout", "exhausted_prompt"}):
            if getattr(spec, name) is not None or name not in BASE_DEFAULTS:  # null: the inherited value
                merged[name] = getattr(spec, name)
        for name in ("keys", "reprompts"):
            if name in spec.model_fields_set and getattr(spec, name) is not None:
                given = getattr(spec, name)
                if name == "keys" and "goto" in given.model_fields_set:
                    for key, target in given.goto.items():
                        self._ref(scope, (*loc, "keys", "goto", key), target, local_ids)
                    absolute = {k: scope.absolute(t) for k, t in given.goto.items()}
                    given = given.model_copy(update={"goto": absolute})
                merged[name] = _merged(merged[name], given)
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
            exhausted_prompt=self._exhausted_prompt(spec, merged),
        )

    @staticmethod
    def _exhausted_prompt(spec: MenuNode | CollectNode | SurveyNode, merged: dict[str, Any]) -> dict[str, str]:
        """The node's own, else the one for where attempts lead, else the menu's, else the built-in."""
        if "exhausted_prompt" in spec.model_fields_set and spec.exhausted_prompt is not None:
            return spec.exhausted_prompt
        target = merged["on_exhausted"] or merged["representative"]
        by_target: dict[str, dict[str, str]] = merged["exhausted_prompts"]
        if target in by_target:
            return by_target[target]
        return merged["exhausted_prompt"] or BUILTIN_EXHAUSTED

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


def load_menu(path: str | Path) -> Menu:
    """Load and validate a menu file (or another platform's flow, imported as it is read); raise
    :class:`MenuError` listing every problem found."""
    path = Path(path)
    if is_foreign(path):
        return _load_flow(path)
    loader = _Loader(path)
    start = loader.load_file(path, "", None, ())
    if loader.root_file is not None and start is not None:
        loader.finish()
    if loader.problems or loader.root_file is None or start is None:
        raise MenuError(sort_diagnostics(loader.problems), centre_file=loader.root_is_centre)
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
        inputs={**root.parameters, **root.inputs},  # checked alone, a sub-menu's parameters are givens
        recordings=loader.recordings,
    )


def _load_flow(path: Path) -> Menu:
    """Another platform's flow, imported (see :mod:`ivr.menu.foreign`) and loaded as the menu it gives."""
    shown = display_path(path)
    try:
        copy = imported_copy(path, decode(read_bounded(path, shown), shown))
    except ImportProblem as exc:
        raise MenuError([Diagnostic(shown, 1, 1, f"cannot import it: {exc}")]) from None
    try:
        menu = load_menu(copy)
    except MenuError as exc:
        seen = f"see it with `ivr import {shown} -o menu.yaml`"
        note = Diagnostic(
            shown, 1, 1, f"the menu imported from it ({display_path(copy)}) has the problems above", hint=seen
        )
        raise MenuError([*exc.diagnostics, note]) from None
    menu.path, menu.folder = shown, path.parent
    return menu
