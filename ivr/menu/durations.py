"""Durations as designers write them: 5, 2.5s, 500ms, 1m, 30m."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")


def parse_seconds(text: str) -> float:
    """``"30m"`` -> 1800.0; raises ValueError with a message for the user."""
    return float(_duration(text))


def _duration(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 5, 2.5s or 500ms")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        number, unit = float(match.group(1)), match.group(2) or "s"
        seconds = number * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    else:
        raise ValueError(f"{value!r} is not a duration; write seconds such as 5, 2.5s, 500ms or 1m")
    if not math.isfinite(seconds) or seconds < 0 or seconds > 86_400:
        raise ValueError("a duration must be between 0 and 24 hours")
    return seconds


Duration = Annotated[
    float,
    BeforeValidator(_duration),
    WithJsonSchema(
        {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": r"^\d+(\.\d+)?(ms|s|m|h)?$"}]}
    ),
]
