"""Opening hours: named schedules of weekdays and time ranges, holidays, and their time zone."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, WithJsonSchema, field_validator

from ivr.source.validation import Strict

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ScheduleName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$", max_length=80)]

_RANGE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-4]):([0-5]\d)$")


def parse_time_range(text: str) -> tuple[int, int]:
    """``"09:00-17:30"`` -> minutes since midnight (540, 1050)."""
    match = _RANGE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a time range; write it as 09:00-17:30")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise ValueError(f"{text!r} ends before it starts")
    return start, end


def parse_weekdays(text: str) -> list[int]:
    """``"mon-fri"`` -> [0, 1, 2, 3, 4]; ``"sat"`` -> [5]; ``"daily"`` -> all."""
    text = text.strip().lower()
    if text in ("daily", "every day", "all"):
        return list(range(7))
    parts = [p.strip()[:3] for p in text.split("-")]
    if not all(p in WEEKDAYS for p in parts) or len(parts) > 2:
        raise ValueError(f"{text!r} is not a weekday or range; write mon, mon-fri or daily")
    first, last = WEEKDAYS.index(parts[0]), WEEKDAYS.index(parts[-1])
    return list(range(first, last + 1)) if first <= last else [*range(first, 7), *range(0, last + 1)]


def _ranges(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _weekdays_ok(text: str) -> str:
    parse_weekdays(text)
    return text


def _range_ok(text: str) -> str:
    parse_time_range(text)
    return text


Weekdays = Annotated[str, AfterValidator(_weekdays_ok)]
TimeRanges = Annotated[
    list[Annotated[str, AfterValidator(_range_ok)]],
    BeforeValidator(_ranges),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}),
]


class Calendar(Strict):
    """Opening hours per named schedule, holidays and the time zone they are in."""

    timezone: str = "UTC"
    schedules: dict[ScheduleName, dict[Weekdays, TimeRanges]] = Field(
        default_factory=dict, description="name -> {weekdays: '09:00-17:00' or a list of ranges}"
    )
    holidays: list[date] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Karachi") from None
        return value
