"""Run every benchmark and print its figures against its target: `make bench` or `python -m bench`."""

from __future__ import annotations

import argparse
import json
import sys

from bench import (
    centre_bench,
    corpus_bench,
    engine_bench,
    floor_bench,
    load_bench,
    replay_bench,
    replay_suite_bench,
    simulate_bench,
    tui_bench,
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args()
    results = [
        *engine_bench.run(quick=args.quick),
        *centre_bench.run(quick=args.quick),
        *floor_bench.run(quick=args.quick),
        *load_bench.run(quick=args.quick),
        *simulate_bench.run(quick=args.quick),
        *replay_bench.run(quick=args.quick),
        *replay_suite_bench.run(quick=args.quick),
        *tui_bench.run(quick=args.quick),
        *corpus_bench.run(quick=args.quick),
    ]
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        sys.stdout.write("\n")
    failed = [r["name"] for r in results if not r["met"]]
    if failed:
        print(f"targets missed: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
