"""``ivr diff``: the changes between two menus, by section, and the scripted calls they break."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group
from rich.text import Text

from ivr.menu.diff import Change

SECTIONS = {
    "node": "Nodes",
    "option": "Options (where each key or way out leads)",
    "prompt": "Prompts",
    "queue": "Queues",
    "destination": "Destinations (quickest keys, time to reach)",
}
_MARK = {"added": ("+", "green"), "removed": ("-", "red"), "changed": ("~", "yellow"), "moved": ("→", "yellow")}


def render_diff(old: str, new: str, changes: list[Change], impact: Any | None) -> Group:
    """Each section with its changes, then the broken calls (``impact``: :class:`ivr.replay.impact.Impact`)."""
    parts: list[Text] = [Text.assemble(("--- ", "red"), old, ("\n+++ ", "green"), new)]
    if not changes:
        parts.append(Text("no change a caller would notice", style="green"))
    for section, title in SECTIONS.items():
        mine = [c for c in changes if c.section == section]
        if not mine:
            continue
        parts.append(Text(f"\n{title}", style="bold"))
        for change in mine:
            mark, style = _MARK[change.change]
            line = Text.assemble((f"  {mark} ", style), (change.subject, "bold"), f" {change.change}")
            if change.before is not None or change.after is not None:
                line.append(": ")
                line.append(repr(change.before) if change.before is not None else "–", style="red")
                line.append(" → ")
                line.append(repr(change.after) if change.after is not None else "–", style="green")
            parts.append(line)
    if impact is not None:
        parts.append(
            Text(
                f"\nScripts: {impact.scripts} for the old menu, {impact.calls} passing call(s) replayed on both",
                style="bold",
            )
        )
        for broken in impact.broken:
            parts.append(Text.assemble(("  ✗ ", "bold red"), (broken.id, "bold"), f"\n      {broken.why}"))
        if not impact.broken:
            parts.append(Text("  every one still passes", style="green"))
    return Group(*parts)


def diff_json(old: str, new: str, changes: list[Change], impact: Any | None) -> str:
    payload: dict[str, Any] = {
        "old": old,
        "new": new,
        "changes": [c.as_dict() for c in changes],
        "behaviour_changed": bool(changes) or bool(impact and impact.broken),
    }
    if impact is not None:
        payload["scripts"] = {
            "scripts": impact.scripts,
            "calls": impact.calls,
            "broken": [b.as_dict() for b in impact.broken],
        }
    return json.dumps(payload, ensure_ascii=False, indent=2)
