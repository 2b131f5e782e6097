"""Unicode that makes a file say something other than it shows: invisible characters and look-alike letters.

A key with a zero-width space looks like ``complaint`` and is not; a prompt with a right-to-left override
shows its words in one order and is spoken in another; ``bіlling`` with a Cyrillic ``і`` reads as billing
and will not match a script that expects billing. Every key and every text value in a user's file is
checked here, after parsing, so each problem is reported at its own line.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING, Any

from ivr.source.diagnostics import Diagnostic

if TYPE_CHECKING:
    from ivr.source.reader import Source

# Characters that are never wanted: C0/C1 controls other than tab and newline, bidi embeddings, overrides
# and isolates, zero-width spaces and joiners that carry no meaning, BOMs mid-text, and marks that only
# steer display. ZWNJ (U+200C) and ZWJ (U+200D) stay allowed in text: Urdu, Persian and emoji need them.
_NEVER = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb"
)
_BAD_IN_TEXT = re.compile(f"[{_NEVER}]")
_BAD_IN_KEY = re.compile(f"[{_NEVER}\u200c\u200d\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_WORD = re.compile(r"\w+")
# Scripts whose letters pass for one another: a word mixing two of these is almost always a look-alike.
_CONFUSABLE = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"})


def check_text(data: Any, source: Source) -> list[Diagnostic]:
    """Every invisible character and mixed-script word in the keys and text values of ``data``."""
    found: list[Diagnostic] = []
    _walk(data, [], source, found)
    return found


def _walk(value: Any, path: list[str | int], source: Source, found: list[Diagnostic]) -> None:
    """Depth first, with one path list kept in step: a location is made only for a problem found."""
    if isinstance(value, dict):
        for key, item in value.items():
            path.append(key)
            if isinstance(key, str) and (problem := _checked(key, True)):
                found.append(source.error(tuple(path), f"key {key!r} {problem}", "type the key again by hand"))
            _walk(item, path, source, found)
            path.pop()
    elif isinstance(value, list):
        for index, item in enumerate(value):
            path.append(index)
            _walk(item, path, source, found)
            path.pop()
    elif isinstance(value, str) and (problem := _checked(value, False)):
        shown = value if len(value) <= 40 else value[:37] + "..."
        found.append(source.error(tuple(path), f"text {shown!r} {problem}", "retype it, or remove the character named"))


@functools.lru_cache(maxsize=65_536)
def _checked(text: str, key: bool) -> str | None:
    """The problem of ``text`` (as a key or as text), remembered: files repeat their words a lot."""
    return _problem(text, _BAD_IN_KEY if key else _BAD_IN_TEXT)


def _problem(text: str, bad: re.Pattern[str]) -> str | None:
    found = bad.search(text)
    if found:
        char = found.group()
        return f"contains a hidden character {_describe(char)} at position {found.start() + 1}"
    if text.isascii():
        return None
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        scripts: dict[str, str] = {}
        for char in word:
            if char.isalpha():
                script = unicodedata.name(char, "?").split(" ")[0]
                if script in _CONFUSABLE:
                    scripts.setdefault(script, char)
        if len(scripts) > 1:
            names = " and ".join(s.title() for s in scripts)
            odd = next(c for s, c in scripts.items() if s != "LATIN") if "LATIN" in scripts else None
            detail = f"; {_describe(odd)} is not a Latin letter" if odd else ""
            return f"mixes {names} letters in the word {word!r}{detail}"
    return None


def _describe(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"
