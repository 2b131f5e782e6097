"""Property tests on generated menu and script files, valid and mutated.

Loading either kind of file raises nothing but the project's own error type, with a place for every
problem; every valid generated menu loads, and random callers on it (what `ivr fuzz` does) never crash
the engine or leave a call that does not end.
"""

from __future__ import annotations

import string
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr.menu import load_menu
from ivr.replay.runner import MenuCache, run_call
from ivr.replay.scripts import load_script
from ivr.source.diagnostics import IvrError
from ivr.traffic.fuzz import fuzz
from tests.conftest import MENUS

pytestmark = pytest.mark.slow

WORDS = string.ascii_letters + string.digits + " .,!?'-"
URDU = ["شکایت کے لیے ایک دبائیں۔", "خدا حافظ", "براہ کرم انتظار کریں۔"]
prompts = st.one_of(st.text(WORDS, min_size=1, max_size=60).filter(str.strip), st.sampled_from(URDU))
durations = st.one_of(st.integers(1, 30), st.sampled_from(["2s", "500ms", "1.5s", "10s"]))
FUZZ_AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@st.composite
def menu_data(draw: st.DrawFn) -> dict[str, Any]:
    """A valid menu: every reference names a node or queue that exists."""
    ids = [f"n{i}" for i in range(draw(st.integers(1, 10)))]
    queues = draw(st.lists(st.sampled_from(["billing", "tech", "general", "sales"]), min_size=1, unique=True))
    nodes: dict[str, Any] = {}
    for node_id in ids:
        kind = draw(st.sampled_from(["menu", "message", "queue", "hangup", "collect", "branch", "transfer"]))
        target = st.sampled_from(ids)
        if kind == "menu":
            keys = draw(st.lists(st.sampled_from("12345678"), min_size=1, max_size=5, unique=True))
            options = {key: draw(target) for key in keys}
            node = {"type": "menu", "prompt": draw(prompts), "options": options}
            if draw(st.booleans()):
                node["timeout"] = draw(durations)
        elif kind == "message":
            node = {"type": "message", "prompt": draw(prompts), "next": draw(target)}
        elif kind == "queue":
            node = {"type": "queue", "queue": draw(st.sampled_from(queues))}
        elif kind == "hangup":
            node = {"type": "hangup", "prompt": draw(prompts)}
        elif kind == "transfer":
            node = {"type": "transfer", "to": draw(st.sampled_from(["+15550100", "desk"]))}
        elif kind == "collect":
            low = draw(st.integers(1, 6))
            node = {
                "type": "collect",
                "prompt": draw(prompts),
                "variable": "entry",
                "min_digits": low,
                "max_digits": draw(st.integers(low, 12)),
                "next": draw(target),
            }
            if draw(st.booleans()):
                node["validate"] = {"pattern": draw(st.sampled_from([r"\d+", r"[1-9]\d*", r"(\d+)+$", r"12.*"]))}
        else:
            node = {
                "type": "branch",
                "cases": [{"when": {"var": "entry", "exists": True}, "goto": draw(target)}],
                "default": draw(target),
            }
        nodes[node_id] = node
    data: dict[str, Any] = {"name": "generated", "start": ids[0], "queues": {q: {} for q in queues}, "nodes": nodes}
    if draw(st.booleans()):
        data["defaults"] = {"max_attempts": draw(st.integers(1, 6)), "timeout": draw(durations)}
    return data


JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.floats(allow_nan=True), st.text(max_size=20),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[dict[str, Any]]) -> str:
    """A valid file with some values replaced, keys dropped or renamed, then its text cut and spliced."""
    data = draw(base)
    for _ in range(draw(st.integers(1, 4))):
        holder, key = _pick_slot(draw, data)
        action = draw(st.sampled_from(["replace", "drop", "rename", "add"]))
        if action == "replace":
            value = draw(JUNK)
            if isinstance(holder, list) and key >= len(holder):
                holder.append(value)  # an empty list (one an earlier step put there) has nothing to replace
            else:
                holder[key] = value
        elif action == "drop" and isinstance(holder, dict):
            holder.pop(key, None)
        elif action == "rename" and isinstance(holder, dict) and key in holder:
            holder[draw(st.text(min_size=1, max_size=8))] = holder.pop(key)
        elif isinstance(holder, dict):
            holder[draw(st.text(min_size=1, max_size=8))] = draw(JUNK)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(max_size=6)) + text[at + draw(st.integers(0, 6)) :]
    return text


def _pick_slot(draw: st.DrawFn, data: Any) -> tuple[Any, Any]:
    holder, key = data, None
    while True:
        keys = list(holder) if isinstance(holder, dict) else list(range(len(holder)))
        if not keys:
            return holder, 0 if isinstance(holder, list) else "x"
        key = draw(st.sampled_from(keys))
        if not isinstance(holder[key], dict | list) or draw(st.booleans()):
            return holder, key
        holder = holder[key]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _well_formed(error: IvrError) -> None:
    assert error.diagnostics, "an IvrError must say what is wrong"
    for problem in error.diagnostics:
        assert problem.line >= 1 and problem.col >= 1 and problem.message


GENERATED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@GENERATED
@given(data=menu_data(), seed=st.integers(0, 1000))
def test_a_valid_generated_menu_loads_and_survives_random_callers(data: dict[str, Any], seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        menu = load_menu(_write(Path(tmp), "menu.yaml", yaml.safe_dump(data, allow_unicode=True)))
    report = fuzz(menu, calls=40, seed=seed, at=FUZZ_AT)
    assert report.calls == 40
    broken = {key: f.detail for key, f in report.findings.items() if f.kind in ("crash", "never-ends")}
    assert not broken, broken


@GENERATED
@given(text=mutated(menu_data()))
def test_a_mutated_menu_raises_nothing_but_the_projects_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        try:
            load_menu(_write(Path(tmp), "menu.yaml", text))
        except IvrError as error:
            _well_formed(error)


@GENERATED
@given(raw=st.binary(max_size=400))
def test_any_bytes_raise_nothing_but_the_projects_error(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "menu.yaml"
        path.write_bytes(raw)
        try:
            load_menu(path)
        except IvrError as error:
            _well_formed(error)


step = st.one_of(
    st.builds(lambda k: {"press": k}, st.text("0123456789*#", min_size=1, max_size=6)),
    st.builds(lambda s: {"silence": s}, st.integers(1, 20)),
    st.builds(lambda n: {"expect": {"node": n}}, st.sampled_from(["main", "hours", "welcome"])),
    st.builds(lambda p: {"expect": {"prompt": p}}, st.text(WORDS, min_size=1, max_size=20).filter(str.strip)),
    st.builds(lambda q: {"expect": {"queued": q}}, st.sampled_from(["identity", "hardware", "network"])),
    st.just("hangup"),
)
script_data = st.builds(
    lambda calls: {
        "menu": "it-helpdesk.yaml",
        "defaults": {"world": {"at": "2026-11-24T10:00"}},
        "calls": [{"name": f"call {i}", "steps": steps} for i, steps in enumerate(calls)],
    },
    st.lists(st.lists(step, min_size=1, max_size=8), min_size=1, max_size=4),
)
HELPDESK = (MENUS / "it-helpdesk.yaml").read_text(encoding="utf-8")


@GENERATED
@given(data=script_data)
def test_a_valid_generated_script_loads_and_replays_to_a_verdict(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp), "it-helpdesk.yaml", HELPDESK)
        script = load_script(_write(Path(tmp), "gen.call.yaml", yaml.safe_dump(data, allow_unicode=True)))
        cache = MenuCache()
        results = [run_call(script, index, cache) for index in range(len(data["calls"]))]
    for result in results:
        failure = result.failure
        assert failure is None or (failure.line >= 1 and failure.expected and failure.actual), failure


@GENERATED
@given(text=mutated(script_data))
def test_a_mutated_script_raises_nothing_but_the_projects_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp), "it-helpdesk.yaml", HELPDESK)
        try:
            load_script(_write(Path(tmp), "gen.call.yaml", text))
        except IvrError as error:
            _well_formed(error)
