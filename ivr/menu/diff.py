"""What changed between two versions of a menu, as a caller would notice it: nodes, options, prompts,
queues, and the key path and time to reach each destination (``ivr diff``)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from ivr.menu.compiled import CompiledNode, Menu
from ivr.menu.text import pick
from ivr.menu.timing import Durations, spoken_texts, time_to_reach

# Fields compared on their own (prompts, options, where the node leads), so left out of "other settings"
_SPOKEN = ("prompt", "short_prompt", "help", "invalid_prompt", "intro", "thanks", "confirm", "questions")
_LEADS = ("options", "next", "default", "cases", "on_exhausted", "goto")
REACH_TOLERANCE = 0.5  # seconds: a time to reach changed by less is not reported


@dataclass(frozen=True)
class Change:
    """One difference: ``section`` (node, option, prompt, queue, destination), what it is about, how."""

    section: str
    subject: str
    change: str  # added, removed, changed, moved
    before: str | None = None
    after: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "section": self.section,
            "subject": self.subject,
            "change": self.change,
            "before": self.before,
            "after": self.after,
        }


def diff_menus(old: Menu, new: Menu, durations: Durations) -> list[Change]:
    """Every difference a caller or a designer would notice, in a stable order."""
    changes: list[Change] = []
    for node_id in sorted(old.nodes.keys() - new.nodes.keys()):
        changes.append(Change("node", node_id, "removed", old.nodes[node_id].kind, None))
    for node_id in sorted(new.nodes.keys() - old.nodes.keys()):
        changes.append(Change("node", node_id, "added", None, new.nodes[node_id].kind))
    for node_id in [n for n in old.nodes if n in new.nodes]:
        changes += _node_changes(old, new, old.nodes[node_id], new.nodes[node_id])
    changes += _queue_changes(old, new)
    changes += _reach_changes(old, new, durations)
    return changes


def _node_changes(old: Menu, new: Menu, before: CompiledNode, after: CompiledNode) -> list[Change]:
    node_id = before.id
    if before.kind != after.kind:
        return [Change("node", node_id, "changed", before.kind, after.kind)]
    found: list[Change] = []
    was, now = _exits(old, node_id), _exits(new, node_id)
    gone = {way: target for way, target in was.items() if now.get(way) != target}
    came = {way: target for way, target in now.items() if was.get(way) != target}
    for way, target in list(gone.items()):  # the same destination under another key: moved
        other = next((w for w, t in came.items() if t == target and w.startswith("key ")), None)
        if way.startswith("key ") and other is not None:
            found.append(Change("option", f"{node_id} -> {target}", "moved", way, other))
            del gone[way], came[other]
    for way in sorted(gone.keys() | came.keys()):
        change = "added" if way not in gone else "removed" if way not in came else "changed"
        found.append(Change("option", f"{node_id} {way}", change, gone.get(way), came.get(way)))
    for role, language, text_before, text_after in _prompt_pairs(old, new, before, after):
        if text_before != text_after:
            change = "added" if text_before is None else "removed" if text_after is None else "changed"
            found.append(Change("prompt", f"{node_id}.{role} ({language})", change, text_before, text_after))
    settings_before, settings_after = _settings(before), _settings(after)
    for name in sorted(settings_before.keys() | settings_after.keys()):
        value_before, value_after = settings_before.get(name), settings_after.get(name)
        if value_before == value_after:
            continue
        if isinstance(value_before, dict) and isinstance(value_after, dict):  # e.g. a lookup's answers
            flat_before, flat_after = _flat(value_before), _flat(value_after)
            for path in sorted(flat_before.keys() | flat_after.keys()):
                shown_before, shown_after = _short(flat_before.get(path)), _short(flat_after.get(path))
                if shown_before != shown_after:
                    change = "added" if shown_before is None else "removed" if shown_after is None else "changed"
                    found.append(Change("node", f"{node_id} {name}{path}", change, shown_before, shown_after))
            continue
        found.append(Change("node", f"{node_id} {name}", "changed", _short(value_before), _short(value_after)))
    return found


def _exits(menu: Menu, node_id: str) -> dict[str, str]:
    """Where each way out of a node leads: ``key 1``, ``next``, ``default``, ``when <condition>``..."""
    exits: dict[str, str] = {}
    for edge in menu.edges.get(node_id, ()):
        if edge.kind == "back":
            continue
        if edge.key is not None:
            way = f"key {edge.key}"
        elif edge.kind == "case":
            way = f"when {edge.label}"
        else:
            way = edge.kind
        exits.setdefault(way, edge.target)
    return exits


def _prompt_pairs(
    old: Menu, new: Menu, before: CompiledNode, after: CompiledNode
) -> list[tuple[str, str, str | None, str | None]]:
    texts_before, texts_after = dict(spoken_texts(before)), dict(spoken_texts(after))
    pairs = []
    for role in sorted(texts_before.keys() | texts_after.keys()):
        for language in sorted(set(old.languages) | set(new.languages)):
            was = texts_before.get(role)
            now = texts_after.get(role)
            pairs.append(
                (
                    role,
                    language,
                    pick(was, language, old.default_language) if was is not None else None,
                    pick(now, language, new.default_language) if now is not None else None,
                )
            )
    return pairs


def _settings(node: CompiledNode) -> dict[str, Any]:
    """The node's other settings, as plain values."""
    dumped = node.spec.model_dump(mode="json", exclude_none=True)
    return {k: v for k, v in dumped.items() if k not in (*_SPOKEN, *_LEADS, "type")}


def _queue_changes(old: Menu, new: Menu) -> list[Change]:
    found = [Change("queue", name, "removed") for name in sorted(old.queues.keys() - new.queues.keys())]
    found += [Change("queue", name, "added") for name in sorted(new.queues.keys() - old.queues.keys())]
    for name in sorted(old.queues.keys() & new.queues.keys()):
        before = old.queues[name].model_dump(mode="json", exclude_none=True)
        after = new.queues[name].model_dump(mode="json", exclude_none=True)
        for field in sorted(before.keys() | after.keys()):
            if before.get(field) != after.get(field):
                found.append(
                    Change("queue", f"{name} {field}", "changed", _short(before.get(field)), _short(after.get(field)))
                )
    return found


def _reach_changes(old: Menu, new: Menu, durations: Durations) -> list[Change]:
    """Destinations in both versions whose quickest key path, or time to reach, changed."""
    found: list[Change] = []
    language = old.default_language
    before = {r.destination: r for r in time_to_reach(old, language, durations)}
    after = {r.destination: r for r in time_to_reach(new, language, durations)}
    for name in sorted(before.keys() & after.keys()):
        was, now = before[name], after[name]
        keys_was, keys_now = _keys(old, was.path), _keys(new, now.path)
        if keys_was != keys_now:
            found.append(Change("destination", f"{name} keys", "changed", keys_was, keys_now))
        elif abs(was.best - now.best) >= REACH_TOLERANCE:
            found.append(Change("destination", f"{name} time", "changed", f"{was.best:.1f} s", f"{now.best:.1f} s"))
    for name in sorted(before.keys() - after.keys()):
        if name in new.nodes:  # still there, but no longer reachable
            found.append(Change("destination", f"{name} keys", "removed", _keys(old, before[name].path), None))
    return found


def _keys(menu: Menu, path: list[str]) -> str:
    """The keys a caller presses along a path of nodes (``-`` for a step that needs none)."""
    keys = []
    for source, target in itertools.pairwise(path):
        edge = next((e for e in menu.edges.get(source, ()) if e.target == target and e.kind != "back"), None)
        keys.append(edge.key if edge is not None and edge.key else "-")
    pressed = [k for k in keys if k != "-"]
    return " ".join(pressed) if pressed else "(none)"


def _flat(value: dict[Any, Any], prefix: str = "") -> dict[str, Any]:
    """A nested mapping as ``['key'].field`` paths to its values, so that a change names where it is."""
    flat: dict[str, Any] = {}
    for key, inner in value.items():
        path = (
            f"{prefix}[{key!r}]"
            if prefix == "" or not isinstance(key, str) or not key.isidentifier()
            else f"{prefix}.{key}"
        )
        if isinstance(inner, dict) and inner:
            flat.update(_flat(inner, path))
        else:
            flat[path] = inner
    return flat


def _short(value: Any, width: int = 60) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
