"""The Luhn (mod 10) check digit used by card and account numbers."""

from __future__ import annotations


def _sum(digits: str, double_first: bool) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if (i % 2 == 0) == double_first:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total


def luhn_ok(digits: str) -> bool:
    """True when the last digit of ``digits`` is its Luhn check digit."""
    return digits.isdigit() and _sum(digits, double_first=False) % 10 == 0


def luhn_check_digit(body: str) -> str:
    """The digit that makes ``body + digit`` pass the Luhn check."""
    return str((10 - _sum(body, double_first=True) % 10) % 10)
