"""Prompt filters: ``{card|last4}``, ``{due|date}``, ``{balance|money}``... how a value is said, in the
caller's language. A value a filter cannot read (a date filter on a word) is said as it is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

_MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "ur": ["جنوری", "فروری", "مارچ", "اپریل", "مئی", "جون", "جولائی", "اگست", "ستمبر", "اکتوبر", "نومبر", "دسمبر"],
}


def _alnum(text: str) -> list[str]:
    return [ch for ch in text if ch.isalnum()]


def digits(text: str, language: str) -> str:
    """One by one: ``REF-0012`` -> ``R E F 0 0 1 2``."""
    return " ".join(_alnum(text))


def last4(text: str, language: str) -> str:
    """The last four digits or letters, one by one: a card ``4111 1111 1111 1234`` -> ``1 2 3 4``."""
    return " ".join(_alnum(text)[-4:])


def masked(text: str, language: str) -> str:
    """All but the last four hidden: ``4111111111111234`` -> ``************1234`` (for screens and logs)."""
    chars = _alnum(text)
    return "*" * max(len(chars) - 4, 0) + "".join(chars[-4:])


def say_date(text: str, language: str) -> str:
    """``2026-11-24`` -> ``24 November 2026`` (``24 نومبر 2026`` in Urdu)."""
    try:
        day = datetime.fromisoformat(text).date() if "T" in text or " " in text else date.fromisoformat(text)
    except ValueError:
        return text
    months = _MONTHS.get(language.split("-")[0], _MONTHS["en"])
    return f"{day.day} {months[day.month - 1]} {day.year}"


def money(text: str, language: str) -> str:
    """A sum with two decimals, grouped as the language writes it: ``1,234,567.50`` in English,
    ``12,34,567.50`` (lakh and crore) in Urdu."""
    try:
        amount = float(text)
    except ValueError:
        return text
    if amount != amount or amount in (float("inf"), float("-inf")):
        return text
    sign, whole, cents = "-" if amount < 0 else "", *f"{abs(amount):.2f}".split(".")
    if language.split("-")[0] == "ur" and len(whole) > 3:
        head, tail = whole[:-3], whole[-3:]
        pairs = [head[max(i - 2, 0) : i] for i in range(len(head), 0, -2)][::-1]
        grouped = ",".join([*pairs, tail])
    else:
        grouped = f"{int(whole):,}"
    return f"{sign}{grouped}.{cents}"


FILTERS: dict[str, Callable[[str, str], str]] = {
    "digits": digits,
    "last4": last4,
    "masked": masked,
    "date": say_date,
    "money": money,
}
