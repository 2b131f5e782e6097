"""Run a group of benchmarks and print each against its target."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def run_all(benches: Iterable[Callable[[bool], dict[str, Any]]], quick: bool) -> list[dict[str, Any]]:
    results = []
    for bench in benches:
        result = bench(quick)
        results.append(result)
        print(f"{result['name']}: {'met' if result['met'] else 'MISSED'} (target {result['target']})")
        for key, value in result.items():
            if key in ("name", "met", "target"):
                continue
            if isinstance(value, dict):
                print(f"    {key}:")
                for inner, figures in value.items():
                    print(f"        {inner}: {figures}")
            else:
                print(f"    {key}: {value}")
    return results
