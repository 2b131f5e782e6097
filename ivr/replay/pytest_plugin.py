"""A pytest plugin: every call in a ``*.call.yaml`` file is a test item.

Registered through the ``pytest11`` entry point, so ``pytest scripts/`` works with ``-k``, ``-x``, markers,
``--junitxml`` and pytest-xdist. A failure shows the step, expected against actual, and the transcript so
far, not a Python traceback; an invalid script is a collection error with its ``file:line`` problems.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ivr.replay.report import failure_text
from ivr.replay.runner import CallResult, MenuCache, run_call
from ivr.replay.scripts import SCRIPT_SUFFIX, Script
from ivr.replay.suite import load_checked
from ivr.source.diagnostics import IvrError

_CACHE = pytest.StashKey[MenuCache]()


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.name.endswith(SCRIPT_SUFFIX):
        return CallScriptFile.from_parent(parent, path=file_path)
    return None


class CallFailed(Exception):
    """A scripted call did not go as its script says."""

    def __init__(self, result: CallResult) -> None:
        super().__init__(result.id)
        self.result = result


class MenuInvalid(Exception):
    """The menu a script calls could not be loaded."""


class CallScriptFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        cache = self.config.stash.setdefault(_CACHE, MenuCache())
        try:
            script = load_checked(self.path, cache, self.config.rootpath)  # the same checks as `ivr replay`
        except IvrError as exc:
            raise self.CollectError(str(exc)) from None
        for index, call in enumerate(script.file.calls):
            item = CallItem.from_parent(self, name=call.name, script=script, index=index)
            for marker in call.markers:  # registered, so --strict-markers and the warning know them
                self.config.addinivalue_line("markers", f"{marker}: a marker used by call scripts")
                item.add_marker(marker)
            yield item


class CallItem(pytest.Item):
    def __init__(self, *, script: Script, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.script = script
        self.index = index

    def runtest(self) -> None:
        cache = self.config.stash.setdefault(_CACHE, MenuCache())
        try:
            result = run_call(self.script, self.index, cache)
        except IvrError as exc:
            raise MenuInvalid(f"the menu of {self.script.shown} is invalid:\n{exc}") from None
        if not result.passed:
            raise CallFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CallFailed):
            return failure_text(excinfo.value.result)
        if isinstance(excinfo.value, MenuInvalid):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        line, _ = self.script.where("calls", self.index)
        return self.path, line - 1, f"call: {self.name}"
