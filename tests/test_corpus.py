"""The malformed-file corpus: every file gets a `file:line` error and exit 2 from the real command.

Each text file marks the line its error belongs on with a trailing ``# <- words of the message``; files
that cannot hold a comment (binary, other encodings, empty) are listed in ``expected.tsv``. Speed (under
a second per file, the 50 MB one included) is measured by ``bench/corpus_bench.py``, not here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_ivr

# Every file through the real command (a process each): thorough, and most of the suite's time.
pytestmark = pytest.mark.slow

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


@pytest.mark.parametrize("name", MENUS)
def test_malformed_menu(name: str) -> None:
    result = run_ivr("check", _shown(name))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    _assert_reported(name, result.stdout)


@pytest.mark.parametrize("name", SCRIPTS)
def test_malformed_script(name: str) -> None:
    result = run_ivr("replay", _shown(name))
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
