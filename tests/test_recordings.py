"""Prompts that name a recording (`audio:`): a WAV beside the menu paces and plays the prompt, a
platform's recording is kept for export, and both travel through import and export."""

from __future__ import annotations

import json
import wave
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from ivr.menu import load_menu
from ivr.menu.lint import lint_menu
from ivr.source.diagnostics import MenuError
from tests.conftest import connect_flow, run_ivr

RECORDED = """
version: 1
name: recorded
start: hello
defaults: {{ representative: desk }}
queues: {{ sales: {{}} }}
nodes:
  hello:
    type: menu
    prompt: Welcome to Northwind. For sales, press 1.
    audio: {audio}
    timeout: 5
    options:
      "1": {{ goto: desk }}
  desk:
    type: queue
    queue: sales
"""
AUDIO_LINE = RECORDED.splitlines().index("    audio: {audio}") + 1  # where a diagnostic about it must point


def write_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\0\0" * int(rate * seconds))
    return path


def played(menu: Path, keys: str = "wait") -> list[dict[str, object]]:
    """The events of a call playing ``keys`` on ``menu``, on the one driver, paced as `ivr call` is."""
    from ivr.call import Caller, SimClock
    from ivr.call.keys import parse_keys, play_steps
    from ivr.call.line import Line

    loaded = load_menu(menu)
    events: list[object] = []
    clock = SimClock(datetime(2026, 11, 24, 10, 0, tzinfo=loaded.timezone))
    live = Line(loaded, clock, seed=1, background=False).dial(Caller(), [events.append])
    play_steps(live, parse_keys(keys))
    return [e.to_dict() for e in events]  # type: ignore[attr-defined]


def test_a_recording_beside_the_menu_paces_its_prompt_by_its_real_length(write_menu: Callable[..., Path]) -> None:
    """The 7.5 s recording, not the reading pace of its text (about 3 s), decides when the caller has heard
    the prompt: the first timeout comes 5 s after the recording ends."""
    menu = write_menu(RECORDED.format(audio="voices/welcome.wav"))
    write_wav(menu.parent / "voices" / "welcome.wav", 7.5)
    events = played(menu)
    first = next(e for e in events if e["event"] == "prompt_played")
    assert first["audio"] == "voices/welcome.wav" and first["text"].startswith("Welcome to Northwind")
    assert next(e["at"] for e in events if e["event"] == "no_input") == pytest.approx(12.5)


def test_a_platform_recording_is_kept_but_the_text_is_said_and_paced(write_menu: Callable[..., Path]) -> None:
    menu = write_menu(RECORDED.format(audio="arn:aws:connect:eu-west-2:111122223333:instance/i/prompt/p"))
    events = played(menu)
    first = next(e for e in events if e["event"] == "prompt_played")
    assert first["audio"].startswith("arn:aws:connect:")
    no_input = next(e["at"] for e in events if e["event"] == "no_input")
    assert 5 < no_input < 12.5  # the reading pace of the text, then the timeout
    assert not lint_menu(load_menu(menu))  # a platform's recording is never read, so never "missing"


def test_a_prompt_without_audio_says_nothing_of_a_recording(write_menu: Callable[..., Path]) -> None:
    menu = write_menu(RECORDED.format(audio="null"))
    first = next(e for e in played(menu) if e["event"] == "prompt_played")
    assert "audio" not in first  # the event's JSON is what it was before recordings


def test_recordings_that_cannot_be_used_are_named_at_their_line(write_menu: Callable[..., Path]) -> None:
    menu = write_menu(RECORDED.format(audio="{ en: voices/missing.wav }"))
    (found,) = [d for d in lint_menu(load_menu(menu)) if d.rule == "audio-unusable"]
    assert found.line == AUDIO_LINE and "voices/missing.wav does not exist" in found.message
    broken = menu.parent / "voices" / "broken.wav"
    broken.parent.mkdir()
    broken.write_text("not a wav", encoding="utf-8")
    menu.write_text(RECORDED.format(audio="voices/broken.wav"), encoding="utf-8")
    (found,) = [d for d in lint_menu(load_menu(menu)) if d.rule == "audio-unusable"]
    assert "not a PCM WAV" in found.message
    events = played(menu)  # the text is said in its place
    assert next(e for e in events if e["event"] == "prompt_played")["text"].startswith("Welcome")


def test_a_recording_outside_the_menus_folder_or_on_a_node_without_prompt_is_refused(
    write_menu: Callable[..., Path],
) -> None:
    menu = write_menu(RECORDED.format(audio="../../../etc/passwd"))
    with pytest.raises(MenuError) as refused:
        load_menu(menu)
    (problem,) = refused.value.diagnostics
    assert problem.line == AUDIO_LINE and "outside the menu's folder" in problem.message
    result = run_ivr("check", str(menu))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    menu.write_text(
        RECORDED.format(audio="x.wav").replace("    queue: sales\n", "    queue: sales\n    audio: x.wav\n"),
        encoding="utf-8",
    )
    with pytest.raises(MenuError) as refused:
        load_menu(menu)
    assert any("this node has no prompt" in d.message for d in refused.value.diagnostics)


def test_a_script_expects_the_recording_a_prompt_played(write_menu: Callable[..., Path]) -> None:
    menu = write_menu(RECORDED.format(audio="voices/welcome.wav"))
    write_wav(menu.parent / "voices" / "welcome.wav", 2.0)
    script = write_menu(
        """
        menu: menu.yaml
        calls:
          - name: the welcome is the recording
            steps:
              - expect: { prompt: { audio: voices/welcome.wav } }
              - press: 1
              - expect: { queued: sales, within: 2 }
          - name: another recording was not played
            steps:
              - not: { prompt: { audio: voices/other.wav } }
        """,
        "recorded.call.yaml",
    )
    result = run_ivr("replay", str(script), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["passed"] == 2


FLOWS = {  # a small flow of each platform that plays a recording, and the `audio:` it imports as
    "dialplan.conf": (
        "[from-outside]\nexten => s,1,Answer()\nsame => n,Background(custom/welcome&custom/options)\n"
        "same => n,WaitExten(5)\nexten => 1,1,Hangup()\n",
        "asterisk:custom/welcome&custom/options",
    ),
    "ivr.conf.xml": (
        '<include><menu name="main" greet-long="ivr/ivr-welcome.wav" timeout="5000" max-failures="3">'
        '<entry action="menu-exec-app" digits="1" param="hangup"/></menu></include>',
        "freeswitch:ivr/ivr-welcome.wav",
    ),
    "hello.vxml": (
        '<?xml version="1.0"?><vxml version="2.1" xmlns="http://www.w3.org/2001/vxml"><form id="hi"><block>'
        '<prompt><audio src="sounds/hello.wav">Hello, and welcome.</audio></prompt><exit/></block></form></vxml>',
        "vxml:sounds/hello.wav",
    ),
    "studio.json": (
        json.dumps(
            {
                "description": "x",
                "states": [
                    {"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingCall", "next": "hi"}]},
                    {
                        "name": "hi",
                        "type": "say-play",
                        "transitions": [{"event": "audioComplete"}],
                        "properties": {"play": "https://example.com/hello.mp3", "loop": 1},
                    },
                ],
                "initial_state": "Trigger",
                "flags": {"allow_concurrent_calls": True},
            }
        ),
        "https://example.com/hello.mp3",
    ),
    "connect.json": (
        connect_flow({"PromptId": "arn:aws:connect:eu-west-2:1:instance/i/prompt/hello"}),
        "arn:aws:connect:eu-west-2:1:instance/i/prompt/hello",
    ),
}


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_an_imported_flow_keeps_the_recordings_it_plays(name: str, tmp_path: Path) -> None:
    text, audio = FLOWS[name]
    flow = tmp_path / name
    flow.write_text(text, encoding="utf-8")
    menu = load_menu(flow)
    kept = {r.name for found in menu.recordings.values() for r in found.values()}
    assert kept == {audio}
    assert not [d for d in lint_menu(menu) if d.rule == "audio-unusable"]  # never read as a file
    said = next(e for e in played(flow) if e["event"] == "prompt_played")
    assert said["audio"] == audio and said["text"]  # said as its text (or a note naming it)


TARGETS = {  # a recording each target plays, the file it writes, and the recording that comes back
    "asterisk": ("asterisk:custom/welcome", "extensions.conf", "asterisk:custom/welcome"),
    "freeswitch": ("freeswitch:ivr/ivr-welcome.wav", "ivr_menus/recorded.xml", "freeswitch:ivr/ivr-welcome.wav"),
    "voicexml": ("https://example.com/welcome.wav", "recorded.vxml", "https://example.com/welcome.wav"),
    "studio": ("https://example.com/welcome.mp3", "recorded.studio.json", "https://example.com/welcome.mp3"),
    "connect": ("arn:aws:connect:eu-west-2:1:instance/i/prompt/p", "recorded.connect.json", None),
}


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_a_recording_goes_out_to_each_platform_and_comes_back(
    target: str, tmp_path: Path, write_menu: Callable[..., Path]
) -> None:
    audio, written, back = TARGETS[target]
    menu = write_menu(RECORDED.format(audio=audio))
    out = tmp_path / "out"
    result = run_ivr("export", str(menu), "--to", target, "-o", str(out))
    assert result.returncode == 0, result.stderr
    report = (out / "export-report.md").read_text(encoding="utf-8")
    if target == "voicexml":  # the text stays, as the fallback inside <audio>
        assert "the prompt's text" not in report
        assert "Welcome to Northwind" in (out / written).read_text(encoding="utf-8")
    else:
        assert f"hello: the prompt's text: the recording {audio} is played in its place" in report
    imported = load_menu(out / written)
    kept = {r.name for found in imported.recordings.values() for r in found.values()}
    assert kept == {back or audio}


def test_a_recording_a_target_cannot_play_is_reported_and_its_text_said(
    tmp_path: Path, write_menu: Callable[..., Path]
) -> None:
    menu = write_menu(RECORDED.format(audio="voices/welcome.wav"))
    write_wav(menu.parent / "voices" / "welcome.wav", 2.0)
    result = run_ivr("export", str(menu), "--to", "studio", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    flow = json.loads((tmp_path / "out" / "recorded.studio.json").read_text(encoding="utf-8"))
    (gather,) = [s for s in flow["states"] if s["name"] == "hello"]
    assert gather["properties"]["say"].startswith("Welcome to Northwind") and "play" not in gather["properties"]
    assert "the recording voices/welcome.wav: Twilio Studio cannot play it" in result.stderr


def test_the_time_to_reach_a_destination_counts_the_recordings_length(write_menu: Callable[..., Path]) -> None:
    """`ivr check --timing` and a call agree: a 7.5 s recording takes 7.5 s, whatever its text's length."""
    from ivr.call.pacing import READING
    from ivr.menu.timing import time_to_reach

    menu = write_menu(RECORDED.format(audio="voices/welcome.wav"))
    write_wav(menu.parent / "voices" / "welcome.wav", 7.5)
    (desk,) = time_to_reach(load_menu(menu), "en", READING.seconds_for)
    assert 7.5 <= desk.best < 7.5 + READING("Welcome to Northwind. For sales, press 1.", "en")
