"""`ivr replay` on a generated suite of many calls on a menu with a centre (issue "one live call").

The suite: N calls on the bundled customer-service line (which has representatives), cycling through
call shapes that walk to a queue (with digit entry and confirmation), reach a person with 0, and hang up
in a menu. Every call runs on the line with its floor, as `ivr replay` runs it. Reported:

- the in-process replay loop (`run_suite`), calls a second;
- the command end to end (`ivr replay FOLDER`, results printed), calls a second, start-up included.

Target: >= 3,000 calls/s on one core for the command. The figure before the issue (9e8c873, a machine
built per call) is kept below, measured on this machine with this same suite of 10,000 calls.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import run_all

ROOT = Path(__file__).resolve().parent.parent
BEFORE = {"loop": 323, "command": 269}  # calls/s at 9e8c873, 10,000 calls, this machine

SHAPES = [
    ["{ press: 1 1 1 }", "{ press: 1234567897# }", "{ press: 1 }", "{ expect: { queued: billing } }"],
    ["{ press: 1 0 }", "{ expect: { queued: general, prompt: Please hold } }"],
    ["{ press: 1 2 1 }", "{ press: 12345678# }", "{ press: 1 }", "{ expect: { queued: orders } }"],
    ["{ press: 2 1 2 }", "{ expect: { queued: complaints } }"],
    ["{ press: 1 4 3 }", "{ expect: { queued: tech_mobile } }"],
    ["{ press: 1 }", "hangup", "{ expect: { hung_up: caller } }"],
]


def write_suite(folder: Path, calls: int) -> Path:
    """A script with ``calls`` calls on a copy of the bundled menu, in ``folder``."""
    for name in ("customer-service.yaml", "account-number.yaml"):
        shutil.copy(ROOT / "menus" / name, folder / name)
    lines = ["menu: customer-service.yaml", "defaults: { world: { at: 2026-11-24T10:00 } }", "calls:"]
    for number in range(calls):
        steps = ", ".join(SHAPES[number % len(SHAPES)])
        lines.append(f"  - {{ name: call {number}, steps: [{steps}] }}")
    script = folder / "generated.call.yaml"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return script


def replay_suite(quick: bool) -> dict[str, Any]:
    from ivr.replay.suite import run_suite

    calls = 2_000 if quick else 10_000
    folder = Path(tempfile.mkdtemp(prefix="ivr-replay-bench-"))
    try:
        script = write_suite(folder, calls)
        started = time.perf_counter()
        suite = run_suite([script])
        loop = calls / (time.perf_counter() - started)
        failed = sum(not r.passed for r in suite.results)
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "ivr", "replay", str(script)], cwd=folder, capture_output=True, text=True
        )
        command = calls / (time.perf_counter() - started)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    passed_line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    return {
        "name": f"ivr replay on a generated suite of {calls:,} calls (menu with a centre)",
        "in_process_calls_per_second": round(loop),
        "command_calls_per_second": round(command),
        "before_issue": BEFORE,
        "command_exit": result.returncode,
        "summary": passed_line,
        "failed": failed,
        "target": ">= 3,000 calls/s on one core, end to end",
        "met": command >= 3000 and failed == 0 and result.returncode == 0,
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    return run_all((replay_suite,), quick)


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
