"""Pydantic validation errors turned into located, readable diagnostics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ivr.source.diagnostics import Diagnostic
from ivr.source.reader import Loc, Source


class Strict(BaseModel):
    """The base of every model of a user's file: unknown fields are errors, and values do not change."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def validation_diagnostics(
    source: Source,
    base: Loc,
    exc: ValidationError,
    raw: Any = None,
    suggest: Callable[[Any], str | None] | None = None,
    tags: tuple[str, ...] = (),
) -> list[Diagnostic]:
    """One diagnostic per error, at the position of the value it is about (the errors of one value that
    fits none of a union of plain types, such as a variable's number/text/true-false, are one)."""
    found = []
    for err in _merge_scalar_unions(exc.errors(include_url=False)):
        loc = (*base, *err["loc"])
        if err["type"] == "union_tag_invalid":
            loc = (*loc, "type")
        message, hint = explain(err, raw, tags)
        if err["type"] == "value_error":  # a check across fields: point at the field the message opens with
            lead = (*source.known(loc), message.split(" ", 1)[0].strip("`'"))
            if lead in source.marks:
                loc = lead
        if err["type"] == "extra_forbidden" and suggest is not None:
            hint = suggest(err) or hint
        found.append(source.error(loc, message, hint))
    return found


_SCALARS = {"int": "a whole number", "float": "a number", "str": "text", "bool": "true/false"}


def _merge_scalar_unions(errors: list[Any]) -> list[Any]:
    """Pydantic gives one error per member of ``bool | float | int | str`` (four lines for one value);
    fold them into one ``scalar_union`` error at the value."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for err in errors:
        loc = tuple(err["loc"])
        if loc and loc[-1] in _SCALARS:
            groups.setdefault(loc[:-1], []).append(err)
    merged, done = [], set()
    for err in errors:
        loc = tuple(err["loc"])
        group = groups.get(loc[:-1]) if loc and loc[-1] in _SCALARS else None
        if group is None or len(group) < 2:
            merged.append(err)
        elif loc[:-1] not in done:
            done.add(loc[:-1])
            kinds = [_SCALARS[e["loc"][-1]] for e in group]
            merged.append({"type": "scalar_union", "loc": loc[:-1], "input": err["input"], "kinds": kinds})
    return merged


def explain(err: Any, raw: Any, tags: tuple[str, ...] = ()) -> tuple[str, str | None]:
    """A user's reading of one pydantic error: message and hint."""
    kind = err["type"]
    loc = err["loc"]
    field = next((p for p in reversed(loc) if isinstance(p, str) and p not in tags and p != "[key]"), None)
    name = field or "value"
    if kind == "missing":
        return f"missing required field {name!r}", None
    if kind == "scalar_union":
        named = set(err["kinds"])
        kinds = [k for k in _SCALARS.values() if k in named]
        if "a number" in kinds and "a whole number" in kinds:
            kinds.remove("a whole number")  # a number covers it
        wanted = ", ".join(kinds[:-1]) + " or " + kinds[-1] if len(kinds) > 1 else kinds[0]
        if err["input"] is None:
            return f"{name!r} has no value", f"give it a value: {wanted} (for example 0, '' or false)"
        return f"{name!r} should be {wanted}, not {_shape(err['input'])}", None
    if kind == "extra_forbidden":
        return f"unknown field {name!r}", None
    if kind == "union_tag_invalid":
        return (
            f"unknown node type {err['input'].get('type') if isinstance(err['input'], dict) else err['input']!r}",
            "use one of: " + ", ".join(tags),
        )
    if kind == "union_tag_not_found":
        return "node has no `type`", "add `type:` with one of: " + ", ".join(tags)
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        if raw is None and len(loc) == 0:
            return "node is empty", "give it a `type` and its settings"
        if field is None:
            return f"expected a mapping of settings here, not {_shape(err['input'])}", None
        return f"{name!r} should be a mapping of settings, not {_shape(err['input'])}", None
    if kind == "list_type":
        return f"{name!r} should be a list, not {_shape(err['input'])}", None
    if kind == "literal_error":
        return f"{name!r}: {err['msg'].lower()}", None
    if kind == "string_pattern_mismatch":
        return f"{name!r} value {err['input']!r} is not a valid name", "use letters, digits, '_' and '-'"
    if kind == "value_error":
        text = str(err["msg"]).removeprefix("Value error, ")
        return (f"{field!r}: {text}" if field else text), None
    return f"{name!r}: {err['msg']}", None


def _shape(value: Any) -> str:
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"
