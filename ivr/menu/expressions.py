"""Other platforms' tests as ivr conditions: an Asterisk `GotoIf` expression
(`$["${X}" = "1" & !("${Y}" = "1")]`), an ECMAScript `cond` of VoiceXML (`topic == 'vpn' && !session.x`),
and an Asterisk `ExecIfTime`/`GotoIfTime` time spec (`07:00-11:59,mon-fri,*,*`). Only comparisons of
variables with values joined by and, or and not are read: anything else (functions, arithmetic, dates)
gives None, and the importer keeps the test as caller data instead."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from ivr.menu.calendar import parse_time_range, parse_weekdays

_TOKEN = re.compile(r'\s*(?:(!=|<=|>=|=|<|>|&|\||!|\(|\))|"([^"]*)"|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|([\w.-]+))')
_JS_TOKEN = re.compile(
    r"""\s*(?:(===|!==|==|!=|<=|>=|<|>|&&|\|\||!|\(|\))|'([^'\\]*)'|"([^"\\]*)"|(-?\d+(?:\.\d+)?)"""
    r"""|(typeof\s+[A-Za-z_$][\w.$]*)|([A-Za-z_$][\w.$]*))"""
)
_JS_OPS = {"===": "=", "==": "=", "!==": "!=", "&&": "&", "||": "|"}
_JS_SCOPES = ("session.", "application.", "document.", "dialog.")  # a scope is not part of the name
_COMPARE = {"=": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_VARIABLE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
MAX_EXPRESSION = 500


class _Unreadable(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text): `op`, `var` or `word` (a literal, quoted or not)."""
    out: list[tuple[str, str]] = []
    at = 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        found = _TOKEN.match(text, at)
        if found is None or found.end() == at:
            raise _Unreadable(text[at:])
        op, quoted, var, word = found.groups()
        if op is not None:
            out.append(("op", op))
        elif quoted is not None:
            inner = _VARIABLE.match(quoted)
            if inner is not None:
                out.append(("var", inner.group(1)))
            elif "$" in quoted:
                raise _Unreadable(quoted)  # a function or a variable inside more text
            else:
                out.append(("word", quoted))
        elif var is not None:
            out.append(("var", var))
        else:
            out.append(("word", word))
        at = found.end()
    return out


def _js_tokens(text: str) -> list[tuple[str, str]]:
    """ECMAScript's tokens as the Asterisk ones: `==` is `=`, `&&` is `&`; `typeof x` is the kind `type`,
    true and false are words; a scope (`session.`) is dropped from a name."""
    out: list[tuple[str, str]] = []
    at = 0
    while text[at:].strip():
        found = _JS_TOKEN.match(text, at)
        if found is None or found.end() == at:
            raise _Unreadable(text[at:])
        op, single, double, number, typeof, name = found.groups()
        if op is not None:
            out.append(("op", _JS_OPS.get(op, op)))
        elif single is not None or double is not None:
            out.append(("word", single if single is not None else double))
        elif number is not None:
            out.append(("word", number))
        elif typeof is not None:
            out.append(("type", _unscoped(typeof.split()[-1])))
        elif name in ("true", "false", "undefined", "null"):
            out.append(("word", name))
        else:
            out.append(("var", _unscoped(name)))
        at = found.end()
    return out


def _unscoped(name: str) -> str:
    for scope in _JS_SCOPES:
        if name.startswith(scope):
            name = name[len(scope) :]
            break
    if "." in name:
        raise _Unreadable(name)  # a property of an object ivr does not have
    return name


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], name: Any, falsy: list[Any]) -> None:
        self.tokens = tokens
        self.at = 0
        self.name = name  # a platform variable's name -> the ivr variable
        self.falsy = falsy  # the values a bare variable is false with
        self.booleans = False in falsy  # ECMAScript: `true` and `false` are values, not words

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise _Unreadable("the expression ends too soon")
        self.at += 1
        return token

    def literal(self, word: str) -> str | bool:
        if self.booleans and word in ("true", "false"):
            return word == "true"
        return word

    def either(self) -> dict[str, Any]:
        return self._joined("|", "any", self.both)

    def both(self) -> dict[str, Any]:
        return self._joined("&", "all", self.unary)

    def _joined(self, op: str, key: str, part: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """``part`` once, or several joined by ``op`` as the condition ``key`` (any, all)."""
        parts = [part()]
        while self.peek() == ("op", op):
            self.take()
            parts.append(part())
        return parts[0] if len(parts) == 1 else {key: parts}

    def unary(self) -> dict[str, Any]:
        kind, text = self.take()
        if (kind, text) == ("op", "!"):
            return {"not": self.unary()}
        if (kind, text) == ("op", "("):
            inner = self.either()
            if self.take() != ("op", ")"):
                raise _Unreadable("a bracket is not closed")
            return inner
        if kind == "op":
            raise _Unreadable(text)
        if kind == "type":  # typeof x != 'undefined': whether it is set
            test, against = self.take(), self.take()
            if test[1] not in ("=", "!=") or against != ("word", "undefined"):
                raise _Unreadable(text)
            exists = {"var": self.name(text), "exists": True}
            return exists if test[1] == "!=" else {"not": exists}
        following = self.peek()
        if following is None or following[0] != "op" or following[1] not in _COMPARE:
            if kind == "var":  # a bare variable is true when set to something other than 0
                name = self.name(text)
                return {"all": [{"var": name, "exists": True}, {"var": name, "not_in": self.falsy}]}
            raise _Unreadable(text)
        operator = _COMPARE[self.take()[1]]
        other_kind, other = self.take()
        if kind == "var" and other_kind == "word":
            return _compare(self.name(text), operator, self.literal(other))
        if kind == "word" and other_kind == "var":
            flipped = {"lt": "gt", "gt": "lt", "le": "ge", "ge": "le"}.get(operator, operator)
            return _compare(self.name(other), flipped, self.literal(text))
        raise _Unreadable(f"{text} {operator} {other}")


def _compare(name: str, operator: str, value: str | bool) -> dict[str, Any]:
    if operator in ("eq", "ne"):
        return {"var": name, operator: value}
    try:
        return {"var": name, operator: float(value)}
    except ValueError:
        raise _Unreadable(f"{value!r} is not a number") from None


def expression_condition(test: str, name: Any) -> dict[str, Any] | None:
    """The ivr condition an Asterisk `GotoIf` test means, with each variable named by ``name``; None when it
    is not comparisons of variables with values joined by `&`, `|` and `!`."""
    text = test.strip()
    if text.startswith("$[") and text.endswith("]"):
        text = text[2:-1]
    return _parsed(text, _tokens, name, ["", "0"])


def ecmascript_condition(test: str, name: Any) -> dict[str, Any] | None:
    """The ivr condition a VoiceXML `cond` means (`==`, `!=`, `<`..., `&&`, `||`, `!`, `typeof x !=
    'undefined'`, a bare name for "set and true"); None for anything else."""
    return _parsed(test.strip(), _js_tokens, name, ["", "0", "false", False])


def _parsed(text: str, tokens: Any, name: Any, falsy: list[Any]) -> dict[str, Any] | None:
    if len(text) > MAX_EXPRESSION:
        return None
    try:
        parser = _Parser(tokens(text), name, falsy)
        condition = parser.either()
    except _Unreadable:
        return None
    return condition if parser.peek() is None else None


def time_condition(times: str, weekdays: str) -> dict[str, Any] | None:
    """An `ExecIfTime` / `GotoIfTime` time of day and weekdays as an ivr condition; None when they do not
    read (Asterisk ends a range on its last minute, ivr on the minute after: 11:59 is 12:00 here)."""
    parts: list[dict[str, Any]] = []
    times, weekdays = times.strip(), weekdays.strip().lower()
    if times not in ("*", ""):
        found = re.fullmatch(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})", times)
        if found is None:
            return None
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        end = h2 * 60 + m2 + 1
        text = f"{h1:02d}:{m1:02d}-{end // 60:02d}:{end % 60:02d}"
        try:
            parse_time_range(text)
        except ValueError:
            return None
        parts.append({"time": text})
    if weekdays not in ("*", ""):
        days = weekdays.split("&")
        try:
            for day in days:
                parse_weekdays(day)
        except ValueError:
            return None
        parts.append({"weekday": days if len(days) > 1 else days[0]})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"all": parts}


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def date_condition(days: str, month: str) -> dict[str, Any] | None:
    """An `ExecIfTime` day of the month (`25`, `24-26`) in one month (`dec`) as an ivr `date` condition,
    which recurs every year as Asterisk's does; None for anything else."""
    month = month.strip().lower()[:3]
    found = re.fullmatch(r"(\d{1,2})(?:-(\d{1,2}))?", days.strip())
    if month not in _MONTHS or found is None:
        return None
    first, last = int(found.group(1)), int(found.group(2) or found.group(1))
    number = _MONTHS.index(month) + 1
    try:
        listed = [f"{number:02d}-{day:02d}" for day in range(first, last + 1) if date(2000, number, day)]
    except ValueError:
        return None
    return {"date": listed if len(listed) > 1 else listed[0]} if listed else None
