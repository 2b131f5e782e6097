"""`ivr simulate` on the bundled customer-service line, whose background callers walk the menu (issue "a floor
simulation that is fast"): every caller listens to the prompts, chooses by the traffic's weights, types
account numbers and confirms them, on the line's one shared machine, before joining a queue.

Reported: calls a second of the simulation itself (menu walks and floor together, the menu loaded once),
and of the command end to end (`ivr simulate ... --json`, start-up and output included).
Target: >= 20,000 calls/s.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.report import run_all

ROOT = Path(__file__).resolve().parent.parent
MENU = ROOT / "menus" / "customer-service.yaml"
START = "2026-11-23T00:00"  # a Monday, from midnight: every hour of the traffic profile


def walking_callers(quick: bool) -> dict[str, Any]:
    from ivr.menu import load_menu
    from ivr.traffic.simulation import simulate

    menu = load_menu(MENU)
    hours = 24 if quick else 7 * 24
    start = datetime.fromisoformat(START).replace(tzinfo=ZoneInfo("Asia/Karachi"))
    result = simulate(menu, hours, 1, start)
    rate = result.calls / result.wall_seconds
    command = [sys.executable, "-m", "ivr", "simulate", str(MENU), "--hours", str(hours), "--start", START, "--json"]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    shown = json.loads(out.stdout)
    return {
        "name": "ivr simulate on the customer-service line, callers walking the menu",
        "hours": hours,
        "calls": result.calls,
        "engine": result.engine,
        "calls_per_second": round(rate),
        "command_calls": shown["calls"],
        "command_wall_seconds": shown["wall_seconds"],
        "target": ">= 20,000 calls/s",
        "met": rate >= 20_000 and shown["calls"] == result.calls,
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    return run_all((walking_callers,), quick)


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
