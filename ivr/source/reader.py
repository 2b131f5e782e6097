"""Read YAML the careful way: positions for every value, no silent duplicate keys, no alias bombs.

PyYAML's ``safe_load`` keeps the last of two duplicate keys without a word and expands aliases without a
limit; its C composer also recurses per nesting level and crashes the interpreter on deep nesting. This
module builds plain Python values straight from the parser's event stream instead, which lets it record
where each value came from, refuse duplicates, bound nesting and bound alias expansion, all in one pass.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml import events

from ivr.source.diagnostics import Diagnostic, IvrError
from ivr.source.raw_text import decode, read_bounded
from ivr.source.textguard import check_text

MAX_DEPTH = 64
MAX_EXPANDED_VALUES = 1_000_000
_TOO_DEEP = f"nesting is deeper than {MAX_DEPTH} levels"

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# libyaml's parser run on its own, making no Python object: a syntax error found 15x sooner (without
# libyaml, the full read finds it).
_SyntaxCheck: Any = getattr(getattr(yaml, "_yaml", None), "CParser", None)
_constructor = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_SCALARS = {
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": _constructor.construct_yaml_null,
}
_KEPT_AS_TEXT = {_STR, "tag:yaml.org,2002:timestamp"}
_CONTAINER_TAGS = {None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}

Loc = tuple[str | int, ...]
# A file of printable ASCII, tabs and line ends, with no backslash (so no escape can make a hidden
# character): nothing in it can be invisible or a look-alike letter (see textguard).
_PLAIN = re.compile(rb"[\t\n\r\x20-\x5b\x5d-\x7e]*")


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when below it."""
    absolute = path.absolute()
    cwd = Path.cwd()
    return os.path.relpath(absolute, cwd) if absolute.is_relative_to(cwd) else str(absolute)


@dataclass
class Source:
    """One parsed file: its display path and the line/column of every value in it."""

    path: str
    marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: Loc) -> tuple[int, int]:
        """Line and column (1-based) of the deepest recorded value on ``loc``.

        Parts of ``loc`` that are not keys in the file (a validator's union tag, say) are skipped, so a
        validation error's location can be passed in as it is.
        """
        return self.marks.get(self.known(loc), (1, 1))

    def known(self, loc: Loc) -> Loc:
        """``loc`` without the parts that are not keys in the file."""
        prefix: Loc = ()
        for part in loc:
            candidate = (*prefix, part)
            if candidate in self.marks:
                prefix = candidate
        return prefix

    def error(self, loc: Loc, message: str, hint: str | None = None) -> Diagnostic:
        line, col = self.where(loc)
        return Diagnostic(self.path, line, col, message, "error", hint)


class _Frame:
    __slots__ = ("anchor", "is_map", "key", "key_mark", "loc", "mark", "merges", "seen", "size", "value")

    def __init__(self, is_map: bool, loc: Loc, anchor: str | None, mark: Any) -> None:
        self.mark = mark  # where the container starts
        self.is_map = is_map
        self.value: Any = {} if is_map else []
        self.loc = loc
        self.anchor = anchor
        self.size = 1
        self.key: str | None = None
        self.key_mark: tuple[int, int] = (1, 1)
        self.seen: dict[str, int] = {}
        self.merges: list[dict[str, Any]] = []


class _Stop(Exception):
    """Parsing cannot go on; the diagnostics collected so far say why."""


def read_yaml(path: Path) -> tuple[Any, Source]:
    """Parse one YAML file into plain values and a :class:`Source`; raise :class:`IvrError` on any problem."""
    shown = display_path(path)
    source = Source(shown)
    raw = read_bounded(path, shown)
    data = parse_yaml_text(raw, source)
    if _PLAIN.fullmatch(raw) is None:  # plain ASCII, no escapes, can hide nothing: no need to look value by value
        problems = check_text(data, source)
        if problems:
            raise IvrError(problems)
    return data, source


def parse_yaml_text(raw: bytes, source: Source) -> Any:
    """Parse bytes already read; fill ``source.marks``."""
    text = decode(raw, source.path)
    if not text.strip():
        raise IvrError([Diagnostic(source.path, 1, 1, "file is empty", hint="see docs/menu-format.md")])
    problems: list[Diagnostic] = []
    builder = _Builder(source, problems)
    loader = _Loader(text)
    try:
        if _SyntaxCheck is not None:
            # A file broken near its end would otherwise be read whole, value by value, before the parser
            # gets there (3 s for a 2 MB menu); this pass costs 5 % of a full read.
            _SyntaxCheck(text).raw_parse()
        value = builder.run(loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"YAML syntax: {exc.problem or exc.context}"
        if "maximum nesting depth" in message:
            # libyaml 0.2.6 (PyYAML 6.0.4) stops at 1,000 levels itself, and reads that far ahead before
            # the builder sees the 65th: say it the same way whichever libyaml is installed
            message = _TOO_DEEP
        opened, unclosed = exc.context_mark, _UNCLOSED.match(exc.context or "")
        if opened is not None and mark is not None and opened.line < mark.line and unclosed:
            # an unclosed quote or bracket: the line it opens on is the one to fix, not where the parser gave up
            what = _OPENED[unclosed.group(1)]
            message = f"YAML syntax: {what} opened here is not closed ({exc.problem} at line {line})"
            line, col = opened.line + 1, opened.column + 1
        problems.append(Diagnostic(source.path, line, col, message, hint=_syntax_hint(exc)))
        value = None
    except yaml.YAMLError as exc:
        problems.append(Diagnostic(source.path, 1, 1, f"YAML syntax: {exc}"))
        value = None
    except _Stop:
        value = None
    finally:
        loader.dispose()
    if problems:
        raise IvrError(problems)
    if value is None:
        raise IvrError([Diagnostic(source.path, 1, 1, "file has no content, only comments")])
    return value


_OPENED = {
    "a quoted scalar": "the quote",
    "a flow sequence": "the '['",
    "a flow mapping": "the '{'",
    "a block scalar": "the block text",
}
_UNCLOSED = re.compile(r"while (?:scanning|parsing) (a quoted scalar|a flow sequence|a flow mapping|a block scalar)")


def _syntax_hint(exc: yaml.MarkedYAMLError) -> str | None:
    problem = f"{exc.problem or ''} {exc.context or ''}"
    if "alias" in problem or "anchor" in problem:
        return "quote keys that start with '*' or '&', e.g. \"*\": back"
    if "tab" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "a ':' inside a value needs the value in quotes"
    return None


@functools.lru_cache(maxsize=65_536)
def _resolve(value: str, implicit: tuple[bool, bool]) -> str:
    """The tag YAML gives a plain scalar (int, bool, ...), remembered: a file repeats most of its words."""
    return str(_resolver.resolve(yaml.ScalarNode, value, implicit))


class _Builder:
    """Turns parser events into values, recording marks and refusing what the format must not contain."""

    def __init__(self, source: Source, problems: list[Diagnostic]) -> None:
        self.source = source
        self.problems = problems
        self.anchors: dict[str, tuple[Any, int, bool]] = {}
        self.open_anchors: set[str] = set()
        self.expanded = 0

    def fail(self, mark: Any, message: str, hint: str | None = None) -> None:
        self.problems.append(Diagnostic(self.source.path, mark.line + 1, mark.column + 1, message, "error", hint))

    def run(self, loader: Any) -> Any:
        stack: list[_Frame] = []
        result: Any = None
        documents = 0
        while loader.check_event():
            event = loader.get_event()
            kind = type(event)
            if kind is events.ScalarEvent:
                self._attach(stack, *self._scalar(event, stack))
            elif kind is events.MappingStartEvent or kind is events.SequenceStartEvent:
                self._check_tag(event)
                if stack and stack[-1].is_map and stack[-1].key is None:
                    self.fail(event.start_mark, "a key must be a plain name or number, not a list or mapping")
                    raise _Stop
                if len(stack) >= MAX_DEPTH:
                    self.fail(event.start_mark, _TOO_DEEP)
                    raise _Stop
                loc = self._child_loc(stack)
                assert loc is not None  # None only for a container used as a key, refused just above
                frame = _Frame(kind is events.MappingStartEvent, loc, event.anchor, event.start_mark)
                if event.anchor:
                    self.open_anchors.add(event.anchor)
                self.source.marks.setdefault(loc, (event.start_mark.line + 1, event.start_mark.column + 1))
                stack.append(frame)
            elif kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
                frame = stack.pop()
                if frame.is_map and frame.merges:
                    for merged in frame.merges:
                        for key, val in merged.items():
                            frame.value.setdefault(key, val)
                if frame.anchor:
                    self.open_anchors.discard(frame.anchor)
                    self.anchors[frame.anchor] = (frame.value, frame.size, True)
                if stack:
                    self._attach(stack, frame.value, frame.mark, frame.size, None)
                else:
                    result = frame.value
            elif kind is events.AliasEvent:
                self._attach(stack, *self._alias(event))
            elif kind is events.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self.fail(event.start_mark, "more than one YAML document in the file", "remove the '---' line")
                    raise _Stop
        return result

    def _child_loc(self, stack: list[_Frame]) -> Loc | None:
        if not stack:
            return ()
        top = stack[-1]
        if top.is_map:
            return None if top.key is None else (*top.loc, top.key)
        return (*top.loc, len(top.value))

    def _check_tag(self, event: Any) -> None:
        if event.tag not in _CONTAINER_TAGS:
            self.fail(event.start_mark, f"YAML tag {event.tag!r} is not allowed in this file")
            raise _Stop

    def _scalar(self, event: Any, stack: list[_Frame]) -> tuple[Any, Any, int, str | None]:
        tag = event.tag
        if tag is None or tag == "!":
            tag = _resolve(event.value, event.implicit)
        if stack and stack[-1].is_map and stack[-1].key is None:
            return event.value, event.start_mark, 1, tag  # keys stay as written: `1:` and "1": agree
        if tag in _KEPT_AS_TEXT:
            value: Any = event.value
        elif tag in _PLAIN_SCALARS:
            value = _PLAIN_SCALARS[tag](yaml.ScalarNode(tag, event.value))
        else:
            self.fail(event.start_mark, f"YAML tag {event.tag or tag!r} is not allowed in this file")
            raise _Stop
        if event.anchor:
            self.anchors[event.anchor] = (value, 1, True)
        return value, event.start_mark, 1, None

    def _alias(self, event: Any) -> tuple[Any, Any, int, str | None]:
        name = event.anchor
        if name in self.open_anchors:
            self.fail(event.start_mark, f"alias *{name} refers to the value that contains it")
            raise _Stop
        if name not in self.anchors:
            self.fail(event.start_mark, f"alias *{name} has no anchor &{name} before it")
            raise _Stop
        value, size, _ = self.anchors[name]
        self.expanded += size
        if self.expanded > MAX_EXPANDED_VALUES:
            self.fail(
                event.start_mark,
                f"aliases expand to more than {MAX_EXPANDED_VALUES:,} values (an alias bomb?)",
                "use fewer nested aliases",
            )
            raise _Stop
        return value, event.start_mark, size, None

    def _attach(self, stack: list[_Frame], value: Any, mark: Any, size: int, key_tag: str | None) -> None:
        if not stack:
            if not isinstance(value, dict | list):
                self.fail(mark, "expected a mapping of settings at the top of the file")
                raise _Stop
            return
        top = stack[-1]
        top.size += size
        position = (mark.line + 1, mark.column + 1)
        if top.is_map and top.key is None:
            if not isinstance(value, str):
                self.fail(mark, "a key must be a plain name or number, not a list or mapping")
                raise _Stop
            top.key = "<<" if key_tag == _MERGE else value
            top.key_mark = position
            return
        if top.is_map:
            key = top.key
            assert key is not None
            top.key = None
            if key == "<<":
                merged = value if isinstance(value, list) else [value]
                if not all(isinstance(m, dict) for m in merged):
                    self.fail(mark, "'<<' merges mappings only")
                    raise _Stop
                top.merges.extend(merged)
                return
            if key in top.seen:
                self.fail(
                    _Mark(top.key_mark),
                    f"duplicate key {key!r} (first at line {top.seen[key]}); YAML would silently keep only the last",
                    "rename or remove one of them",
                )
            else:
                top.seen[key] = top.key_mark[0]
            top.value[key] = value
            self.source.marks[(*top.loc, key)] = top.key_mark
        else:
            self.source.marks[(*top.loc, len(top.value))] = position
            top.value.append(value)


class _Mark:
    __slots__ = ("column", "line")

    def __init__(self, position: tuple[int, int]) -> None:
        self.line = position[0] - 1
        self.column = position[1] - 1


_resolver = yaml.resolver.Resolver()
