"""Prompt text: picking the caller's language and filling in variables, with nothing but names allowed."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ivr.menu.conditions import dunder
from ivr.menu.filters import FILTERS
from ivr.menu.model_types import ANY_LANGUAGE, PLAIN_TEXT

# {name}, {caller.tier} and {order_id|digits}; "{{" and "}}" are literal braces.
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)(?:\|([a-z][a-z0-9]*))?\}")


def pick(text: Mapping[str, str], language: str, fallback: str) -> str:
    """The text in ``language``, else the language-neutral one, else the menu's first language."""
    for key in (language, ANY_LANGUAGE, PLAIN_TEXT, fallback):
        if key in text:
            return text[key]
    return next(iter(text.values()), "")


def fill(template: str, variables: Mapping[str, Any], unknown: str | None = None, language: str = "en") -> str:
    """Replace ``{name}`` placeholders, through their filter (``{card|last4}``) in ``language``; an unknown
    name becomes empty (lint reports it beforehand), or, with ``unknown`` (such as ``"‹{}›"``), shows its
    name in that form (for a designer reading the map)."""
    if "{" not in template and "}" not in template:
        return template

    def replace(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole == "{{":
            return "{"
        if whole == "}}":
            return "}"
        name = match.group(1)
        if unknown is not None and variables.get(name) is None:
            return unknown.format(name)
        value = variables.get(name, "")
        text = "" if value is None else str(value)
        if match.group(2) is not None:
            text = FILTERS[match.group(2)](text, language)
        return text

    return PLACEHOLDER.sub(replace, template)


_BRACE = re.compile(r"\{\{|\}\}|[{}]")


def template_problem(template: str) -> str | None:
    """Why ``template`` is not plain text with ``{name}`` / ``{name|digits}`` placeholders, or None.

    Only names are looked up, never attributes, indexes or format specs, so anything else between braces
    is refused rather than left in the prompt for a caller to hear.
    """
    if "{" not in template and "}" not in template:
        return None
    covered = {m.start(): m for m in PLACEHOLDER.finditer(template)}
    position = 0
    while (brace := _BRACE.search(template, position)) is not None:
        match = covered.get(brace.start())
        if match is None or (len(brace.group()) == 1 and match.group(0) in ("{{", "}}")):
            end = template.find("}", brace.start())
            piece = template[brace.start() : end + 1] if brace.group() == "{" and end > 0 else brace.group()
            return (
                f"{piece!r} is not a placeholder: write {{name}} or {{name|digits}} (a name only: no calls, indexes"
                " or format specs), and {{ or }} for a brace the caller should hear"
            )
        name, filter_ = match.group(1), match.group(2)
        if name and dunder(name):
            return f"{{{name}}}: names starting with '__' are not allowed"
        if filter_ is not None and filter_ not in FILTERS:
            return f"{{{name}|{filter_}}}: unknown filter {filter_!r}; the filters are: {', '.join(FILTERS)}"
        position = match.end()
    return None


def placeholders(template: str) -> Iterator[tuple[str, str | None]]:
    """Every ``(name, filter)`` a template refers to."""
    for match in PLACEHOLDER.finditer(template):
        if match.group(1):
            yield match.group(1), match.group(2)
