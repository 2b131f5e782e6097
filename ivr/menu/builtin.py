"""What a menu gets without writing it: the built-in reprompts, the hand-over line and the base defaults."""

from __future__ import annotations

from ivr.menu.compiled import Text

BUILTIN_REPROMPTS: dict[str, tuple[Text, ...]] = {
    "no_input": (
        {"en": "Sorry, I didn't hear anything.", "ur": "معاف کیجیے، ہمیں آپ کا کوئی جواب نہیں ملا۔"},
        {
            "en": "Sorry, I still didn't hear anything. Here are the choices again.",
            "ur": "معاف کیجیے، اب بھی کوئی جواب نہیں ملا۔ انتخاب دوبارہ سنیے۔",
        },
    ),
    "no_match": (
        {"en": "Sorry, that is not one of the choices.", "ur": "معاف کیجیے، یہ دستیاب انتخاب میں شامل نہیں۔"},
        {
            "en": "Sorry, that still isn't one of the choices. Please listen carefully.",
            "ur": "معاف کیجیے، یہ اب بھی درست انتخاب نہیں۔ براہِ کرم غور سے سنیے۔",
        },
    ),
}
BUILTIN_EXHAUSTED: Text = {
    "en": "Let me put you through to someone who can help.",
    "ur": "میں آپ کو ایک ایسے نمائندے سے ملاتا ہوں جو آپ کی مدد کر سکے۔",
}
BASE_DEFAULTS = {"timeout": 5.0, "max_no_input": 3, "max_no_match": 3, "max_attempts": 5}
