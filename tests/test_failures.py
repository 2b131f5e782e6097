"""When a part fails: the speech engine, the records database, the disk, a tiny terminal.

Each failure is real where the machine allows it: a kernel file-size limit (RLIMIT_FSIZE) stands in for
a full disk, another SQLite connection holds the lock, an unprivileged user meets a read-only file. Only
the speech engine's crash is simulated, by a pyttsx3 driver that breaks mid-prompt
(tests/support/faulty_tts.py), since a real engine cannot be made to crash on cue.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import signal
import sqlite3
import subprocess
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ivr.records.store import RecordStore
from ivr.tui.app import IvrApp
from ivr.tui.panels import PromptBox
from ivr.voice import speaker as speaker_module
from ivr.voice.speaker import Speaker
from tests.conftest import MENUS, run_ivr, toasts
from tests.support import faulty_tts
from tests.test_tui import OPEN, app, until
from tests.test_voice import needs_espeak

CS = "menus/customer-service.yaml"
SUGGESTION = ("--at", "2026-11-24T11:00", "--no-traffic", "--keys", "1 3")  # a short call that leaves a ticket


def run_limited(file_bytes: int, *args: str) -> subprocess.CompletedProcess[str]:
    """`ivr` with files capped at ``file_bytes``: writes past it fail as they do on a full disk."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get an error from write(), not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))

    return run_ivr(*args, preexec_fn=limit)


def calls_in(db: Path) -> int:
    with sqlite3.connect(db) as handle:
        assert handle.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(handle.execute("SELECT count(*) FROM calls").fetchone()[0])


# -- speech --------------------------------------------------------------------------------------------


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.slow
def test_an_engine_that_hangs_mid_prompt_is_told_once_and_the_rest_is_text() -> None:
    faulty_tts.install()
    problems: list[str] = []
    speaker = Speaker(problems.append, driver="faulty_hang", check_audio=False, hang_after=0.3)
    speaker.start()
    speaker.say("For billing, press 1.", "en")
    wait_for(lambda: len(speaker.spoken) == 1)
    speaker.say("For orders, press 2.", "en")  # the engine hangs after the first word of this one
    wait_for(lambda: not speaker.check())
    speaker.say("For a person, press 0.", "en")
    speaker.close(timeout=0.1)
    assert problems == ["speech stopped responding after 4.3 s on one prompt; running in text mode"]
    assert [text for _, text in speaker.spoken] == ["For billing, press 1.", "For orders, press 2."]


def test_an_engine_that_raises_mid_prompt_is_told_and_the_next_prompt_is_spoken() -> None:
    faulty_tts.install()
    problems: list[str] = []
    speaker = Speaker(problems.append, driver="faulty_raise", check_audio=False)
    speaker.start()
    for text in ("One.", "Two.", "Three."):
        speaker.say(text, "en")
    wait_for(lambda: len(speaker.spoken) == 3)
    speaker.close()
    assert problems == ["a prompt could not be spoken (RuntimeError: the audio device went away); the call goes on"]
    assert [text for _, text in speaker.spoken] == ["One.", "Two.", "Three."]


@pytest.mark.slow
async def test_the_call_goes_on_when_speech_hangs_in_the_simulator(monkeypatch: pytest.MonkeyPatch) -> None:
    faulty_tts.install()
    monkeypatch.setattr(speaker_module, "HANG_AFTER", 0.2)
    monkeypatch.setattr(speaker_module, "SECONDS_PER_WORD", 0.05)
    tui = app(mute=False, voice_driver="faulty_hang")
    async with tui.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("c")
        await until(pilot, lambda: "For English" in tui.query_one("#prompt", PromptBox).shown_text())
        await pilot.press("1")  # second prompt: the engine hangs on it
        await until(pilot, lambda: any("stopped responding" in t for t in toasts(tui)), 15)
        await pilot.press("3")  # the caller goes on: a suggestion
        await until(pilot, lambda: tui.call is not None and tui.call.status != "active", 10)
        [told] = [t for t in toasts(tui) if "Voice" in t]
        assert re.fullmatch(
            r"Voice: speech stopped responding after [\d.]+ s on one prompt; running in text mode\.",
            told,
        )
        assert tui.call is not None and tui.call.end_reason is not None


@needs_espeak
def test_a_full_disk_while_writing_wavs_keeps_what_was_written(write_menu: Callable[..., Path]) -> None:
    menu = write_menu(
        """
        name: short-then-long
        start: hello
        nodes:
          hello: {type: message, prompt: Hi., next: long}
          long:
            type: hangup
            prompt: >-
              This goodbye is long enough to need far more room on the disk than the little greeting did,
              so the disk fills up while the speech engine is writing it out, and the command must stop.
        """
    )
    out = menu.parent / "voices"
    first = run_limited(120_000, "speak", str(menu), "-o", str(out))
    assert first.returncode == 1, first.stdout + first.stderr
    assert "error: cannot speak long.prompt (en): [Errno 27] cannot write" in first.stderr
    assert "Traceback" not in first.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [p["prompt_id"] for p in manifest["prompts"]] == ["hello.prompt"]
    kept = out / manifest["prompts"][0]["file"]
    with wave.open(str(kept)) as handle:
        assert handle.getnframes() * 2 + 44 == kept.stat().st_size  # whole, not cut short
    assert sorted(p.name for p in out.iterdir()) == sorted(["manifest.json", kept.name])  # no half files
    again = run_ivr("speak", str(menu), "-o", str(out))  # room again: it carries on where it stopped
    assert again.returncode == 0 and "(1 new, 1 cached)" in again.stdout


# -- records ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_locked_database_is_a_clear_message_and_keeps_what_it_holds(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    assert run_ivr("call", CS, *SUGGESTION, "--db", str(db)).returncode == 0
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing, and taking its time
    try:
        locked = run_ivr("call", CS, *SUGGESTION, "--db", str(db))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert locked.returncode in (1, 2) and "Traceback" not in locked.stderr
    assert "database is locked" in locked.stderr
    assert "another program holds the database" in locked.stderr
    assert calls_in(db) == 1
    assert run_ivr("call", CS, *SUGGESTION, "--db", str(db)).returncode == 0
    assert calls_in(db) == 2


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` made read-only for this process, even as root (who writes through file modes)."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root on a file system without chattr +i: cannot make a file read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_read_only_database_is_a_clear_message_and_is_left_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    assert run_ivr("call", CS, *SUGGESTION, "--db", str(db)).returncode == 0
    for extra in (db.with_name("calls.db-wal"), db.with_name("calls.db-shm")):
        extra.unlink(missing_ok=True)
    before = db.read_bytes()
    with read_only(db):
        result = run_ivr("call", CS, *SUGGESTION, "--db", str(db))
    assert result.returncode in (1, 2), result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "readonly database" in result.stderr and "read-only; choose another --db" in result.stderr
    assert db.read_bytes() == before
    assert calls_in(db) == 1


def test_a_full_disk_during_a_simulation_keeps_every_call_already_stored(tmp_path: Path) -> None:
    db = tmp_path / "sim.db"
    result = run_limited(
        2_000_000, "simulate", CS, "--hours", "8", "--start", "2026-11-24T09:00", "--db", str(db), "--json"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(r"cannot write to the records database: (database or disk is full|disk I/O error)", result.stderr)
    assert "free some disk space" in result.stderr
    stored = calls_in(db)
    assert stored > 10  # what was written before the disk filled is all there, and the file is sound


async def test_records_wait_in_memory_while_the_database_is_locked(tmp_path: Path) -> None:
    db = tmp_path / "tui.db"
    store = RecordStore(db)
    store.patience(0.1)
    tui = app(store=store)
    holder = sqlite3.connect(db, isolation_level=None)
    async with tui.run_test(size=(120, 40), notifications=True) as pilot:
        holder.execute("BEGIN EXCLUSIVE")
        await pilot.press("c", "1", "3")
        tui.advance(60)  # the suggestion's prompt is heard, then the call is transferred and its record kept
        await until(pilot, lambda: any(t.startswith("Records\n") for t in toasts(tui)), 10)
        [note] = [t for t in toasts(tui) if t.startswith("Records\n")]
        assert "database is locked" in note and "1 call record kept in memory" in note
        assert tui.call is not None and tui.call.status != "active"  # the call itself was not disturbed
        holder.execute("ROLLBACK")
        await pilot.press("c", "1", "3")  # the next call's record goes in, and the waiting one first
        tui.advance(60)
        await until(pilot, lambda: not store.pending and calls_in(db) == 2, 10)
    holder.close()
    assert calls_in(db) == 2 and not store.pending


# -- a terminal of 20 x 5 --------------------------------------------------------------------------------


async def test_a_20_by_5_terminal_says_so_and_the_call_goes_on() -> None:
    tui = app()
    async with tui.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", "1")
        await pilot.resize_terminal(20, 5)
        await pilot.pause()
        await pilot.press("2")  # keys still reach the call on a screen too small to show it
        await pilot.pause()
        assert tui.call is not None and tui.call.state != "main"
        visible = tui.screen.query("#too-small")
        assert visible and visible.first().display
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not tui.screen.query_one("#too-small").display
        assert "order" in tui.query_one("#prompt", PromptBox).shown_text().lower()


def test_the_20_by_5_screen(snap_compare: Callable[..., bool]) -> None:
    tui = IvrApp(MENUS / "customer-service.yaml", at=OPEN, paused=True, traffic=False)
    assert snap_compare(tui, press=["c"], terminal_size=(20, 5))


def test_a_full_disk_never_leaves_a_cut_off_file_in_place_of_a_good_one(tmp_path: Path) -> None:
    diagram = tmp_path / "menu.mmd"
    diagram.write_text("the diagram from yesterday\n", encoding="utf-8")
    result = run_limited(2_000, "graph", CS, "-o", str(diagram))  # the customer line's diagram is bigger
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"cannot write {diagram}: File too large" in result.stderr
    assert diagram.read_text(encoding="utf-8") == "the diagram from yesterday\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["menu.mmd"]
