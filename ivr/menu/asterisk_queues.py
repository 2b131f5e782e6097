"""Asterisk's `queues.conf` as an `ivr` centre file: each queue with its strategy as routing, and its
members as representatives."""

from __future__ import annotations

import re
from typing import Any

import yaml

from ivr.menu.asterisk_parse import CONTEXT, MAX_LINES, split_args, strip_comment
from ivr.menu.imported import Imported, MenuDraft, node_id

_STRATEGIES = {
    "leastrecent": "longest-idle",
    "fewestcalls": "fewest-calls",
    "random": "random",
    "wrandom": "random",
    "rrmemory": "round-robin",
    "rrordered": "round-robin",
    "linear": "skill-level",
}


def looks_like_queues_conf(text: str) -> bool:
    return bool(re.search(r"^\s*(member|strategy)\s*=>?", text, re.MULTILINE)) or bool(
        re.search(r"^\s*persistentmembers\s*=", text, re.MULTILINE)
    )


def import_queues(text: str, source: str) -> Imported:
    """`queues.conf`: each queue (its strategy as routing) and its members as representatives."""
    draft = MenuDraft("Asterisk", source)
    queues: dict[str, dict[str, Any]] = {}
    members: dict[str, dict[str, int]] = {}
    current: str | None = None
    for number, raw in enumerate(text.splitlines()[:MAX_LINES], 1):
        line = strip_comment(raw).strip()
        if (header := CONTEXT.match(line)) is not None:
            name = header.group(1).strip()
            template = "(!)" in line or "(template)" in line.lower()
            current = None if name == "general" or template else node_id(name).lower()
            if current is not None:
                queues[current] = {"routing": "longest-idle"}
            continue
        key, _, value = line.partition("=")
        key, value = key.strip().lower(), value.lstrip(">").strip()
        if current is None or not key:
            continue
        if key == "strategy":
            routing = _STRATEGIES.get(value)
            if routing is None:
                draft.warn(f"line {number}", f"strategy {value!r} has no ivr routing: longest-idle instead")
            queues[current]["routing"] = routing or "longest-idle"
        elif key == "member":
            parts = split_args(value)
            who = parts[2] if len(parts) > 2 and parts[2] else parts[0].rsplit("/", 1)[-1]
            penalty = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
            members.setdefault(who, {})[current] = max(1, min(penalty + 1, 10))
    agents = [{"name": who, "count": 1, "skills": skills} for who, skills in members.items()]
    if queues and not agents:
        draft.warn("members", "no queue has members (they may log in at run time): one representative per queue")
        agents = [{"name": f"{q} agent", "count": 1, "skills": {q: 1}} for q in queues]
    if not queues:
        draft.warn("queues", "the file declares no queues (only [general] settings): the centre file has none")
    body = yaml.safe_dump({"queues": queues, "agents": agents}, sort_keys=False, allow_unicode=True, width=110)
    head = f"# A centre file imported from the Asterisk {source} by `ivr import`: name it in a menu's `centre:`.\n"
    return Imported(head + body, draft.warnings, 0)
