"""Right-to-left text for screens that do no shaping or reordering (terminals, xterm.js in `ivr serve`).

Urdu (and Arabic, Persian...) is stored in reading order with letters in their basic forms. A terminal
draws it left to right, letter by letter, unjoined: unreadable. Here such text is shaped (each letter in
its joined form, by arabic-reshaper), wrapped to the width in reading order, and each line reordered for
display (python-bidi), so it reads right to left with joined letters; RTL paragraphs are right-aligned.
Terminals that do their own bidi (mlterm, some with a setting) get the text as it is: ``IVR_BIDI=terminal``
(or ``--bidi terminal``).
"""

from __future__ import annotations

import os
import re
import textwrap
from enum import StrEnum

RTL_LANGUAGES = frozenset({"ur", "ar", "fa", "he", "ps", "sd", "ug", "yi"})
_RTL_LETTERS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


class BidiMode(StrEnum):
    SHAPE = "shape"  # shape and reorder here (the default)
    TERMINAL = "terminal"  # the terminal does bidi itself: leave the text alone


def bidi_mode() -> BidiMode:
    """The mode set by ``IVR_BIDI`` (``--bidi`` sets it for a command), ``shape`` unless it says otherwise."""
    value = os.environ.get("IVR_BIDI", BidiMode.SHAPE).strip().lower()
    return BidiMode.TERMINAL if value == BidiMode.TERMINAL else BidiMode.SHAPE


def is_rtl(language: str) -> bool:
    return language.split("-")[0] in RTL_LANGUAGES


def has_rtl(text: str) -> bool:
    return _RTL_LETTERS.search(text) is not None


def visual_lines(text: str, width: int, rtl: bool, mode: BidiMode | None = None) -> list[str]:
    """``text`` as lines to draw, each at most ``width`` cells: wrapped in reading order first, then each
    line shaped and reordered, so a long Urdu prompt's first line is still its beginning."""
    width = max(width, 8)
    mode = mode or bidi_mode()
    if mode is BidiMode.TERMINAL or not has_rtl(text):
        return textwrap.wrap(text, width) or [""]
    import arabic_reshaper  # here, not at start-up: most screens never meet right-to-left text
    from bidi import get_display

    shaped = arabic_reshaper.reshape(text)
    lines = textwrap.wrap(shaped, width) or [""]
    return [get_display(line, base_dir="R" if rtl else "L") for line in lines]
