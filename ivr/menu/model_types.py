"""The small types every part of a menu file is written with: node ids, phone keys, texts and values,
and what every node has (a description, variables set on entry)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints, WithJsonSchema

from ivr.menu.conditions import VarName
from ivr.source.validation import Strict

DTMF_KEYS = "0123456789*#"
NodeId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$", max_length=80)]
Scalar = str | int | float | bool


def _key(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value) != 1 or value not in DTMF_KEYS:
        raise ValueError(f"{value!r} is not a phone key; use one of 0-9, * or #")
    return value


Key = Annotated[str, BeforeValidator(_key), WithJsonSchema({"type": "string", "enum": list(DTMF_KEYS)})]


PLAIN_TEXT = ""
ANY_LANGUAGE = "*"


def _per_language(value: Any, check: Callable[[str, Any], None], expected: str) -> Any:
    """A value written once for every language (a string) or per language (a mapping), each one checked."""
    if isinstance(value, str):
        value = {PLAIN_TEXT: value}
    if not isinstance(value, dict):
        raise ValueError(expected)
    for lang, item in value.items():
        check(lang, item)
    return value


def _text_ok(lang: str, text: Any) -> None:
    from ivr.menu.text import template_problem

    if not isinstance(text, str):
        raise ValueError(f"the {lang!r} text must be a string")
    problem = template_problem(text)
    if problem:
        raise ValueError(problem if lang == PLAIN_TEXT else f"the {lang!r} text: {problem}")


def _text(value: Any) -> Any:
    if value is False:  # `false`: say nothing here (an empty text does the same)
        return {PLAIN_TEXT: ""}
    return _per_language(
        value, _text_ok, "expected text, or a mapping of language code to text such as {en: ..., ur: ...}"
    )


Text = Annotated[
    dict[str, str],
    BeforeValidator(_text),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {"type": "object", "additionalProperties": {"type": "string"}, "description": "language -> text"},
                {"const": False, "description": "no prompt: say nothing here"},
            ]
        }
    ),
]


def _recording_ok(lang: str, name: Any) -> None:
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"the {lang!r} recording must be a file name or a platform's recording id")
    if len(name) > 1000 or any(ord(c) < 32 for c in name):
        raise ValueError(f"the {lang!r} recording is over 1000 characters or holds control characters")


def _audio(value: Any) -> Any:
    return _per_language(
        value,
        _recording_ok,
        "expected a recording (a WAV path or a platform's prompt id), or a mapping of language to one",
    )


Audio = Annotated[
    dict[str, str],
    BeforeValidator(_audio),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "description": "a WAV beside the menu, or a platform's recording (scheme:name)"},
                {"type": "object", "additionalProperties": {"type": "string"}, "description": "language -> recording"},
            ]
        }
    ),
]


class NodeBase(Strict):
    description: str | None = None
    audio: Audio | None = Field(
        None,
        description="the recording of this node's prompt: a WAV beside the menu (its length paces the prompt) or "
        "a platform's recording id (arn:..., https://..., freeswitch:..., asterisk:...); the prompt's text is the "
        "spoken fallback",
    )
    set: dict[VarName, Scalar] = Field(default_factory=dict, description="variables set on entry")
