"""A menu or script is data: it runs no code, reads no environment and no file outside its folder, and the
commands write nothing but the database and output paths the user chose."""

from __future__ import annotations

import shutil
import sys
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ivr.call import Engine, SimClock
from ivr.menu import load_menu
from ivr.replay.scripts import load_script
from ivr.source.diagnostics import IvrError
from tests.conftest import MENUS, ROOT, run_ivr

CORPUS = Path(__file__).parent / "corpus"
RUNS_CODE = ("os.system", "os.exec", "os.posix_spawn", "os.spawn", "subprocess.Popen", "socket.connect", "ctypes.")


class Audit:
    """Everything the interpreter reports (PEP 578 audit events) while loading user files."""

    def __init__(self) -> None:
        self.active = False
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        sys.addaudithook(self._hook)  # hooks cannot be removed; this one only records while active

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if self.active:
            self.events.append((event, args))

    def opened(self) -> list[tuple[Path, str]]:
        found = []
        for event, args in self.events:
            if event == "open" and isinstance(args[0], str | Path):
                found.append((Path(args[0]).resolve(), str(args[1] or "r")))
        return found

    def ran(self) -> list[str]:
        return [event for event, _ in self.events if event.startswith(RUNS_CODE)]


AUDIT = Audit()
# Python itself, and the time-zone database a menu's `timezone:` is looked up in
PYTHON = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, *sys.path, *zoneinfo.TZPATH) if p}


def _python_file(path: Path) -> bool:
    return any(path.is_relative_to(p) for p in PYTHON if p != ROOT) or path.suffix in (".py", ".pyc", ".so")


def audited(load: Any, path: Path) -> Iterator[tuple[Path, str]]:
    AUDIT.events.clear()
    AUDIT.active = True
    try:
        load(path)
    except IvrError:
        pass
    finally:
        AUDIT.active = False
    assert AUDIT.ran() == [], f"{path.name} made the loader run {AUDIT.ran()}"
    yield from AUDIT.opened()


FILES = [
    *((load_menu, p) for p in sorted(CORPUS.glob("menus/*.yaml"))),
    *((load_script, p) for p in sorted(CORPUS.glob("scripts/*.yaml"))),
    *((load_menu, p) for p in sorted(MENUS.glob("*.yaml"))),
]


@pytest.mark.parametrize(("load", "path"), FILES, ids=[p.relative_to(ROOT).as_posix() for _, p in FILES])
def test_loading_runs_nothing_and_reads_only_inside_the_files_folder(load: Any, path: Path) -> None:
    folder = path.parent.resolve()
    for opened, mode in audited(load, path):
        assert not any(flag in mode for flag in "wax+"), f"{path.name} opened {opened} for writing"
        if _python_file(opened):
            continue
        allowed = opened.is_relative_to(folder) or (load is load_script and opened.is_relative_to(ROOT / "menus"))
        assert allowed, f"{path.name} made the loader read {opened}"


def test_environment_variables_never_reach_a_prompt(write_menu: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVR_SECRET", "leaked")
    monkeypatch.setenv("HOME", "/leaked/home")
    menu = write_menu(
        """
        name: env
        start: hello
        nodes:
          hello:
            type: hangup
            prompt: "A {IVR_SECRET} B $IVR_SECRET C ${HOME} D %IVR_SECRET% E ~"
        """
    )
    call = Engine(load_menu(menu)).start_call(clock=SimClock(0))
    [said] = [e.text for e in call.transcript if e.name == "prompt_played"]
    assert "leaked" not in said
    # {IVR_SECRET} and {HOME} are menu variables, never set here: empty (and `ivr check` warns of both)
    assert said == "A  B $IVR_SECRET C $ D %IVR_SECRET% E ~"


def _tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


@pytest.mark.slow
def test_commands_write_only_the_paths_they_were_given(tmp_path: Path) -> None:
    project, home = tmp_path / "project", tmp_path / "home"
    shutil.copytree(MENUS, project / "menus")
    shutil.copytree(ROOT / "scripts" / "it-helpdesk", project / "scripts" / "it-helpdesk")
    home.mkdir()
    before, home_before = _tree(project), _tree(home)
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache")}
    menu = "menus/it-helpdesk.yaml"
    commands = [
        ("check", menu, "menus/customer-service.yaml"),
        ("graph", menu),
        ("call", menu, "--keys", "2", "--no-traffic", "--db", "out/calls.db"),
        ("replay", "scripts", "--junit", "out/junit.xml", "--coverage"),
        ("fuzz", menu, "--calls", "200", "-o", "out/findings"),
        ("simulate", menu, "--hours", "1", "--db", "out/sim.db", "--json"),
        ("load", menu, "--callers", "200", "--rate", "50/s", "--json"),
    ]
    for command in commands:
        result = run_ivr(*command, cwd=project, env=env)
        assert result.returncode in (0, 1), (command, result.stdout[-500:], result.stderr[-2000:])
    written = _tree(project) - before
    allowed = {"out", "out/calls.db", "out/sim.db", "out/junit.xml", "out/findings"}
    extra = {p for p in written if p not in allowed and not p.startswith("out/findings/")}
    extra = {p for p in extra if not p.endswith(("-wal", "-shm"))}
    assert extra == set(), f"written outside the chosen paths: {sorted(extra)}"
    assert _tree(home) == home_before, "a command wrote into the home folder"
