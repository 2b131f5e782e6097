"""`ivr load` as callers grow: time per caller from 1,000 to 100,000 callers, and peak memory.

Each size runs in a fresh process (so each peak RSS is its own) on the bundled customer-service menu at
20 calls a second, as `ivr load menus/customer-service.yaml --callers N --rate 20/s` does.
Targets: time per caller within 1.3x from 1,000 to 100,000 callers; 100,000 callers under 100 MB RSS.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from bench.report import run_all

MENU = "menus/customer-service.yaml"


def _one(callers: int) -> dict[str, float]:
    code = (
        "import json, time\n"
        "from datetime import datetime, timezone\n"
        "from bench.memory import peak_rss_mb\n"
        "from ivr.menu import load_menu\n"
        "from ivr.traffic.load import run_load\n"
        f"menu = load_menu({MENU!r})\n"
        "started = time.perf_counter()\n"
        f"report = run_load(menu, {callers}, 20.0, 1, datetime(2026, 11, 25, 9, tzinfo=timezone.utc))\n"
        "seconds = time.perf_counter() - started\n"
        f"print(json.dumps({{'us_per_caller': round(seconds / {callers} * 1e6, 1), 'seconds': round(seconds, 2),"
        " 'rss_mb': peak_rss_mb(), 'completed': report.completed}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def scaling(quick: bool) -> dict[str, Any]:
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    runs = {f"{n:,} callers": _one(n) for n in sizes}
    per_caller = [r["us_per_caller"] for r in runs.values()]
    spread = max(per_caller) / min(per_caller)
    largest = runs[f"{sizes[-1]:,} callers"]
    return {
        "name": "ivr load: time per caller and memory as callers grow",
        "runs": runs,
        "spread": round(spread, 2),
        "target": "time per caller within 1.3x from 1,000 to 100,000 callers; 100,000 under 100 MB RSS",
        "met": spread <= 1.3 and (quick or largest["rss_mb"] < 100),
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    return run_all((scaling,), quick)


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
