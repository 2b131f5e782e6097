"""Generate large, valid menus for benchmarks: a tree of 3-option menus with messages and queues."""

from __future__ import annotations

import sys
from pathlib import Path

CENTRE = """centre:
  handle_time: 180s
  patience: 120s
  agents:
    - { name: General, count: 20, skills: { general: 1 } }
    - { name: Q, count: 30, skills: { q0: 1, q1: 1, q2: 1 } }
"""


def generate_menu(nodes: int, centre: bool = False) -> str:
    """YAML text of a menu with about ``nodes`` nodes (at least 10), lint-clean.

    With ``centre`` it also has representatives for its queues, for load runs."""
    nodes = max(nodes, 10)
    lines = [
        "version: 1",
        f"name: generated-{nodes}",
        "languages: [en, ur]",
        "start: m0",
        "defaults:",
        "  representative: agent",
        "  timeout: 5s",
        "queues:",
        "  general: { description: everyone }",
        "  q0: {}",
        "  q1: {}",
        "  q2: {}",
        "nodes:",
        "  agent:",
        "    type: queue",
        "    queue: general",
        "    prompt: { en: Please hold., ur: براہِ کرم انتظار کیجیے۔ }",
    ]
    menus = (nodes - 1) // 5  # each menu brings a message and three more nodes on average
    for i in range(menus):
        lines += [
            f"  m{i}:",
            "    type: menu",
            "    prompt:",
            "      en: For sales, press 1. For service, press 2. For support, press 3.",
            "      ur: فروخت کے لیے 1 دبائیں۔ سروس کے لیے 2 دبائیں۔ مدد کے لیے 3 دبائیں۔",
            "    options:",
        ]
        after: list[str] = []
        for key in (1, 2, 3):
            child = 3 * i + key
            target = f"m{child}" if child < menus else f"q{i}_{key}"
            lines.append(f'      "{key}": {{ goto: i{i}_{key}, set: {{ choice: "{key}" }} }}')
            after += [
                f"  i{i}_{key}:",
                "    type: message",
                f"    prompt: {{ en: You chose {key}., ur: آپ نے {key} منتخب کیا۔ }}",
                f"    next: {target}",
            ]
            if child >= menus:
                after += [f"  q{i}_{key}:", "    type: queue", f"    queue: q{key - 1}"]
        lines += after
    return "\n".join(lines) + "\n" + (CENTRE if centre else "")


def write_menu(folder: Path, nodes: int, centre: bool = False) -> Path:
    path = folder / f"generated-{nodes}{'-centre' if centre else ''}.yaml"
    path.write_text(generate_menu(nodes, centre), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.stdout.write(generate_menu(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
