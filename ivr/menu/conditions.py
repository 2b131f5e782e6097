"""Branch conditions: a small declared structure, evaluated without ``eval`` and without attribute access.

A condition is exactly one of: ``all`` / ``any`` (lists), ``not``, a variable test (``var`` with one
operator), ``open`` (a named schedule is open now), ``holiday``, ``weekday`` or ``time``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from ivr.source import patterns

Scalar = str | int | float | bool


def dunder(name: str) -> bool:
    """Whether a dotted name has a ``__name__``-style part."""
    return any(part.startswith("__") for part in name.split("."))


def no_dunder(name: str) -> str:
    """Refuse ``__name__``-style parts: variables are plain names, never a way into Python objects."""
    if dunder(name):
        raise ValueError(f"{name!r}: names starting with '__' are not allowed")
    return name


VarName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$", max_length=80),
    AfterValidator(no_dunder),
]
_KINDS = ("all", "any", "not", "var", "open", "holiday", "weekday", "time", "date")
_OPERATORS = ("eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "matches", "exists")


def _listify(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class Condition(BaseModel):
    """One test on the call: its variables, the caller's data or the time of day."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    all_: list[Condition] | None = Field(None, alias="all")
    any_: list[Condition] | None = Field(None, alias="any")
    not_: Condition | None = Field(None, alias="not")
    var: VarName | None = Field(None, description="variable name; caller data is caller.number, caller.tier")
    eq: Scalar | None = None
    ne: Scalar | None = None
    in_: list[Scalar] | None = Field(None, alias="in")
    not_in: list[Scalar] | None = None
    lt: float | None = None
    le: float | None = None
    gt: float | None = None
    ge: float | None = None
    matches: str | None = None
    exists: bool | None = None
    open: str | None = Field(None, description="name of a calendar schedule that is open now")
    holiday: bool | None = None
    weekday: Annotated[list[str], BeforeValidator(_listify)] | None = None
    time: str | None = Field(None, description="time-of-day range such as 09:00-12:00")
    date: Annotated[list[str], BeforeValidator(_listify)] | None = Field(
        None, description="days of the year, every year, written month-day: 12-25"
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Condition:
        given = [k for k in _KINDS if getattr(self, _attr(k)) is not None]
        operators = [op for op in _OPERATORS if getattr(self, _attr(op)) is not None]
        if len(given) != 1:
            raise ValueError(
                "a condition needs exactly one of: "
                + ", ".join(_KINDS)
                + (f" (got {', '.join(given)})" if given else "")
            )
        if given == ["var"] and len(operators) != 1:
            raise ValueError("a `var` test needs exactly one of: " + ", ".join(_OPERATORS))
        if given != ["var"] and operators:
            raise ValueError(f"{', '.join(operators)} only goes with `var`")
        if self.matches is not None:
            patterns.check_pattern(self.matches)
        if self.weekday is not None:
            from ivr.menu.calendar import parse_weekdays

            for day in self.weekday:
                parse_weekdays(day)
        if self.time is not None:
            from ivr.menu.calendar import parse_time_range

            parse_time_range(self.time)
        for day in self.date or ():
            _month_day(day)
        return self

    def variables(self) -> set[str]:
        """Every variable name this condition reads."""
        found = {self.var} if self.var else set()
        for child in (*(self.all_ or ()), *(self.any_ or ()), *((self.not_,) if self.not_ else ())):
            found |= child.variables()
        return found

    def schedules(self) -> set[str]:
        """Every schedule name this condition refers to."""
        found = {self.open} if self.open else set()
        for child in (*(self.all_ or ()), *(self.any_ or ()), *((self.not_,) if self.not_ else ())):
            found |= child.schedules()
        return found


def _month_day(text: str) -> tuple[int, int]:
    """``"12-25"`` -> (12, 25); :class:`ValueError` for a day no year has."""
    found = re.fullmatch(r"(\d{2})-(\d{2})", text)
    try:
        if found is None:
            raise ValueError
        month, day = int(found.group(1)), int(found.group(2))
        date(2000, month, day)  # a leap year: 02-29 is a day of some years
    except ValueError:
        raise ValueError(f"{text!r} is not a day of the year; write it month-day, such as 12-25") from None
    return month, day


def _attr(name: str) -> str:
    return {"all": "all_", "any": "any_", "not": "not_", "in": "in_"}.get(name, name)


@dataclass(frozen=True)
class Hours:
    """Opening hours: weekday (0 = Monday) -> ranges of minutes since midnight."""

    ranges: Mapping[int, tuple[tuple[int, int], ...]]

    def is_open(self, moment: datetime) -> bool:
        minute = moment.hour * 60 + moment.minute
        return any(start <= minute < end for start, end in self.ranges.get(moment.weekday(), ()))


@dataclass(frozen=True)
class Context:
    """What a condition can see: the call's variables and the local time."""

    variables: Mapping[str, Any]
    now: datetime
    schedules: Mapping[str, Hours] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()


def evaluate(cond: Condition, ctx: Context) -> bool:
    """True when ``cond`` holds for ``ctx``."""
    if cond.all_ is not None:
        return all(evaluate(c, ctx) for c in cond.all_)
    if cond.any_ is not None:
        return any(evaluate(c, ctx) for c in cond.any_)
    if cond.not_ is not None:
        return not evaluate(cond.not_, ctx)
    if cond.open is not None:
        hours = ctx.schedules.get(cond.open)
        return hours is not None and ctx.now.date() not in ctx.holidays and hours.is_open(ctx.now)
    if cond.holiday is not None:
        return (ctx.now.date() in ctx.holidays) == cond.holiday
    if cond.weekday is not None:
        from ivr.menu.calendar import parse_weekdays

        return any(ctx.now.weekday() in parse_weekdays(day) for day in cond.weekday)
    if cond.time is not None:
        from ivr.menu.calendar import parse_time_range

        start, end = parse_time_range(cond.time)
        return start <= ctx.now.hour * 60 + ctx.now.minute < end
    if cond.date is not None:
        return f"{ctx.now.month:02d}-{ctx.now.day:02d}" in cond.date
    return _test_var(cond, ctx.variables)


def _test_var(cond: Condition, variables: Mapping[str, Any]) -> bool:
    present = cond.var in variables
    value = variables.get(cond.var or "")
    if cond.exists is not None:
        return present == cond.exists
    if not present:
        return False
    if cond.eq is not None:
        return _same(value, cond.eq)
    if cond.ne is not None:
        return not _same(value, cond.ne)
    if cond.in_ is not None:
        return any(_same(value, v) for v in cond.in_)
    if cond.not_in is not None:
        return not any(_same(value, v) for v in cond.not_in)
    if cond.matches is not None:
        return patterns.search(cond.matches, str(value))
    number = _number(value)
    if number is None:
        return False
    if cond.lt is not None:
        return number < cond.lt
    if cond.le is not None:
        return number <= cond.le
    if cond.gt is not None:
        return number > cond.gt
    return cond.ge is not None and number >= cond.ge


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return str(a).lower() == str(b).lower()
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return na == nb
    return str(a) == str(b)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


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
    if cond.date is not None:
        return "on " + ", ".join(cond.date)
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
