"""Write prompts to WAV files (headless, no audio device needed), cached by language and text."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import io
import sys
import tempfile
import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ivr.menu.recordings import wav_seconds
from ivr.source.atomic import write_atomic
from ivr.voice.engine import VoiceUnavailable, open_engine, voice_for

ESPEAK_RATE = 22050  # samples a second: what pyttsx3 initialises espeak-ng's retrieval mode with
SYNTH_LIMIT = 10.0  # seconds (plus one a word) a prompt may take to synthesise


@dataclass(frozen=True)
class Rendered:
    path: Path
    seconds: float
    cached: bool


def wav_name(language: str, text: str) -> str:
    digest = hashlib.sha1(f"{language}\0{text}".encode()).hexdigest()[:16]
    return f"{language}-{digest}.wav"


class WavWriter:
    """One engine, used from the calling thread only, writing one file per text."""

    def __init__(self, folder: Path, driver: str | None = None) -> None:
        self.folder = folder
        self.engine: Any = None
        self.driver = driver
        self.voices: dict[str, str | None] = {}

    def render(self, text: str, language: str) -> Rendered:
        """The WAV for ``text`` in ``language``: made now, or found from an earlier run."""
        target = self.folder / wav_name(language, text)
        if target.exists() and target.stat().st_size > 44:
            return Rendered(target, wav_seconds(target), True)
        if self.engine is None:
            self.engine = open_engine(self.driver)
        if language not in self.voices:
            self.voices[language] = voice_for(self.engine, language)
        audio = self._synthesise(text, self.voices[language])
        try:
            write_atomic(target, audio)  # a half-written file never takes the cached name
        except OSError as exc:
            raise OSError(exc.errno, f"cannot write {target}: {exc.strerror or exc}") from None
        return Rendered(target, wav_seconds(target), False)

    def _synthesise(self, text: str, voice: str | None) -> bytes:
        """The WAV bytes for ``text``, made in memory so a full disk cannot stall the engine."""
        if _driver_name(self.engine) == "espeak":
            audio = _espeak_wav(self.engine, text, voice)
        else:
            if voice:
                self.engine.setProperty("voice", voice)
            scratch = tempfile.NamedTemporaryFile(suffix=".wav", dir=self.folder, delete=False)  # noqa: SIM115
            scratch.close()
            with contextlib.redirect_stdout(io.StringIO()):
                self.engine.save_to_file(text, scratch.name)
                self.engine.runAndWait()  # one file per run: pyttsx3 keeps only the last save of a run
            path = Path(scratch.name)
            audio = path.read_bytes() if path.exists() else b""
            path.unlink(missing_ok=True)
        if len(audio) <= 44:
            raise VoiceUnavailable(f"the speech engine made no audio for {text[:40]!r}")
        return audio


def _espeak_wav(engine: Any, text: str, voice: str | None) -> bytes:
    """Synthesise ``text`` with the espeak-ng library the engine has loaded, collecting every sample.

    pyttsx3 2.99's espeak driver cannot be trusted with files: it writes the WAV when the end-of-message
    event comes and only then appends that callback's samples (the last chunk is lost), its loop can end
    before the message does (a mixed English/Urdu first prompt came out empty, "made no audio"), and it
    writes the file inside the ctypes callback, where a full disk hung ``runAndWait`` for ever. Here the
    voice is set on the library at once (pyttsx3 queues ``setProperty`` until ``runAndWait``), the
    samples are gathered in memory, and the wait is bounded.
    """
    driver = engine.proxy._driver
    espeak = sys.modules[type(driver).__module__]._espeak
    if voice:
        driver.setProperty("voice", voice)
    chunks: list[bytes] = []
    finished = threading.Event()

    def collect(wav: Any, numsamples: int, events: Any) -> int:
        if numsamples > 0:
            chunks.append(ctypes.string_at(wav, numsamples * ctypes.sizeof(ctypes.c_short)))
        i = 0
        while events[i].type != espeak.EVENT_LIST_TERMINATED:
            if events[i].type == espeak.EVENT_MSG_TERMINATED:
                finished.set()
            i += 1
        return 0

    espeak.SetSynthCallback(collect)
    try:
        espeak.Synth(text.encode("utf-8"), flags=espeak.ENDPAUSE | espeak.CHARS_UTF8)
        if not finished.wait(SYNTH_LIMIT + len(text.split())):
            espeak.Cancel()
            raise VoiceUnavailable(f"the speech engine did not finish {text[:40]!r}")
    finally:
        espeak.SetSynthCallback(driver._onSynth)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(ESPEAK_RATE)
        out.writeframes(b"".join(chunks))
    return buffer.getvalue()


def _driver_name(engine: Any) -> str:
    module = getattr(getattr(engine, "proxy", None), "_module", None)
    return str(getattr(module, "__name__", "")).rsplit(".", 1)[-1]
