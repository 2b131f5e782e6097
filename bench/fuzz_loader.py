"""Coverage-guided fuzzing of the menu and script loaders (hardening issue): `make fuzz`.

Atheris (libFuzzer for Python) mutates the malformed corpus and the bundled menus and scripts; each input
is written to a file and loaded the way `ivr check` and `ivr replay` load it. Anything raised other than
the project's own :class:`IvrError` is a bug: libFuzzer stops, prints the exception and saves the input
as ``crash-*`` in the working folder. A hang (over 10 s on one input) or 2 GB of memory counts too.
Target: 100,000 inputs with no crash. Without atheris (it has no wheel for every Python), the same
target runs on hypothesis's byte mutations instead, with the same oracle.

    python -m bench.fuzz_loader [--runs N]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [
    *sorted((ROOT / "tests" / "corpus").glob("*/*.yaml")),
    *sorted((ROOT / "menus").glob("*.yaml")),
    *sorted((ROOT / "scripts").glob("*/*.call.yaml")),
]


def _oracle(folder: Path) -> Any:
    """One input in, loaded as a menu and as a script; only IvrError may come out."""
    from ivr.menu.loader import load_menu
    from ivr.replay.scripts import load_script
    from ivr.source.diagnostics import IvrError

    menu = folder / "menu.yaml"
    script = folder / "fuzz.call.yaml"

    def one_input(data: bytes) -> None:
        menu.write_bytes(data)
        script.write_bytes(data)
        for load, path in ((load_menu, menu), (load_script, script)):
            try:
                load(path)
            except IvrError as exc:
                if not exc.diagnostics:
                    raise AssertionError("IvrError without a diagnostic") from None
                for problem in exc.diagnostics:
                    if problem.line < 1 or problem.col < 1 or not problem.message:
                        raise AssertionError(f"diagnostic without a place or message: {problem}") from None

    return one_input


def _atheris_child(runs: int, seeds: Path, work: Path) -> None:
    import atheris

    with atheris.instrument_imports(include=["ivr"]):
        one_input = _oracle(work)
    argv = [sys.argv[0], f"-runs={runs}", "-timeout=10", "-rss_limit_mb=2048", "-max_len=65536", str(seeds)]
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


def _hypothesis_child(runs: int, work: Path) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    one_input = _oracle(work)
    seeds = [p.read_bytes()[:65536] for p in SEEDS]

    def mutate(seed: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
        data = bytearray(seed)
        for where, cut, insert in edits:
            at = where % (len(data) + 1)
            data[at : at + cut] = insert
        return bytes(data)

    edits = st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 8), st.binary(max_size=8)), max_size=6)
    inputs = st.one_of(st.binary(max_size=2048), st.builds(mutate, st.sampled_from(seeds), edits))
    count = [0]

    @settings(max_examples=runs, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(inputs)
    def fuzz(data: bytes) -> None:
        count[0] += 1
        one_input(data)

    started = time.perf_counter()
    fuzz()
    print(f"Done {count[0]} runs in {time.perf_counter() - started:.0f} second(s) (hypothesis)", file=sys.stderr)


def run_fuzz(runs: int) -> dict[str, Any]:
    """Fuzz in a child process (libFuzzer exits the process when done) and read its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        seeds, work = Path(tmp) / "seeds", Path(tmp) / "work"
        seeds.mkdir()
        work.mkdir()
        for index, path in enumerate(SEEDS):  # a copy: libFuzzer adds new inputs to its corpus folder
            shutil.copyfile(path, seeds / f"{index:03d}-{path.name}")
        engine = "atheris" if _has_atheris() else "hypothesis"
        started = time.perf_counter()
        child = subprocess.run(
            [sys.executable, "-m", "bench.fuzz_loader", "--child", engine, str(runs), str(seeds), str(work)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        seconds = time.perf_counter() - started
        grown = len(list(seeds.iterdir())) - len(SEEDS)
    done = re.search(r"Done (\d+) runs in (\d+) second", child.stderr)
    executed = int(done.group(1)) if done else 0
    crashed = child.returncode != 0
    if crashed:
        sys.stderr.write(child.stderr[-4000:])
    coverage = re.findall(r"cov: (\d+)", child.stderr)
    return {
        "name": "loader fuzzing",
        "target": f"{runs:,} inputs through load_menu and load_script, nothing but IvrError raised",
        "engine": engine,
        "inputs_run": executed,
        "seconds": round(seconds, 1),
        "inputs_per_s": round(executed / seconds) if seconds else 0,
        "coverage_edges": int(coverage[-1]) if coverage else None,
        "new_corpus_inputs": grown if engine == "atheris" else None,
        "seeds": len(SEEDS),
        "met": not crashed and executed >= runs,
    }


def _has_atheris() -> bool:
    try:
        import atheris  # noqa: F401
    except ImportError:
        return False
    return True


def run(quick: bool = False) -> list[dict[str, Any]]:
    from bench.report import run_all

    return run_all([lambda q: run_fuzz(2_000 if q else 100_000)], quick)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        engine, runs, seeds, work = sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5])
        if engine == "atheris":
            _atheris_child(runs, seeds, work)
        else:
            _hypothesis_child(runs, work)
        return
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz_loader", description=__doc__)
    parser.add_argument("--runs", type=int, default=100_000)
    args = parser.parse_args()
    from bench.report import run_all

    results = run_all([lambda _: run_fuzz(args.runs)], False)
    if not all(r["met"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
