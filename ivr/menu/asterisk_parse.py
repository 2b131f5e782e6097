"""Reading an Asterisk configuration file: comments, `[context]` headers, and the dialplan's
`exten =>` / `same =>` lines as each extension's priorities (an application and its arguments)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ivr.menu.imported import MenuDraft

MAX_LINES = 200_000
_LINE = re.compile(r"^\s*(exten|same)\s*=>?\s*(.*)$", re.IGNORECASE)
CONTEXT = re.compile(r"^\s*\[([^\]]+)\]")
_APP = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$", re.DOTALL)
_PRIORITY = re.compile(r"^\s*(\d+|n|hint)\s*(?:\((\w+)\))?\s*$", re.IGNORECASE)


@dataclass
class Step:
    app: str  # lower case, as the importer matches it
    args: list[str]
    label: str | None
    line: int
    written: str = ""  # the application as the file writes it, for warnings

    def __str__(self) -> str:
        return f"{self.written or self.app}({','.join(self.args)})"


@dataclass
class Context:
    name: str
    extensions: dict[str, list[Step]] = field(default_factory=dict)


def strip_comment(line: str) -> str:
    """The line without its comment (`;`, unless written `\\;`)."""
    return re.split(r"(?<!\\);", line, maxsplit=1)[0].replace("\\;", ";").rstrip()


def split_args(text: str) -> list[str]:
    """An application's arguments, split on commas outside quotes, brackets and ${...}."""
    parts, depth, quoted, current = [], 0, False, ""
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "([{":
            depth += 1
        elif not quoted and char in ")]}":
            depth -= 1
        if char == "," and depth <= 0 and not quoted:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def parse_dialplan(text: str, draft: MenuDraft) -> dict[str, Context]:
    """Contexts, extensions and their priorities in file order; what cannot be read is warned about."""
    contexts: dict[str, Context] = {}
    current: Context | None = None
    last_ext: str | None = None
    for number, raw in enumerate(text.splitlines()[:MAX_LINES], 1):
        line = strip_comment(raw)
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            draft.warn(f"line {number}", f"{line.strip()!r} reads other files: not followed")
            continue
        if (header := CONTEXT.match(line)) is not None:
            current = contexts.setdefault(header.group(1).strip(), Context(header.group(1).strip()))
            last_ext = None
            continue
        match = _LINE.match(line)
        if match is None and current is not None and current.name == "globals" and "=" in line:
            name, _, value = line.partition("=")
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name.strip()) and "$" not in value:
                draft.variables[name.strip().lower()] = value.strip()  # `${NAME}` in prompts says it
            continue
        if match is None or current is None:
            continue  # settings (general), include, switch, ignorepat
        kind, rest = match.group(1).lower(), match.group(2)
        if kind == "exten":
            ext, _, rest = rest.partition(",")
            last_ext = ext.strip()
        elif last_ext is None:
            draft.warn(f"line {number}", "`same =>` with no extension before it: left out")
            continue
        assert last_ext is not None
        priority, _, call = rest.partition(",")
        found, app = _PRIORITY.match(priority), _APP.match(call)
        if found is None or app is None or found.group(1).lower() == "hint":
            continue
        step = Step(app.group(1).lower(), split_args(app.group(2) or ""), found.group(2), number, app.group(1))
        current.extensions.setdefault(last_ext, []).append(step)
    return contexts
