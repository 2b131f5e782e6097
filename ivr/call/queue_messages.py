"""What a caller hears while in a queue when the menu does not say otherwise, in English and Urdu.

``{queue.position}``, ``{queue.wait}`` (whole minutes) and ``{queue.key}`` are filled in by the driver.
A menu overrides any of them per queue node with `messages:`.
"""

from __future__ import annotations

from typing import Any

from ivr.menu.compiled import Text

BUILT_IN: dict[str, Text] = {
    "joined": {
        "en": "You are number {queue.position} in the queue. The wait is about {queue.wait} minutes.",
        "ur": "قطار میں آپ کا نمبر {queue.position} ہے۔ انتظار تقریباً {queue.wait} منٹ ہے۔",
    },
    "announce": {
        "en": "You are now number {queue.position} in the queue. The wait is about {queue.wait} minutes.",
        "ur": "اب قطار میں آپ کا نمبر {queue.position} ہے۔ انتظار تقریباً {queue.wait} منٹ ہے۔",
    },
    "comfort": {
        "en": "Thank you for holding. Your call is important to us.",
        "ur": "انتظار کا شکریہ۔ آپ کی کال ہمارے لیے اہم ہے۔",
    },
    "callback_offer": {
        "en": "To be called back and keep your place in the queue, press {queue.key}.",
        "ur": "قطار میں اپنی جگہ رکھتے ہوئے واپس کال کے لیے {queue.key} دبائیں۔",
    },
    "callback_taken": {
        "en": "Thank you. We will call you back at {caller.number|digits} when it is your turn. Goodbye.",
        "ur": "شکریہ۔ آپ کی باری آنے پر ہم آپ کو {caller.number|digits} پر کال کریں گے۔ خدا حافظ۔",
    },
    "hold": {
        "en": "Please hold for a moment while I check that for you.",
        "ur": "براہِ کرم ایک لمحہ لائن پر رہیے، میں ابھی معلوم کرتا ہوں۔",
    },
    "handover": {
        "en": "Please hold while I transfer your call to the right team.",
        "ur": "براہِ کرم لائن پر رہیے، آپ کی کال متعلقہ ٹیم کو منتقل کی جا رہی ہے۔",
    },
    "full": {
        "en": "All our representatives are busy and the queue is full. Please call again later.",
        "ur": "ہمارے تمام نمائندے مصروف ہیں اور قطار بھری ہوئی ہے۔ براہِ کرم بعد میں کال کریں۔",
    },
    "unstaffed": {
        "en": "No representative is available for this service right now. Please call again later.",
        "ur": "اس وقت اس سروس کے لیے کوئی نمائندہ دستیاب نہیں۔ براہِ کرم بعد میں کال کریں۔",
    },
}


def message(queue_node: Any, what: str) -> Text:
    """The queue node's own text for ``what`` (joined, announce, ...), else the built-in one."""
    own = getattr(queue_node.messages, what, None)
    return own if own is not None else BUILT_IN[what]
