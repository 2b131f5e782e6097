"""Prompt text: picking the caller's language and filling in variables, with nothing but names allowed."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ivr.menu.model import ANY_LANGUAGE, PLAIN_TEXT

# {name}, {caller.tier} and {order_id|digits}; "{{" and "}}" are literal braces.
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)(?:\|([a-z]+))?\}")
FILTERS = ("digits",)


def pick(text: Mapping[str, str], language: str, fallback: str) -> str:
    """The text in ``language``, else the language-neutral one, else the menu's first language."""
    for key in (language, ANY_LANGUAGE, PLAIN_TEXT, fallback):
        if key in text:
            return text[key]
    return next(iter(text.values()), "")


def fill(template: str, variables: Mapping[str, Any]) -> str:
    """Replace ``{name}`` placeholders; an unknown name becomes empty (lint reports it beforehand)."""
    if "{" not in template and "}" not in template:
        return template

    def replace(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole == "{{":
            return "{"
        if whole == "}}":
            return "}"
        value = variables.get(match.group(1), "")
        text = "" if value is None else str(value)
        if match.group(2) == "digits":  # read one by one: "REF-0012" -> "R E F 0 0 1 2"
            text = " ".join(ch for ch in text if ch.isalnum())
        return text

    return PLACEHOLDER.sub(replace, template)


def placeholders(template: str) -> Iterator[tuple[str, str | None]]:
    """Every ``(name, filter)`` a template refers to."""
    for match in PLACEHOLDER.finditer(template):
        if match.group(1):
            yield match.group(1), match.group(2)
