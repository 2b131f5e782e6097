"""The malformed-file corpus: every file gets a `file:line` error and exit 2 from the real command.

Each text file marks the line its error belongs on with a trailing ``# <- words of the message``; files
that cannot hold a comment (binary, other encodings, empty) are listed in ``expected.tsv``. Speed (under
a second per file, the 50 MB one included) is measured by ``bench/corpus_bench.py``, not here.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_ivr

CORPUS = Path(__file__).parent / "corpus"
MARK = re.compile(rb"# <- (.+?)\s*$")


def _expectations() -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for row in (CORPUS / "expected.tsv").read_text(encoding="utf-8").splitlines():
        name, line, fragment = row.split("\t")
        found[name] = (int(line), fragment)
    for path in sorted(CORPUS.glob("*/*.yaml")):
        name = path.relative_to(CORPUS).as_posix()
        for number, raw in enumerate(path.read_bytes().split(b"\n"), 1):
            mark = MARK.search(raw)
            if mark:
                found.setdefault(name, (number, mark.group(1).decode("utf-8")))
    return found


EXPECTED = _expectations()
MENUS = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.glob("menus/*.yaml"))
SCRIPTS = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.glob("scripts/*.yaml"))


def test_the_corpus_is_as_big_as_promised_and_every_file_says_what_it_expects() -> None:
    assert len(MENUS) >= 60 and len(SCRIPTS) >= 30
    assert sorted(EXPECTED) == sorted(MENUS + SCRIPTS)


def _shown(name: str) -> str:
    return os.path.relpath(CORPUS / name, ROOT)


def _assert_reported(name: str, output: str) -> None:
    line, fragment = EXPECTED[name]
    at = re.compile(rf"^{re.escape(_shown(name))}:(\d+):\d+: error: (.*)$", re.MULTILINE)
    reported = [(int(m.group(1)), m.group(2)) for m in at.finditer(output)]
    assert reported, f"no file:line error for {name}:\n{output}"
    assert any(n == line and fragment in message for n, message in reported), (
        f"{name}: expected line {line} with {fragment!r}, got {reported}"
    )


@pytest.fixture(scope="module")
def checked_menus() -> subprocess.CompletedProcess[str]:
    """`ivr check` on the whole malformed-menu corpus in one run, as a designer checks a folder: one bad
    file must not hide the problems of the next."""
    return run_ivr("check", *(_shown(name) for name in MENUS))


@pytest.fixture(scope="module")
def replayed_scripts() -> subprocess.CompletedProcess[str]:
    """`ivr replay` on every malformed script in one run: each is refused at load, none stops the rest."""
    return run_ivr("replay", *(_shown(name) for name in SCRIPTS))


def test_a_folder_of_malformed_menus_exits_2_without_a_traceback(
    checked_menus: subprocess.CompletedProcess[str],
) -> None:
    assert checked_menus.returncode == 2, checked_menus.stdout + checked_menus.stderr
    assert "Traceback" not in checked_menus.stdout + checked_menus.stderr
    assert f"{len(MENUS)} files checked: " in checked_menus.stdout


def test_a_folder_of_malformed_scripts_exits_2_without_a_traceback(
    replayed_scripts: subprocess.CompletedProcess[str],
) -> None:
    assert replayed_scripts.returncode == 2, replayed_scripts.stdout + replayed_scripts.stderr
    assert "Traceback" not in replayed_scripts.stdout + replayed_scripts.stderr


@pytest.mark.parametrize("name", MENUS)
def test_malformed_menu(name: str, checked_menus: subprocess.CompletedProcess[str]) -> None:
    _assert_reported(name, checked_menus.stdout)


@pytest.mark.parametrize("name", SCRIPTS)
def test_malformed_script(name: str, replayed_scripts: subprocess.CompletedProcess[str]) -> None:
    _assert_reported(name, replayed_scripts.stdout + replayed_scripts.stderr)


@pytest.mark.parametrize(
    "name", ["menus/binary-elf.yaml", "menus/alias-bomb.yaml", "scripts/call-duplicate-name.script.yaml"]
)
def test_one_malformed_file_alone_exits_2(name: str) -> None:
    """A file checked on its own is refused the same way (exit 2, its `file:line`)."""
    command = "replay" if name.startswith("scripts/") else "check"
    result = run_ivr(command, _shown(name))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    _assert_reported(name, result.stdout + result.stderr)


def test_a_50_mb_menu_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "huge.yaml"
    with big.open("wb") as handle:
        handle.write(b"name: huge\nnodes:\n")
        handle.write(b"  n: {type: hangup, prompt: '" + b"x" * (50 * 1024 * 1024) + b"'}\n")
    result = run_ivr("check", str(big))
    assert result.returncode == 2
    assert f"{big}:1:1: error: file is 52.4 MB; the limit is 2 MB" in result.stdout


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_unread(device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"{device} does not exist here")
    result = run_ivr("check", device)
    assert result.returncode == 2
    assert f"{device}:1:1: error: is not a regular file" in result.stdout


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "menu.yaml"
    os.mkfifo(pipe)
    result = run_ivr("check", str(pipe))
    assert result.returncode == 2
    assert "is not a regular file" in result.stdout
