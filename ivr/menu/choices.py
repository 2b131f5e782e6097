"""A caller's way through a menu in words, as the menu says them: "a complaint › you were charged more than
the price you agreed › Billing queue", for a representative's screen pop, where node ids
("overcharge/enter › overcharge/done") mean nothing."""

from __future__ import annotations

import itertools
import re

from ivr.menu.compiled import Menu
from ivr.menu.model import CollectNode, MenuNode, QueueNode
from ivr.menu.text import pick

_SENTENCES = re.compile(r"[^.!?\n]+")
_KEY_NAMES = {"*": r"(?:\*|star)", "#": r"(?:#|hash|pound)"}


def key_phrase(prompt: str, key: str) -> str | None:
    """What an English prompt says a key is for ("For billing, press 1" -> "billing"); None when it does
    not say."""
    token = _KEY_NAMES.get(key, re.escape(key))
    for sentence in _SENTENCES.findall(prompt):
        found = re.search(rf"\bpress\s+{token}(?![\w])", sentence, re.IGNORECASE)
        if found is None:
            continue
        before = sentence[: found.start()].strip(" ,;:")
        after = sentence[found.end() :].strip(" ,;:")
        phrase = before or after
        phrase = re.sub(r"^(?:for|to|if|or)\s+", "", phrase, flags=re.IGNORECASE).strip(" ,;:")
        if phrase:
            return phrase
    return None


def _readable(node_id: str) -> str:
    return node_id.rsplit("/", 1)[-1].replace("_", " ")


def journey(menu: Menu, path: list[str]) -> list[str]:
    """The caller's choices along ``path`` (node ids, in order), each in the menu's own words where its
    prompt says what the key is for, and what they entered and where they waited."""
    words: list[str] = []
    for here, there in itertools.pairwise(path):
        node = menu.nodes.get(here)
        if node is None:
            continue
        if isinstance(node.spec, MenuNode):
            key = next((e.key for e in menu.edges.get(here, ()) if e.target == there and e.key), None)
            if key is None:
                continue
            prompt = pick(node.spec.prompt, menu.default_language, menu.default_language)
            words.append(key_phrase(prompt, key) or _readable(there))
        elif isinstance(node.spec, CollectNode):
            words.append(f"entered {node.spec.variable.replace('_', ' ')}")
    last = menu.nodes.get(path[-1]) if path else None
    if last is not None and isinstance(last.spec, QueueNode):
        words.append(f"the {last.spec.queue.replace('_', ' ')} queue")
    return list(dict.fromkeys(words))  # a menu heard again (9, *) is one choice
