"""Checks made while loading a menu: references, texts, sets, key clashes, the centre (and its file),
overflow cycles and queue names."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from ivr.menu.calendar import parse_time_range, parse_weekdays
from ivr.menu.centre_model import CentreSpec, QueueSpec, Scenario
from ivr.menu.compiled import Settings, Text
from ivr.menu.conditions import Hours
from ivr.menu.load_state import LoaderState, Scope, _texts
from ivr.menu.model import MenuFile, MenuNode, Reprompts
from ivr.menu.model_types import ANY_LANGUAGE, PLAIN_TEXT
from ivr.menu.recordings import OutsideFolder, Recording, recording
from ivr.source.diagnostics import IvrError
from ivr.source.reader import Loc, Source, read_yaml
from ivr.source.validation import validation_diagnostics


class LoaderChecks(LoaderState):
    """The checks of :class:`ivr.menu.loader._Loader` (the loading itself is there)."""

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
        self.centre_at = (centre_source, ())
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
            self.centre_queues.update(dict.fromkeys((k for k in extra if k not in mine), centre_source))
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

    def _check_builtin_texts(self, scope: Scope) -> None:
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

    def _check_key_clashes(self, scope: Scope, loc: Loc, spec: MenuNode, settings: Settings | None) -> None:
        if settings is None:
            return
        keys = settings.keys
        for key, target in keys.goto.items():
            if key in spec.options:
                self.problems.append(
                    scope.source.error(
                        (*loc, "options", key),
                        f"option {key!r} clashes with the global key {key!r} to {target!r}",
                        "use another key, or switch the global key off here with `keys: {goto: {}}`",
                    )
                )
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

    def _ref(self, scope: Scope, loc: Loc, target: str, local_ids: set[str]) -> bool:
        return self._ref_local(scope.source, loc, target, local_ids)

    def _ref_local(self, source: Source, loc: Loc, target: str, local_ids: set[str]) -> bool:
        if target in local_ids:
            return True
        close = difflib.get_close_matches(target, sorted(local_ids), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "add a node with that id under `nodes`"
        self.problems.append(source.error(loc, f"unknown node {target!r}", hint))
        return False

    def _check_sets(self, scope: Scope, loc: Loc, spec: Any) -> None:
        language = spec.set.get("language") if hasattr(spec, "set") else None
        if language is not None and language not in scope.languages:
            self._unknown_language(scope, (*loc, "set", "language"), language)

    def _unknown_language(self, scope: Scope, loc: Loc, language: object) -> None:
        known = ", ".join(scope.languages)
        self.problems.append(
            scope.source.error(loc, f"language {language!r} is not one of this menu's languages ({known})")
        )

    def _recordings_of(self, scope: Scope, loc: Loc, node_id: str, model: BaseModel) -> None:
        """`audio:`: the recording of the node's prompt, per language; a path must stay in the menu's folder."""
        audio = model.__dict__.get("audio")
        if not audio:
            return
        if model.__dict__.get("prompt") is None:
            self.problems.append(
                scope.source.error(
                    (*loc, "audio"),
                    "`audio` is the recording of the node's prompt, and this node has no prompt",
                    "write the prompt's text too: it is the spoken fallback and what a transcript shows",
                )
            )
            return
        found: dict[str, Recording] = {}
        for language, name in audio.items():
            where = (*loc, "audio") if language == PLAIN_TEXT else (*loc, "audio", language)
            if language not in (PLAIN_TEXT, *scope.languages):
                self._unknown_language(scope, where, language)
                continue
            try:
                found[language] = recording(name, scope.folder, self.root_folder)
            except OutsideFolder as exc:
                self.problems.append(
                    scope.source.error(
                        where, str(exc), "keep recordings below the menu's folder, or name a platform's recording"
                    )
                )
        self.recordings[node_id] = found

    def _check_texts_of(self, scope: Scope, loc: Loc, model: BaseModel) -> None:
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

    def _check_text(self, scope: Scope, loc: Loc, text: Text) -> None:
        languages = scope.languages
        if PLAIN_TEXT in text:
            if len(languages) > 1 and text[PLAIN_TEXT].strip():  # an empty text says nothing in any language
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

    def _check_caller_mix(self, source: Source, base: Loc, mix: dict[str, dict[str, float]]) -> None:
        """`traffic.callers`: tier, language or declared caller inputs, with values they can take."""
        root = self.root_file
        assert root is not None
        for name, weights in mix.items():
            loc = (*base, "traffic", "callers", name)
            declared = root.inputs.get(name)
            if name not in ("tier", "language") and declared is None:
                known = ", ".join(["tier", "language", *sorted(root.inputs)])
                hint = f"one of: {known} (declare caller data under `inputs:`)"
                self.problems.append(source.error(loc, f"{name!r} is not something callers bring", hint))
                continue
            for value in weights:
                if name == "language" and value not in root.languages:
                    message = f"language {value!r} is not one of the menu's: {', '.join(root.languages)}"
                    self.problems.append(source.error((*loc, value), message))
                elif declared is not None:
                    try:
                        declared.parse(value)
                    except ValueError as exc:
                        self.problems.append(source.error((*loc, value), f"{name!r}: {exc}"))

    def _check_centre(self) -> None:
        """References inside the contact-centre section: queues, nodes and keys of the traffic."""
        root = self.root_file
        if root is None or root.centre is None:
            return
        source = self.sources[0]
        centre = root.centre
        for name, spec in self.queues.items():
            if spec.overflow is not None and spec.overflow.to not in self.queues:
                written = self.centre_queues.get(name, source)
                self.problems.append(
                    written.error(("queues", name, "overflow", "to"), f"unknown queue {spec.overflow.to!r}")
                )
        self._overflow_cycles(source)
        where, base = self.centre_at or (source, ("centre",))
        for name, scenario in centre.scenarios.items():
            for problem, loc in scenario_problems(scenario, centre):
                self.problems.append(where.error((*base, "scenarios", name, *loc), problem))
        traffic = centre.traffic
        if traffic is None:
            return
        # In the menu under `centre:`, or at the top of a centre file of its own: errors point where it is.
        source, base = self.centre_at or (source, ("centre",))
        for name in traffic.queues or {}:
            if name not in self.queues:
                self.problems.append(source.error((*base, "traffic", "queues", name), f"unknown queue {name!r}"))
        self._check_caller_mix(source, base, traffic.callers)
        for node_id, weights in traffic.choices.items():
            node = self.nodes.get(node_id)
            loc = (*base, "traffic", "choices", node_id)
            if node is None and node_id in self.declared:
                continue  # the node has errors of its own, reported where it is written
            if node is None or node.kind not in ("menu",):
                if node is None:
                    close = difflib.get_close_matches(node_id, sorted(self.declared), n=1)
                    hint = f"did you mean {close[0]!r}?" if close else None
                    self.problems.append(source.error(loc, f"unknown node {node_id!r}", hint))
                else:
                    self.problems.append(source.error(loc, f"{node.kind} node {node_id!r}: choices are for menu nodes"))
                continue
            keys = (
                set(node.spec_as(MenuNode).options) | {e.key for e in self.edges[node_id] if e.key} | {"wait", "hangup"}
            )
            for key in weights:
                if key not in keys:
                    self.problems.append(
                        source.error((*loc, key), f"{key!r} is not an option of {node_id!r}, nor 'wait' or 'hangup'")
                    )


def is_centre_data(data: Any) -> bool:
    """Whether a file's ``data`` is a centre (representatives, queues, traffic) meant for a menu's
    `centre:`, rather than a menu: a mapping with `agents` and none of a menu's `nodes` or `start`."""
    return isinstance(data, dict) and "agents" in data and not {"nodes", "start"} & data.keys()


def scenario_problems(scenario: Scenario, centre: CentreSpec) -> list[tuple[str, tuple[str | int, ...]]]:
    """What in ``scenario`` names a team the floor does not have, and where."""
    teams = [team.name for team in centre.agents]
    found: list[tuple[str, tuple[str | int, ...]]] = []
    named: list[tuple[str, tuple[str | int, ...]]] = [(name, ("staffing", name)) for name in scenario.staffing]
    named += [(name, ("breaks", i)) for i, name in enumerate(scenario.breaks)]
    for name, loc in named:
        if name not in teams:
            close = difflib.get_close_matches(name, teams, n=1)
            known = f"did you mean {close[0]!r}?" if close else "the teams are: " + (", ".join(teams) or "none")
            found.append((f"unknown team {name!r} ({known})", loc))
    return found
