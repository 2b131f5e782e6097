"""Write prompts to WAV files (headless, no audio device needed), cached by language and text."""

from __future__ import annotations

import contextlib
import hashlib
import io
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ivr.voice.engine import VoiceUnavailable, open_engine, voice_for


@dataclass(frozen=True)
class Rendered:
    path: Path
    seconds: float
    cached: bool


def wav_name(language: str, text: str) -> str:
    digest = hashlib.sha1(f"{language}\0{text}".encode()).hexdigest()[:16]
    return f"{language}-{digest}.wav"


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as handle:
        return handle.getnframes() / handle.getframerate()


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
        if self.voices[language]:
            self.engine.setProperty("voice", self.voices[language])
        partial = target.with_suffix(".part.wav")
        with contextlib.redirect_stdout(io.StringIO()):
            self.engine.save_to_file(text, str(partial))
            self.engine.runAndWait()  # one file per run: pyttsx3 keeps only the last save of a run
        if not partial.exists() or partial.stat().st_size <= 44:
            partial.unlink(missing_ok=True)
            raise VoiceUnavailable(f"the speech engine wrote no audio for {text[:40]!r} (is the disk full?)")
        partial.replace(target)  # a half-written file never takes the cached name
        return Rendered(target, wav_seconds(target), False)
