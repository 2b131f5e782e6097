"""What the records say: resolution, satisfaction, service level, common paths and drop-off per node."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ivr.contact.metrics import SHORT_ABANDON
from ivr.records.store import RecordStore


@dataclass
class QueueFigures:
    queue: str
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    answered_within: int
    asa: float | None

    @property
    def service_level(self) -> float | None:
        base = self.offered - self.short_abandoned
        return self.answered_within / base if base > 0 else None


@dataclass
class Question:
    question: str
    answers: int
    average: float | None  # for numeric answers
    top_two: float | None  # share of 4 and 5 (CSAT) for 1-5 answers
    yes: float | None  # share of "yes" for yes/no answers


@dataclass
class DropOff:
    node: str
    entered: int
    hung_up: int

    @property
    def rate(self) -> float:
        return self.hung_up / self.entered if self.entered else 0.0


@dataclass
class Summary:
    calls: int
    outcomes: dict[str, int]
    tickets: int
    resolved: int
    by_category: dict[str, int]
    queues: list[QueueFigures]
    survey: list[Question]
    paths: list[tuple[list[str], int]]
    drop_off: list[DropOff]
    sources: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # rows that could not be read: "call id: why"

    @property
    def fcr(self) -> float | None:
        return self.resolved / self.tickets if self.tickets else None

    @property
    def csat(self) -> float | None:
        """Share of 4-5 answers over every 1-5 question: the usual top-two-box satisfaction score."""
        scored = [q for q in self.survey if q.top_two is not None]
        total = sum(q.answers for q in scored)
        return sum((q.top_two or 0.0) * q.answers for q in scored) / total if total else None


def summarize(store: RecordStore, menu: str | None = None, source: str | None = None, top: int = 10) -> Summary:
    """Read the whole database (or one menu's, one source's calls) into a :class:`Summary`."""
    where, args = _where(menu, source, "c.")
    rows = store.rows(
        f"SELECT call_id, outcome, queue, time_in_queue, sl_seconds, path, last_node FROM calls c{where}", *args
    )
    calls: list[dict[str, Any]] = []
    skipped: list[str] = []
    for row in rows:
        problem = _problem_with(row)
        if problem is None:
            calls.append(row)
        else:
            skipped.append(f"call {row['call_id']!r}: {problem}")
    outcomes = Counter(c["outcome"] for c in calls)
    sources = {
        r["source"]: r["n"]
        for r in store.rows(f"SELECT source, count(*) AS n FROM calls c{where} GROUP BY source", *args)
    }
    ticket_rows = list(
        store.rows(f"SELECT t.category, t.resolved FROM tickets t JOIN calls c ON c.call_id = t.call_id{where}", *args)
    )
    judged = [t for t in ticket_rows if t["resolved"] is not None]
    queues: dict[str, QueueFigures] = {}
    waits: dict[str, list[float]] = {}
    for c in calls:
        name = c["queue"]
        if not name or c["outcome"] not in ("answered", "abandoned", "blocked"):
            continue
        figures = queues.setdefault(name, QueueFigures(name, 0, 0, 0, 0, 0, None))
        figures.offered += 1
        wait = c["time_in_queue"] or 0.0
        if c["outcome"] == "answered":
            figures.answered += 1
            waits.setdefault(name, []).append(wait)
            if c["sl_seconds"] is None or wait <= c["sl_seconds"]:
                figures.answered_within += 1
        elif c["outcome"] == "abandoned":
            figures.abandoned += 1
            figures.short_abandoned += wait <= SHORT_ABANDON
    for name, figures in queues.items():
        answered = waits.get(name, [])
        figures.asa = sum(answered) / len(answered) if answered else None
    paths = Counter(tuple(c["path"]) for c in calls)
    entered: Counter[str] = Counter()
    for path, count in paths.items():
        for node in set(path):
            entered[node] += count
    hung = Counter(c["last_node"] for c in calls if c["outcome"] == "hung up in menu")
    drop = sorted((DropOff(n, entered[n], h) for n, h in hung.items()), key=lambda d: (-d.rate, -d.hung_up, d.node))
    return Summary(
        calls=len(calls),
        outcomes=dict(outcomes.most_common()),
        tickets=len(judged),
        resolved=sum(1 for t in judged if t["resolved"]),
        by_category=dict(Counter(t["category"] for t in ticket_rows).most_common()),
        queues=sorted(queues.values(), key=lambda q: q.queue),
        survey=_survey(store, where, args),
        paths=[(list(p), n) for p, n in paths.most_common(top)],
        drop_off=drop,
        sources=sources,
        skipped=skipped,
    )


def _problem_with(row: dict[str, Any]) -> str | None:
    """Why a call row cannot be counted (the database may have been edited by hand), or None. A good
    row's ``path`` is replaced by the list it holds."""
    try:
        path = json.loads(row["path"]) if isinstance(row["path"], str) else None
    except ValueError:
        path = None
    if not isinstance(path, list) or not all(isinstance(node, str) for node in path):
        return f"path {str(row['path'])[:40]!r} is not a list of nodes"
    for column in ("time_in_queue", "sl_seconds"):
        value = row[column]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value != value):
            return f"{column} {str(value)[:20]!r} is not a number of seconds"
    if not isinstance(row["outcome"], str):
        return f"outcome {row['outcome']!r} is not text"
    row["path"] = path
    return None


def _where(menu: str | None, source: str | None, prefix: str) -> tuple[str, list[Any]]:
    parts, args = [], []
    if menu:
        parts.append(f"{prefix}menu = ?")
        args.append(menu)
    if source:
        parts.append(f"{prefix}source = ?")
        args.append(source)
    return (" WHERE " + " AND ".join(parts) if parts else ""), args


def _survey(store: RecordStore, where: str, args: list[Any]) -> list[Question]:
    query = "SELECT s.question, s.answer FROM survey_answers s JOIN calls c ON c.call_id = s.call_id" + where
    answers: dict[str, list[str]] = {}
    for row in store.rows(query, *args):
        if row["answer"] is not None:
            answers.setdefault(str(row["question"]), []).append(str(row["answer"]))
    result = []
    for question, given in sorted(answers.items()):
        numbers = [float(a) for a in given if _is_number(a)]
        numbers = [n for n in numbers if n == n and abs(n) != float("inf")]
        if len(numbers) == len(given):
            top_two = sum(1 for n in numbers if n >= 4) / len(numbers) if max(numbers) <= 5 else None
            result.append(Question(question, len(given), sum(numbers) / len(numbers), top_two, None))
        else:
            yes = sum(1 for a in given if a.lower() in ("yes", "true")) / len(given)
            result.append(Question(question, len(given), None, None, yes))
    return result


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
