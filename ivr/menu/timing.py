"""How long callers listen before they reach each destination: best case, and worst case with reprompts.

Durations come from a function (WAV lengths written by ``ivr speak``, or an estimate from the words).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ivr.menu.compiled import CompiledNode, Menu
from ivr.menu.model import CollectNode, MenuNode, SurveyNode
from ivr.menu.recordings import recording_for
from ivr.menu.text import PLACEHOLDER, pick

THINK = 1.0  # seconds a caller takes to press a key once the prompt ends
PER_DIGIT = 0.4  # seconds per digit typed
Durations = Callable[[str, str, str], float]  # (prompt id, language, text) -> seconds


@dataclass(frozen=True)
class PromptText:
    prompt_id: str
    node: str
    language: str
    text: str


def menu_prompts(menu: Menu) -> Iterator[PromptText]:
    """Every prompt the menu can say, in every language, with placeholders filled with samples."""
    for node in menu.nodes.values():
        for role, text in spoken_texts(node):
            for language in menu.languages:
                spoken = sample(pick(text, language, menu.default_language))
                if spoken.strip():
                    yield PromptText(f"{node.id}.{role}", node.id, language, spoken)


def sample(template: str) -> str:
    """A template as it might be heard: ``{order_id|digits}`` becomes "1 2 3 4 5 6 7 8"."""

    def replace(match: object) -> str:
        text = match.group(0)  # type: ignore[attr-defined]
        if text in ("{{", "}}"):
            return text[0]
        return "1 2 3 4 5 6 7 8" if match.group(2) == "digits" else "12345678"  # type: ignore[attr-defined]

    return PLACEHOLDER.sub(replace, template)


def spoken_texts(node: CompiledNode) -> Iterator[tuple[str, dict[str, str]]]:
    spec = node.spec
    for role in ("prompt", "short_prompt", "help", "invalid_prompt", "intro", "thanks"):
        text = getattr(spec, role, None)
        if text:
            yield role.replace("invalid_prompt", "invalid"), text
    confirm = getattr(spec, "confirm", None)
    if confirm is not None:
        yield "confirm", confirm.prompt
    for question in getattr(spec, "questions", ()):
        yield f"question.{question.id}", question.prompt
    settings = node.settings
    if settings is not None:
        for i, text in enumerate(settings.no_input_reprompts, start=1):
            yield f"no_input.{i}", text
        for i, text in enumerate(settings.no_match_reprompts, start=1):
            yield f"no_match.{i}", text
        yield "exhausted", settings.exhausted_prompt


@dataclass(frozen=True)
class Reach:
    destination: str
    kind: str
    best: float
    worst: float
    path: list[str]


def time_to_reach(menu: Menu, language: str, durations: Durations) -> list[Reach]:
    """For each queue, transfer and hang-up: the quickest way there, and the same way with every input
    node failed until its last attempt (timeouts and reprompts included)."""

    def seconds(node: CompiledNode, role: str) -> float:
        texts = dict(spoken_texts(node))
        if role not in texts:
            return 0.0
        recorded = recording_for(menu.recordings, node.id, language) if role == "prompt" else None
        if recorded is not None and recorded.seconds is not None:  # a call takes the recording's length too
            return recorded.seconds
        spoken = sample(pick(texts[role], language, menu.default_language))
        return durations(f"{node.id}.{role}", language, spoken)

    def cost(node: CompiledNode) -> float:
        total = seconds(node, "prompt") + seconds(node, "intro")
        match node.spec:
            case MenuNode():
                total += THINK
            case CollectNode(min_digits=digits, confirm=confirm):
                total += THINK + PER_DIGIT * digits + seconds(node, "confirm") + (THINK if confirm else 0)
            case SurveyNode(questions=questions):
                total += sum(seconds(node, f"question.{q.id}") + THINK for q in questions)
        return total

    def retries(node: CompiledNode) -> float:
        settings = node.settings
        if settings is None or node.kind == "survey":
            return 0.0
        again = seconds(node, "short_prompt") or seconds(node, "prompt")
        return (settings.max_attempts - 1) * (settings.timeout + seconds(node, "no_input.1") + again)

    start = menu.start
    best = {start: cost(menu.nodes[start])}
    extra = {start: retries(menu.nodes[start])}
    came: dict[str, str] = {}
    heap = [(best[start], start)]
    while heap:
        spent, node_id = heapq.heappop(heap)
        if spent > best.get(node_id, float("inf")):
            continue
        for edge in menu.edges.get(node_id, ()):
            if edge.kind in ("back", "exhausted", "after"):
                continue
            target = menu.nodes[edge.target]
            arrival = spent + cost(target)
            if arrival < best.get(target.id, float("inf")):
                best[target.id] = arrival
                extra[target.id] = extra[node_id] + retries(target)
                came[target.id] = node_id
                heapq.heappush(heap, (arrival, target.id))
    result = []
    for node in menu.nodes.values():
        if node.kind in ("queue", "transfer", "hangup") and node.id in best:
            path = [node.id]
            while path[-1] in came:
                path.append(came[path[-1]])
            result.append(Reach(node.id, node.kind, best[node.id], best[node.id] + extra[node.id], path[::-1]))
    return sorted(result, key=lambda r: r.best)


def reach_summary(menu: Menu, durations: Durations, measured: bool) -> dict[str, list[dict[str, Any]]]:
    """:func:`time_to_reach` in every language of ``menu``, as JSON-ready rows (seconds to one decimal)."""
    source = "wav" if measured else "estimate"
    return {
        language: [
            {**vars(r), "best": round(r.best, 1), "worst": round(r.worst, 1), "source": source}
            for r in time_to_reach(menu, language, durations)
        ]
        for language in menu.languages
    }
