"""Load ``*.call.yaml`` files with every problem reported at ``file:line``."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from ivr.replay import model as m
from ivr.source.diagnostics import Diagnostic, IvrError
from ivr.source.reader import Source, display_path, read_yaml
from ivr.source.validation import validation_diagnostics

SCRIPT_SUFFIX = ".call.yaml"
_FIELDS = sorted(
    {
        f.alias or name
        for cls in (m.ScriptFile, m.CallScript, m.Step, m.Expect, m.TextTest, m.QueuedTest, m.World, m.CallerSpec)
        for name, f in cls.model_fields.items()
    }
)


class ScriptError(IvrError):
    """A script file could not be loaded."""


@dataclass(frozen=True)
class Script:
    """A loaded script file: the model, where each value came from, and the menu it calls."""

    path: Path
    shown: str
    source: Source
    file: m.ScriptFile
    menu_path: Path
    origins: tuple[int, ...] = ()  # per call, the call written in the file (a `cases:` table makes several)

    def where(self, *loc: str | int) -> tuple[int, int]:
        return self.source.where(self._written(loc))

    def error(self, loc: tuple[str | int, ...], message: str, hint: str | None = None) -> Diagnostic:
        """A problem at ``loc`` of the loaded calls, placed where that call is written."""
        return self.source.error(self._written(loc), message, hint)

    def _written(self, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
        if len(loc) > 1 and loc[0] == "calls" and isinstance(loc[1], int) and loc[1] < len(self.origins):
            return ("calls", self.origins[loc[1]], *loc[2:])
        return loc


PROJECT_MARKERS = (".git", "pyproject.toml", "ivr.toml")


def menu_roots(script: Path, root: Path | None = None) -> list[Path]:
    """The folders a script's menu may be in: ``root`` when given (``ivr replay --root``, pytest's
    rootdir); otherwise the current folder and the script's project, the nearest folder at or above the
    script holding .git, pyproject.toml or ivr.toml. The script's own folder always."""
    folder = script.parent.resolve()
    if root is not None:
        return [root.resolve(), folder]
    roots = [Path.cwd().resolve(), folder]
    for above in (folder, *folder.parents):
        if any((above / marker).exists() for marker in PROJECT_MARKERS):
            roots.append(above)
            break
    return list(dict.fromkeys(roots))


def load_script(path: Path, root: Path | None = None) -> Script:
    """Load and validate one script; raise :class:`ScriptError` with every problem found. Its menu must
    be under one of :func:`menu_roots`, so a script from elsewhere cannot read any file it names."""
    data, source = read_yaml(path)
    data, origins = expand_cases(data, source)
    try:
        file = m.ScriptFile.model_validate(data)
    except ValidationError as exc:
        raise ScriptError(validation_diagnostics(source, (), exc, data, _suggest)) from None
    problems: list[Diagnostic] = []
    first: dict[str, int] = {}
    for index, call in enumerate(file.calls):
        if call.name in first:
            line = source.where(("calls", origins[first[call.name]], "name"))[0]
            problems.append(
                source.error(
                    ("calls", origins[index], "name"),
                    f"another call is named {call.name!r} (line {line})",
                    "names must differ: put a `{column}` of the `cases:` table in the name",
                )
            )
        first.setdefault(call.name, index)
    menu_path = path.parent / file.menu
    roots = menu_roots(path, root)
    try:
        menu_path = menu_path.resolve()
        found = menu_path.is_file()
    except (OSError, RuntimeError) as exc:  # a name too long, a symlink loop: the path itself is wrong
        shown = file.menu if len(file.menu) <= 60 else file.menu[:60] + "…"
        why = getattr(exc, "strerror", None) or type(exc).__name__
        problems.append(source.error(("menu",), f"menu {shown!r} cannot be opened: {why}"))
    else:
        if not any(menu_path.is_relative_to(r) for r in roots):
            where = root.resolve() if root is not None else roots[0]
            problems.append(
                source.error(
                    ("menu",),
                    f"menu {file.menu!r} is outside the folders this script may read menus from "
                    f"({', '.join(display_path(r) for r in roots)})",
                    f"a script reads menus below its own folder, its project (the nearest folder above it with "
                    f".git, pyproject.toml or ivr.toml) or {'--root' if root else 'the current folder'} {where}; "
                    "pass --root FOLDER to allow another",
                )
            )
        elif not found:
            problems.append(
                source.error(
                    ("menu",), f"menu file {file.menu!r} does not exist", "the path is relative to this script"
                )
            )
    if problems:
        raise ScriptError(problems)
    return Script(path, display_path(path), source, file, menu_path, tuple(origins))


_CASES: TypeAdapter[list[dict[str, str | int | float | bool]]] = TypeAdapter(list[dict[str, str | int | float | bool]])


def expand_cases(data: Any, source: Source) -> tuple[Any, list[int]]:
    """A call with a `cases:` table becomes one call per row, with each `{column}` in its text replaced by
    the row's value (a text that is only `{column}` takes the value itself, number or true/false); the
    calls keep the place they were written at, for `file:line`. Returns the data and, per call, that place."""
    calls = data.get("calls") if isinstance(data, dict) else None
    if not isinstance(calls, list):
        return data, []
    expanded: list[Any] = []
    origins: list[int] = []
    problems: list[Diagnostic] = []
    for index, call in enumerate(calls):
        rows = call.get("cases") if isinstance(call, dict) else None
        if rows is None:
            expanded.append(call)
            origins.append(index)
            continue
        try:
            _CASES.validate_python(rows)
        except ValidationError as exc:
            problems.extend(validation_diagnostics(source, ("calls", index, "cases"), exc, rows))
            continue
        if not rows:
            problems.append(source.error(("calls", index, "cases"), "`cases:` has no rows", "give one row per call"))
            continue
        columns = list(rows[0])
        template = {k: v for k, v in call.items() if k != "cases"}
        for number, row in enumerate(rows):
            if list(row) != columns:
                problems.append(
                    source.error(
                        ("calls", index, "cases", number),
                        f"row {number + 1} has columns {list(row)}, the first row {columns}",
                        "give every row the same columns, in the same order",
                    )
                )
                continue
            filled = _fill(template, row)
            name = str(filled.get("name", ""))
            if name == str(template.get("name", "")):  # no column in the name: tell the rows apart
                filled["name"] = f"{name} [" + ", ".join(f"{k}={v}" for k, v in row.items()) + "]"
            expanded.append(filled)
            origins.append(index)
    if problems:
        raise ScriptError(problems)
    checked: list[Any] = []
    for number, call in enumerate(expanded):  # each filled call checked at the place it was written
        try:
            checked.append(m.CallScript.model_validate(call))
        except ValidationError as exc:
            problems.extend(validation_diagnostics(source, ("calls", origins[number]), exc, call, _suggest))
    if problems:
        raise ScriptError(list({(d.line, d.col, d.message): d for d in problems}.values()))
    return {**data, "calls": checked}, origins  # checked once: the file's model takes them as they are


def _fill(value: Any, row: dict[str, Any]) -> Any:
    if isinstance(value, str):
        for column, cell in row.items():
            if value == "{" + column + "}":
                return cell
        for column, cell in row.items():
            value = value.replace("{" + column + "}", str(cell).lower() if isinstance(cell, bool) else str(cell))
        return value
    if isinstance(value, dict):
        return {_fill(k, row): _fill(v, row) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, row) for v in value]
    return value


def _suggest(err: dict[str, object]) -> str | None:
    loc = err.get("loc") or ()
    name = str(loc[-1]) if isinstance(loc, tuple) and loc else ""
    close = difflib.get_close_matches(name, _FIELDS, n=1)
    return f"did you mean {close[0]!r}?" if close else None


def find_scripts(paths: list[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """Script files named, or found below the folders named, in a stable order."""
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob(f"*{SCRIPT_SUFFIX}") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(Diagnostic(str(path), 1, 1, "no such file or folder"))
    return found, problems


def merged(base: BaseModel | None, override: BaseModel | None) -> BaseModel | None:
    """``override``'s given fields on top of ``base``."""
    if base is None:
        return override
    if override is None:
        return base
    return base.model_copy(update={k: getattr(override, k) for k in override.model_fields_set})
