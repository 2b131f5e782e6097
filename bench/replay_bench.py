"""Scripted-calls benchmarks (scripts issue).

- replay throughput on the bundled suite (scripts/): calls replayed per second on one core, menus loaded
  once (as `ivr replay` does). Target: >= 1,000 calls/s.
- 10,000 simultaneous callers in load mode on the generated 1,000-node menu (with representatives):
  peak RSS of the process, measured in a fresh process. Target: < 500 MB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.report import run_all

ROOT = Path(__file__).resolve().parent.parent


def replay_throughput(quick: bool) -> dict[str, Any]:
    from ivr.replay.runner import MenuCache, run_call
    from ivr.replay.scripts import find_scripts, load_script

    files, _ = find_scripts([ROOT / "scripts"])
    scripts = [load_script(path) for path in files]
    cache = MenuCache()
    jobs = [(script, index) for script in scripts for index in range(len(script.file.calls))]
    for script, index in jobs:  # warm: menus loaded, machines built
        run_call(script, index, cache)
    rounds = 3 if quick else 20
    started = time.perf_counter()
    failed = 0
    for _ in range(rounds):
        for script, index in jobs:
            failed += not run_call(script, index, cache).passed
    seconds = time.perf_counter() - started
    rate = rounds * len(jobs) / seconds
    return {
        "name": "replay throughput on the bundled suite",
        "calls": rounds * len(jobs),
        "calls_per_second": round(rate),
        "failed": failed,
        "target": ">= 1,000 calls/s on one core",
        "met": rate >= 1000 and failed == 0,
    }


def load_memory(quick: bool) -> dict[str, Any]:
    callers = 2_000 if quick else 10_000
    code = (
        "import json, tempfile, time\n"
        "from bench.memory import peak_rss_mb\n"
        "from pathlib import Path\n"
        "from datetime import datetime, timezone\n"
        "from bench.generate import write_menu\n"
        "from ivr.menu import load_menu\n"
        "from ivr.traffic.load import run_load\n"
        "menu = load_menu(write_menu(Path(tempfile.mkdtemp()), 1000, centre=True))\n"
        "started = time.perf_counter()\n"
        f"report = run_load(menu, {callers}, 2000.0, 1, datetime(2026, 1, 6, 10, tzinfo=timezone.utc))\n"
        "print(json.dumps({'seconds': round(time.perf_counter() - started, 1),"
        " 'peak_concurrent': report.peak_concurrent, 'completed': report.completed,"
        " 'abandoned': report.abandoned, 'failed': sum(report.failed.values()),"
        " 'rss_mb': round(peak_rss_mb(), 1)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    figures = json.loads(out.stdout)
    return {
        "name": f"{callers:,} simultaneous callers in load mode, 1,000-node menu",
        **figures,
        "target": "< 500 MB RSS with 10,000 callers at once",
        "met": figures["rss_mb"] < 500 and (quick or figures["peak_concurrent"] >= 10_000),
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    return run_all((replay_throughput, load_memory), quick)
