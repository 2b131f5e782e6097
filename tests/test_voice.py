"""Voice: real espeak-ng where installed (WAVs written headless), a clear fallback where not."""

from __future__ import annotations

import json
import shutil
import time
import wave
from pathlib import Path

import pytest

from ivr.voice.engine import VoiceUnavailable, open_engine, voice_for
from ivr.voice.speaker import Speaker
from ivr.voice.wav import WavWriter
from tests.conftest import run_ivr, toasts


def espeak_available() -> bool:
    if shutil.which("espeak-ng") is None:
        return False
    try:
        open_engine()
    except VoiceUnavailable:
        return False
    return True


needs_espeak = pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")


@needs_espeak
def test_wavs_in_english_and_urdu(tmp_path: Path) -> None:
    writer = WavWriter(tmp_path)
    english = writer.render("For billing, press 1.", "en")
    urdu = writer.render("شکایت کے لیے 1 دبائیں۔", "ur")
    for rendered in (english, urdu):
        assert not rendered.cached and rendered.path.exists()
        with wave.open(str(rendered.path)) as handle:
            assert handle.getnframes() > 0
        assert 0.5 < rendered.seconds < 10
    assert writer.render("For billing, press 1.", "en").cached
    assert voice_for(writer.engine, "ur") is not None


@needs_espeak
def test_a_bilingual_first_prompt_is_spoken_whole_and_in_the_right_voice(write_menu: object) -> None:
    """The README's `ivr speak` once failed on a first prompt mixing English and Urdu ("made no audio"),
    Urdu came out in the English voice (letters spelt out), and pyttsx3's "Audio saved to" leaked."""
    menu = write_menu(  # type: ignore[operator]
        """
        name: bilingual
        languages: [en, ur]
        start: hello
        nodes:
          hello:
            type: hangup
            prompt:
              en: "Welcome to Roshan Telecom. For English, press 1. اردو کے لیے 2 دبائیں۔"
              ur: "معاف کیجیے، ہمیں آپ کا کوئی جواب نہیں ملا۔"
        """
    )
    out = menu.parent / "voices"
    result = run_ivr("speak", str(menu), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "Audio saved" not in result.stdout + result.stderr
    lengths = {p["language"]: p["seconds"] for p in json.loads((out / "manifest.json").read_text())["prompts"]}
    words = {"en": 13, "ur": 9}
    for language, seconds in lengths.items():  # whole (not cut) and at a speaking pace (not spelt out)
        assert words[language] / 6 < seconds < words[language] / 0.5, (language, seconds)


@needs_espeak
def test_speaker_worker_speaks_in_its_own_thread_and_stops_cleanly() -> None:
    problems: list[str] = []
    speaker = Speaker(problems.append, check_audio=False)
    speaker.start()
    speaker.say("For billing, press 1.", "en")
    speaker.say("", "en")  # empty text is never handed to the engine (pyttsx3 raises on it)
    speaker.say("اردو کے لیے 2 دبائیں", "ur")
    deadline = time.monotonic() + 10
    while len(speaker.spoken) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    speaker.interrupt()
    speaker.close()
    assert speaker.spoken == [("en", "For billing, press 1."), ("ur", "اردو کے لیے 2 دبائیں")]
    assert problems == []


@needs_espeak
def test_a_recording_is_played_in_place_of_its_text_and_a_key_cuts_it(tmp_path: Path) -> None:
    """With a player on the machine the speaker plays a prompt's WAV instead of speaking its text, and
    barge-in stops the player; without a recording the text is spoken as before."""
    log = tmp_path / "played.txt"
    player = tmp_path / "player"
    player.write_text(f'#!/bin/sh\necho "$1" >> {log}\nsleep 30\n', encoding="utf-8")
    player.chmod(0o755)
    wav = tmp_path / "welcome.wav"
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 8000)
    problems: list[str] = []
    speaker = Speaker(problems.append, check_audio=False)
    speaker.player = str(player)
    speaker.start()
    speaker.say("Welcome to Northwind.", "en", wav)
    deadline = time.monotonic() + 10
    while not log.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    speaker.interrupt()  # the caller presses a key: the 30 s "recording" stops at once
    speaker.say("For billing, press 1.", "en")
    while not speaker.spoken and time.monotonic() < deadline:
        time.sleep(0.05)
    speaker.close()
    assert log.read_text(encoding="utf-8").split() == [str(wav)]
    assert speaker.played == [wav] and speaker.spoken == [("en", "For billing, press 1.")]
    assert time.monotonic() - started < 5 and problems == []


def test_no_audio_is_said_once_and_the_rest_is_text() -> None:
    problems: list[str] = []
    speaker = Speaker(problems.append, driver="no-such-driver", check_audio=False)
    speaker.start()
    speaker.say("hello", "en")
    deadline = time.monotonic() + 10
    while not problems and time.monotonic() < deadline:
        time.sleep(0.05)
    speaker.say("again", "en")
    speaker.close()
    assert len(problems) == 1 and "running in text mode" in problems[0]
    assert speaker.spoken == []


@needs_espeak
def test_speak_command_writes_wavs_and_a_manifest(tmp_path: Path) -> None:
    out = tmp_path / "voices"
    result = run_ivr("speak", "menus/it-helpdesk.yaml", "-o", str(out))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    ids = {p["prompt_id"] for p in manifest["prompts"]}
    assert {"main.prompt", "main.short_prompt", "employee_id.invalid", "main.no_input.1"} <= ids
    assert all((out / p["file"]).exists() and p["seconds"] > 0 for p in manifest["prompts"])
    again = run_ivr("speak", "menus/it-helpdesk.yaml", "-o", str(out))
    assert "(0 new," in again.stdout
    timing = run_ivr("check", "--timing", "--voices", str(out), "menus/it-helpdesk.yaml", "--format", "json")
    reaches = json.loads(timing.stdout)["files"][0]["timing"]["en"]
    assert {r["source"] for r in reaches} == {"wav"}
    hardware = next(r for r in reaches if r["destination"] == "hardware_queue")
    assert hardware["path"] == ["hours", "welcome", "main", "hardware_queue"]
    assert 5 < hardware["best"] < hardware["worst"]


def test_check_timing_estimates_without_voices() -> None:
    result = run_ivr("check", "--timing", "menus/customer-service.yaml")
    assert result.returncode == 0
    assert "seconds before each destination, estimated from the words" in result.stdout
    assert "(ur)" in result.stdout and "billing_queue" in result.stdout
    missing = run_ivr("check", "--timing", "--voices", "/nonexistent", "menus/customer-service.yaml")
    assert missing.returncode == 2 and "ivr speak" in missing.stderr


async def test_tui_says_once_when_it_cannot_speak() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from ivr.tui.app import IvrApp
    from ivr.tui.panels import PromptBox
    from tests.conftest import MENUS

    tui = IvrApp(
        MENUS / "customer-service.yaml",
        at=datetime(2026, 11, 24, 11, tzinfo=ZoneInfo("Asia/Karachi")),
        paused=True,
        traffic=False,
        mute=False,
        voice_driver="no-such-driver",
    )
    async with tui.run_test(size=(100, 32), notifications=True) as pilot:
        await pilot.press("c", "1")
        assert tui.call is not None
        tui.advance(tui.call.settled_at() - tui.clock.now())  # the greeting, then the main menu's prompt
        await pilot.pause(0.5)
        messages = toasts(tui)  # as shown on screen
        assert sum("running in text mode" in m for m in messages) == 1
        assert "For a complaint" in tui.query_one("#prompt", PromptBox).shown_text()


def test_the_espeak_ng_of_the_wheel_speaks_where_none_is_installed(tmp_path: Path) -> None:
    """Issue 15: after `make run` on a fresh machine the simulator was silent until espeak-ng came from
    apt. The `espeakng-loader` wheel ships the library and its voices; loaded first, pyttsx3 takes it.
    Run in a process of its own, so that it is the wheel's library that speaks, not the system's."""
    import subprocess
    import sys

    pytest.importorskip("espeakng_loader")
    code = (
        "import sys, wave\n"
        "from pathlib import Path\n"
        "from ivr.voice.engine import use_bundled_espeak\n"
        "used = use_bundled_espeak(force=True)\n"
        "assert used and 'espeakng_loader' in used, used\n"
        "from ivr.voice.wav import WavWriter\n"
        f"rendered = WavWriter(Path({str(tmp_path)!r})).render('For billing, press 1.', 'en')\n"
        "with wave.open(str(rendered.path)) as handle: print(handle.getnframes())\n"
        "maps = open('/proc/self/maps').read()\n"
        "print('wheel' if 'espeakng_loader/libespeak-ng' in maps else 'system')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    frames, which = result.stdout.split()
    assert int(frames) > 0 and which == "wheel"
