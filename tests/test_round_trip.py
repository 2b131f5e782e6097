"""Every bundled script through every platform and back: export each bundled menu, import the file back,
replay every call of its scripts on both, and compare what the caller hears and where the call goes.

The two must agree except where the export report names a loss. A difference is put down to a loss when,
in the original call, the report names the node the difference comes at (or a node the call passed
since the last thing it heard). The other causes a report can name:

- `(menu)` prompts in other languages: the call is in a language the export left out;
- `(calendar)`: the node tests a holiday or a schedule;
- `(centre)`: the call has just joined a queue (what follows is the floor's);
- a variable the call says that a node the report names set or looked up.

A platform computes what it must set itself (the report names it: a Studio flow variable, a Connect
hours check, a VoiceXML session variable): the test gives the imported flow those facts, worked out from
the original call's own time, as the platform would. Differences the report does not explain fail the
test, with both transcripts."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ivr.call.events import (
    CallEvent,
    HungUp,
    LookupAnswered,
    NodeEntered,
    PromptPlayed,
    Queued,
    Transferred,
    VariableSet,
)
from ivr.menu import load_menu
from ivr.menu.compiled import Menu
from ivr.menu.conditions import Condition
from ivr.menu.export import export_menu
from ivr.menu.export_common import Exported
from ivr.menu.model_types import PLAIN_TEXT
from ivr.replay import model as m
from ivr.replay.runner import MenuCache, act, caller_of, run_call, stage, world_start
from ivr.replay.scripts import Script, load_script, merged
from tests.conftest import ROOT

FORMATS = {  # the file `ivr import` reads back, of those each export writes
    "asterisk": "extensions.conf",
    "freeswitch": "ivr_menus/*.xml",
    "voicexml": "*.vxml",
    "studio": "*.studio.json",
    "connect": "*.connect.json",
}
SCRIPTS = sorted((ROOT / "scripts").rglob("*.call.yaml"))
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_.]*)")


@dataclass
class Heard:
    """One thing the caller meets: a prompt (its text), a queue, a transfer or the end; the nodes the call
    entered on the way to it, and the prompt's language and the variables it says."""

    what: str
    text: str
    nodes: list[str]
    language: str = ""
    says: set[str] = field(default_factory=set)

    @property
    def seen(self) -> tuple[str, str]:
        return self.what, self.text


def heard(transcript: list[CallEvent], menu: Menu) -> tuple[list[Heard], dict[str, str]]:
    """What the caller met, in order, and where each variable was last set or looked up."""
    out: list[Heard] = []
    passed: list[str] = []
    set_at: dict[str, str] = {}
    for event in transcript:
        if isinstance(event, NodeEntered):
            passed.append(event.node)
            continue
        if isinstance(event, VariableSet):
            set_at[event.variable] = event.node
        elif isinstance(event, LookupAnswered):
            set_at.update(dict.fromkeys(event.returned, event.node))
        if isinstance(event, PromptPlayed):
            node = menu.nodes.get(event.node)
            texts = [] if node is None else [str(v) for v in vars(node.spec).values() if isinstance(v, dict)]
            said = {name for text in texts for name in PLACEHOLDER.findall(text)}
            out.append(Heard("said", event.text, [*passed, event.node], event.language, said))
        elif isinstance(event, Queued):
            out.append(Heard("queued", event.queue, [*passed, event.node]))
        elif isinstance(event, Transferred):
            out.append(Heard("transferred", event.destination, [*passed, event.node]))
        elif isinstance(event, HungUp):
            out.append(Heard("ended", "", [*passed, event.node]))
        else:
            continue
        passed = []
    return out, set_at


def replay_actions(menu: Menu, script: Script, call: m.CallScript, given: dict[str, Any]) -> list[CallEvent]:
    """The caller's actions of ``call`` (keys, silences, waits, hang-up) on ``menu``, with the caller and
    world the script gives and the platform's facts ``given``; expectations are left out, since node ids
    differ between a menu and its round trip."""
    world = merged(script.file.defaults.world, call.world)
    caller_spec = merged(script.file.defaults.caller, call.caller)
    assert world is None or isinstance(world, m.World)
    assert caller_spec is None or isinstance(caller_spec, m.CallerSpec)
    caller = caller_of(caller_spec, world)
    caller.variables.update(given)
    live = stage(menu, world).dial(caller)
    try:
        for step in call.steps:
            if step.kind in ("press", "silence", "hangup"):
                act(live, step)
            else:
                live.listen()
        live.listen()
    except Exception:
        pass
    return list(live.call.transcript)


def platform_facts(menu: Menu, script: Script, call: m.CallScript) -> dict[str, Any]:
    """What a platform works out for itself and the report says it must set: whether each schedule is
    open and whether it is a holiday, at the call's own time, under each platform's name for it."""
    world = merged(script.file.defaults.world, call.world)
    assert world is None or isinstance(world, m.World)
    now = world_start(menu, world)
    holiday = now.date() in menu.holidays
    facts: dict[str, Any] = {"ivr_holiday": "true" if holiday else "false"}
    for name, hours in menu.hours.items():
        is_open = hours.is_open(now)
        facts[f"ivr_open_{name}"] = "true" if is_open else "false"  # Studio flow variables, VoiceXML session
        facts[f"open_{name}"] = "True" if is_open and not holiday else "False"  # Connect's hours check
    return facts


def uses_calendar(menu: Menu, node_id: str) -> bool:
    """Whether the node tests a schedule or a holiday."""
    node = menu.nodes.get(node_id)
    if node is None:
        return False

    def found(value: Any) -> bool:
        if isinstance(value, Condition):
            return value.open is not None or value.holiday is not None or any(found(v) for v in vars(value).values())
        if isinstance(value, list | tuple):
            return any(found(v) for v in value)
        if hasattr(value, "__dict__") and not isinstance(value, type):
            return any(found(v) for v in vars(value).values())
        return False

    return found(node.spec)


def explained(
    menu: Menu, exported: Exported, before: list[Heard], at: int, set_at: dict[str, str], exported_language: str
) -> str | None:
    """The loss in the report that explains a difference at ``before[at]``, or None."""
    lines = [f"{lost.node}: {lost.feature}: {lost.instead}" for lost in exported.lossy]
    where = before[min(at, len(before) - 1)]
    for node in where.nodes:
        for line in lines:
            if line.startswith(f"{node}:") or re.search(rf"(?<![\w/-]){re.escape(node)}(?![\w/-])", line):
                return line
        if uses_calendar(menu, node):
            calendar = [line for line in lines if line.startswith("(calendar)")] + [
                line for line in lines if line.startswith(f"{node}:")
            ]
            if calendar:
                return calendar[0]
    if where.language not in (exported_language, PLAIN_TEXT, ""):
        menu_wide = [line for line in lines if line.startswith("(menu)") and where.language in line]
        if menu_wide:
            return menu_wide[0]
    if at > 0 and before[at - 1].what == "queued":
        centre = [line for line in lines if line.startswith("(centre)")]
        if centre:
            return centre[0]
    for variable in where.says:
        named = [line for line in lines if line.startswith(f"{set_at.get(variable, '?')}:")]
        if named:
            return named[0]
    return None


def round_trip(menu_file: Path, platform: str, folder: Path) -> tuple[Exported, Menu | None, str]:
    """Export, write the files, and import the main one back: the export, the menu read back (None when
    it does not load) and why not."""
    menu = load_menu(menu_file)
    exported = export_menu(menu, platform)
    for name, text in exported.files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    main = sorted(folder.glob(FORMATS[platform]))
    try:
        return exported, load_menu(main[0]), ""
    except Exception as exc:
        return exported, None, str(exc)


@pytest.mark.slow
@pytest.mark.parametrize("platform", sorted(FORMATS))
def test_every_bundled_script_goes_out_and_back_and_callers_hear_the_same(platform: str) -> None:
    scripts = [load_script(path) for path in SCRIPTS]
    unexplained: list[str] = []
    same = agreed = 0
    for menu_file in sorted({script.menu_path.resolve() for script in scripts}):
        menu = load_menu(menu_file)
        with tempfile.TemporaryDirectory() as folder:
            exported, back, why = round_trip(menu_file, platform, Path(folder))
        if back is None:  # a format that cannot hold this menu at all must say so in its report
            reasons = [lost for lost in exported.lossy if lost.node == "(menu)" and "no menu" in lost.feature]
            assert reasons, f"{menu_file.name} does not come back from {platform}: {why}"
            continue
        cache = MenuCache()
        for script in (s for s in scripts if s.menu_path.resolve() == menu_file):
            for index, call in enumerate(script.file.calls):
                original = run_call(script, index, cache)
                assert original.passed, original.failure
                before, set_at = heard(original.transcript, menu)
                given = platform_facts(menu, script, call)
                after, _ = heard(replay_actions(back, script, call, given), back)
                first, second = [h.seen for h in before], [h.seen for h in after]
                if first == second:
                    same += 1
                    continue
                at = next((i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b), None)
                at = min(len(first), len(second)) if at is None else at
                agreed += at
                reason = explained(menu, exported, before, at, set_at, menu.default_language)
                if reason is None:
                    unexplained.append(
                        f"{script.shown}::{call.name} ({platform}) differs at {at}:\n"
                        f"  original:   {first[at : at + 3]}\n  round trip: {second[at : at + 3]}\n"
                        f"  nodes: {before[min(at, len(before) - 1)].nodes}"
                    )
    assert not unexplained, "\n".join(unexplained)
    assert agreed > 0, f"no call agrees on anything after {platform}: the comparison has nothing to show"
    # FreeSWITCH's IVR holds menus only: the messages on the way between them are lost (its report says so
    # at each option that passes one), and every bundled call meets one, such as the greeting.
    assert same > 0 or platform == "freeswitch", f"no call comes back from {platform} the same"
