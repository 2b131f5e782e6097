"""Regular expressions written in menus and scripts, run with RE2 so no pattern can hang a call.

Python's ``re`` backtracks: a pattern such as ``(\\d+)+$`` takes exponential time on a 30-digit entry, and
a menu file is user input. RE2 matches in time linear in the text and refuses the constructs that need
backtracking (back-references, look-around) with an error the loader reports at the pattern's line.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2

_MAX_PATTERN = 1000
_MAX_MEMORY = 8 << 20  # bytes RE2 may use for one compiled pattern


def _options(ignore_case: bool) -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would otherwise write its own error lines to stderr
    options.max_mem = _MAX_MEMORY
    options.case_sensitive = not ignore_case
    return options


@lru_cache(maxsize=512)
def compile_pattern(pattern: str, ignore_case: bool = False) -> Any:
    """The compiled pattern, or ``ValueError`` saying in plain words why it cannot be used."""
    if len(pattern) > _MAX_PATTERN:
        raise ValueError(f"pattern is {len(pattern)} characters long; the limit is {_MAX_PATTERN}")
    try:
        return re2.compile(pattern, _options(ignore_case))
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        if "invalid escape sequence: \\" in reason and reason[-1:].isdigit():
            reason += " (back-references are not supported)"
        elif "invalid perl operator: (?" in reason and any(op in pattern for op in ("(?=", "(?!", "(?<=", "(?<!")):
            reason += " (look-ahead and look-behind are not supported)"
        raise ValueError(f"pattern {pattern!r} cannot be used: {reason}") from None


def check_pattern(pattern: str) -> None:
    """Raise ``ValueError`` unless ``pattern`` compiles (for validators)."""
    compile_pattern(pattern)


def search(pattern: str, text: str, ignore_case: bool = False) -> bool:
    """Whether ``pattern`` occurs anywhere in ``text``."""
    return compile_pattern(pattern, ignore_case).search(text) is not None


def fullmatch(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches the whole of ``text``."""
    return compile_pattern(pattern).fullmatch(text) is not None
