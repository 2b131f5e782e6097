"""Draw a menu as Mermaid or Graphviz DOT, with timeout, no-match and attempts-used-up paths shown."""

from __future__ import annotations

import json
import re

from ivr.menu.compiled import CompiledNode, Menu
from ivr.menu.conditions import describe
from ivr.menu.lookup_model import LookupNode
from ivr.menu.model import BranchNode, CollectNode, QueueNode, SplitNode, SubmenuNode, SurveyNode, TransferNode
from ivr.menu.text import pick

FORMATS = ("mermaid", "dot")

# Mermaid shapes per node kind: (open, close).
_MERMAID_SHAPES = {
    "menu": ("{{", "}}"),
    "collect": ("[/", "/]"),
    "message": ("[", "]"),
    "branch": ("{", "}"),
    "split": ("{", "}"),
    "lookup": ("[(", ")]"),
    "record": ("[/", "/]"),
    "queue": ("([", "])"),
    "transfer": ("[[", "]]"),
    "hangup": ("((", "))"),
    "submenu": ("[[", "]]"),
    "return": ("(", ")"),
    "survey": ("[\\", "/]"),
}
_DOT_SHAPES = {
    "menu": "hexagon",
    "collect": "parallelogram",
    "message": "box",
    "branch": "diamond",
    "split": "diamond",
    "lookup": "tab",
    "record": "parallelogram",
    "queue": "cylinder",
    "transfer": "box3d",
    "hangup": "doublecircle",
    "submenu": "component",
    "return": "oval",
    "survey": "trapezium",
}
_EDGE_STYLE = {
    "option": "-->",
    "next": "-->",
    "case": "-->",
    "default": "-.->",
    "key": "-.->",
    "exhausted": "-.->",
    "after": "==>",
}


def _summary(node: CompiledNode, menu: Menu, width: int = 48) -> str:
    spec = node.spec
    prompt = getattr(spec, "prompt", None)
    text = pick(prompt, menu.default_language, menu.default_language) if prompt else ""
    match spec:
        case QueueNode():
            text = f"queue: {spec.queue}"
        case TransferNode():
            text = f"transfer to {spec.to}"
        case SubmenuNode():
            text = f"sub-menu {spec.file}"
        case CollectNode():
            text = f"collect {spec.variable} ({spec.min_digits}-{spec.max_digits} digits)"
        case SurveyNode():
            text = "survey: " + ", ".join(q.id for q in spec.questions)
        case SplitNode():
            text = "A/B split: " + " / ".join(spec.shares)
        case LookupNode():
            text = f"ask {spec.service}"
        case BranchNode():
            text = "if " + "; or ".join(describe(case.when) for case in spec.cases)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _failure_label(node: CompiledNode) -> str:
    s = node.settings
    assert s is not None
    return f"no input ×{s.max_no_input} / no match ×{s.max_no_match} / {s.max_attempts} tries"


def _mermaid_id(node_id: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", node_id)


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(menu: Menu) -> str:
    """A Mermaid flowchart of the whole menu."""
    lines = ["flowchart TD", f"  %% {menu.name} ({menu.path})"]
    for node in menu.nodes.values():
        left, right = _MERMAID_SHAPES[node.kind]
        summary = _summary(node, menu)
        label = f"<b>{node.id}</b><br/>{summary}" if summary else f"<b>{node.id}</b>"
        lines.append(f'  {_mermaid_id(node.id)}{left}"{_mermaid_text(label)}"{right}')
    dropped = [n for n in menu.nodes.values() if n.settings is not None and n.settings.on_exhausted is None]
    if dropped:
        lines.append('  dropped(("call dropped"))\n  classDef drop fill:#f5b7b1;\n  class dropped drop;')
    for node in dropped:
        lines.append(f'  {_mermaid_id(node.id)} -.->|"{_failure_label(node)}"| dropped')
    for node in menu.nodes.values():
        for edge in menu.edges.get(node.id, ()):
            if edge.kind == "back":
                continue
            label = edge.label
            if edge.kind == "exhausted" and node.settings is not None:
                label = _failure_label(node)
            arrow = _EDGE_STYLE.get(edge.kind, "-->")
            text = f'|"{_mermaid_text(label)}"|' if label else ""
            lines.append(f"  {_mermaid_id(edge.source)} {arrow}{text} {_mermaid_id(edge.target)}")
    lines.append(f"  classDef start stroke-width:3px;\n  class {_mermaid_id(menu.start)} start;")
    for kind, colour in (("queue", "#d6f5d6"), ("transfer", "#d6e9f5"), ("hangup", "#f5d6d6")):
        ids = [_mermaid_id(n.id) for n in menu.nodes.values() if n.kind == kind]
        if ids:
            lines.append(f"  classDef {kind} fill:{colour};\n  class {','.join(ids)} {kind};")
    return "\n".join(lines) + "\n"


def to_dot(menu: Menu) -> str:
    """A Graphviz digraph of the whole menu."""

    def q(text: str) -> str:  # DOT strings accept JSON escaping for quotes and backslashes
        return json.dumps(text, ensure_ascii=False)

    lines = [f"digraph {q(menu.name)} {{", "  rankdir=TB;", '  node [fontname="Helvetica"];']
    for node in menu.nodes.values():
        summary = _summary(node, menu)
        label = (f"{node.id}\\n{summary}" if summary else node.id).replace('"', "'")
        extra = ", penwidth=3" if node.id == menu.start else ""
        lines.append(f'  {q(node.id)} [shape={_DOT_SHAPES[node.kind]}, label="{label}"{extra}];')
    for node in menu.nodes.values():
        for edge in menu.edges.get(node.id, ()):
            if edge.kind == "back":
                continue
            label = _failure_label(node) if edge.kind == "exhausted" and node.settings else edge.label
            style = ", style=dashed" if edge.kind in ("key", "exhausted", "default") else ""
            lines.append(f"  {q(edge.source)} -> {q(edge.target)} [label={q(label)}{style}];")
        if node.settings is not None and node.settings.on_exhausted is None:
            lines.append('  "(dropped)" [shape=octagon, color=red, label="call dropped"];')
            lines.append(f'  {q(node.id)} -> "(dropped)" [label={q(_failure_label(node))}, color=red, style=dashed];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(menu: Menu, fmt: str) -> str:
    return to_mermaid(menu) if fmt == "mermaid" else to_dot(menu)
