"""Hardening benchmark (hardening issue): every malformed file is refused in under a second.

Each file of ``tests/corpus/`` is given to the real command in a fresh process (``ivr check`` for menus,
``ivr replay`` for scripts), as a user would run it, and the wall time to exit 2 is taken. Two files are
made on the spot because they are too big to keep in git: a 50 MB menu, and the worst case the size
limit still lets through, a menu just under 2 MB whose only error is on its last line. Target: the
slowest file under 1 s, startup of the interpreter included.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import run_all

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"


def _big_files(folder: Path) -> list[Path]:
    huge = folder / "huge-50mb.yaml"
    with huge.open("wb") as handle:
        handle.write(b"name: huge\nnodes:\n  n: {type: hangup, prompt: '" + b"x" * (50 << 20) + b"'}\n")
    limit = 2 << 20
    node = "  n{i}:\n    type: message\n    prompt: Message number {i} of a long line.\n    next: n{j}\n"
    parts = ["name: near-limit\nstart: n0\nnodes:\n"]
    size, i = len(parts[0]), 0
    while size < limit - 200:
        parts.append(node.format(i=i, j=i + 1))
        size += len(parts[-1])
        i += 1
    parts.append(f"  n{i}:\n    type: hangup\n    prompt: [unclosed\n")
    near = folder / "near-limit-2mb.yaml"
    near.write_text("".join(parts), encoding="utf-8")
    return [huge, near]


def _time(args: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "ivr", *args], capture_output=True, cwd=ROOT, timeout=60)
    return time.perf_counter() - started, done.returncode


def corpus_refusal(quick: bool) -> dict[str, Any]:
    menus = sorted(CORPUS.glob("menus/*.yaml"))
    scripts = sorted(CORPUS.glob("scripts/*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        made = _big_files(Path(tmp))
        jobs = [["check", str(p)] for p in [*menus, *made]] + [["replay", str(p)] for p in scripts]
        if quick:
            jobs = jobs[::5] + [["check", str(p)] for p in made]
        timed = [(args[1], *_time(args)) for args in jobs]
    seconds = [t for _, t, _ in timed]
    slowest = sorted(timed, key=lambda row: -row[1])[:3]
    wrong = [Path(name).name for name, _, code in timed if code != 2]
    baseline = _time(["--version"])[0]
    return {
        "name": "malformed files refused",
        "target": "every corpus file, the 50 MB one included, exits 2 in < 1 s",
        "files": len(timed),
        "median_s": round(statistics.median(seconds), 3),
        "slowest": {Path(name).name: f"{t:.3f} s" for name, t, _ in slowest},
        "interpreter_and_import_s": round(baseline, 3),
        "not_exit_2": wrong,
        "met": max(seconds) < 1.0 and not wrong,
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    return run_all([corpus_refusal], quick)


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
