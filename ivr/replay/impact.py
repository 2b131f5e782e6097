"""Which scripted calls a change to a menu breaks: each script written for the old version is replayed
on both, and a call that passes on the old and not on the new is broken by the change (``ivr diff``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from ivr.replay.runner import MenuCache, run_call
from ivr.replay.scripts import find_scripts
from ivr.replay.suite import load_checked, script_problems
from ivr.source.diagnostics import IvrError


@dataclass(frozen=True)
class BrokenCall:
    """A call that passed on the old menu and does not on the new one, and why."""

    id: str
    why: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "why": self.why}


@dataclass
class Impact:
    scripts: int = 0  # scripts written for the old menu
    calls: int = 0  # their calls that passed on the old menu
    broken: list[BrokenCall] = dataclasses.field(default_factory=list)


def calls_broken(paths: list[Path], old: Path, new: Path, root: Path | None = None) -> Impact:
    """Replay, on ``old`` and on ``new``, every script under ``paths`` whose menu is ``old``."""
    impact = Impact()
    files, _ = find_scripts(paths)
    cache = MenuCache()
    old_path, new_path = old.resolve(), new.resolve()
    for path in files:
        try:
            script = load_checked(path, cache, root)
        except IvrError:
            continue  # not a valid script for the old menu: not this change's doing
        if script.menu_path != old_path:
            continue
        impact.scripts += 1
        moved = dataclasses.replace(script, menu_path=new_path)
        refused = script_problems(moved, cache.menu(new_path))
        for index, call in enumerate(script.file.calls):
            if not run_call(script, index, cache).passed:
                continue  # already failing before the change
            impact.calls += 1
            call_id = f"{script.shown}::{call.name}"
            try:
                after = run_call(moved, index, cache)
            except Exception as exc:  # the new menu lacks what the call's world needs (a queue, a team)
                why = "; ".join(d.message for d in refused[:3]) or f"{type(exc).__name__}: {exc}"
                impact.broken.append(BrokenCall(call_id, why))
                continue
            if after.failure is not None:
                failure = after.failure
                why = f"step {failure.step + 1}: expected {failure.expected}; actual: {failure.actual}"
                impact.broken.append(BrokenCall(call_id, why))
    return impact
