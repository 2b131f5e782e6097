"""Menu and call engine benchmarks (foundation issue).

- a key press through the engine vs a bare ``transitions`` trigger on the same machine: target <= 1.2x;
- starting a call on generated 100 / 1,000 / 10,000-node menus: target < 1 ms and flat;
- loading + validating generated 1,000 / 5,000 / 10,000-node menus: target < 2 s at 10,000, linear.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench.generate import write_menu
from bench.report import run_all
from ivr.call import Engine, SimClock
from ivr.menu import load_menu

PING_PONG = """\
name: ping-pong
start: a
defaults: { representative: a }
nodes:
  a: { type: menu, prompt: "For b, press 1.", options: { "1": b } }
  b: { type: menu, prompt: "For a, press 1.", options: { "1": a } }
"""


def best_of(repeats: int, func: Callable[[], float]) -> float:
    return min(func() for _ in range(repeats))


def per_call(n: int, action: Callable[[], Any]) -> float:
    """Seconds per call of ``action``, timing ``n`` calls in a row."""
    start = time.perf_counter()
    for _ in range(n):
        action()
    return (time.perf_counter() - start) / n


def key_press(folder: Path, quick: bool) -> dict[str, Any]:
    path = folder / "ping-pong.yaml"
    path.write_text(PING_PONG)
    engine = Engine(load_menu(path))
    n = 5_000 if quick else 50_000
    call = engine.start_call(keep_transcript=False)
    bare_model = SimpleNamespace(state="a")
    event = engine.machine.events["press:1"]
    # Interleave the two so drift in machine load hits both alike.
    engine_times, bare_times = [], []
    for _ in range(5 if quick else 9):
        engine_times.append(per_call(n, lambda: call.press("1")))
        bare_times.append(per_call(n, lambda: event.trigger(bare_model)))
    engine_s, bare_s = statistics.median(engine_times), statistics.median(bare_times)
    ratio = engine_s / bare_s
    return {
        "name": "key press: engine vs bare transitions trigger",
        "engine_us": round(engine_s * 1e6, 2),
        "bare_trigger_us": round(bare_s * 1e6, 2),
        "ratio": round(ratio, 2),
        "target": "<= 1.2x",
        "met": ratio <= 1.2,
    }


def call_start(folder: Path, quick: bool) -> dict[str, Any]:
    sizes = (100, 1_000, 10_000)
    micros: dict[int, float] = {}
    add_model_ms = 0.0
    for size in sizes:
        engine = Engine(load_menu(write_menu(folder, size)))
        clock = SimClock()
        n = 500 if quick else 5_000
        micros[size] = best_of(5, lambda e=engine, c=clock, n=n: per_call(n, lambda: e.start_call(None, c))) * 1e6
        if size == 1_000:  # what the avoided pattern would cost: binding is_<state> per state per caller
            started = time.perf_counter()
            engine.machine.add_model(SimpleNamespace(), initial=engine.menu.start)
            add_model_ms = (time.perf_counter() - started) * 1e3
    flat = micros[10_000] / micros[100]
    return {
        "name": "start a call",
        "us_by_menu_nodes": {str(k): round(v, 1) for k, v in micros.items()},
        "growth_100_to_10000": round(flat, 2),
        "add_model_on_1000_nodes_ms_for_comparison": round(add_model_ms, 2),
        "target": "< 1 ms at 1,000 nodes, flat from 100 to 10,000",
        "met": micros[1_000] < 1_000 and flat < 1.5,
    }


def load(folder: Path, quick: bool) -> dict[str, Any]:
    sizes = (1_000, 5_000, 10_000)
    seconds: dict[int, float] = {}
    nodes: dict[int, int] = {}
    for size in sizes:
        path = write_menu(folder, size)
        nodes[size] = len(load_menu(path).nodes)

        def once(p: Path = path) -> float:
            started = time.perf_counter()
            load_menu(p)
            return time.perf_counter() - started

        seconds[size] = best_of(2 if quick else 3, once)
    per_node = {size: seconds[size] / nodes[size] * 1e6 for size in sizes}
    linear = per_node[10_000] / per_node[1_000]
    return {
        "name": "load + validate a generated menu",
        "seconds_by_menu_nodes": {str(nodes[k]): round(v, 3) for k, v in seconds.items()},
        "us_per_node": {str(nodes[k]): round(v, 1) for k, v in per_node.items()},
        "per_node_growth_1000_to_10000": round(linear, 2),
        "target": "< 2 s at 10,000 nodes, linear",
        "met": seconds[10_000] < 2.0 and linear < 1.5,
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        return run_all([partial(bench, folder) for bench in (key_press, call_start, load)], quick)
