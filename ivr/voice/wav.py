"""Write prompts to WAV files (headless, no audio device needed), cached by language and text."""

from __future__ import annotations

import contextlib
import hashlib
import io
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ivr.atomic import write_atomic
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
        audio = self._synthesise(text)
        try:
            write_atomic(target, audio)  # a half-written file never takes the cached name
        except OSError as exc:
            raise OSError(exc.errno, f"cannot write {target}: {exc.strerror or exc}") from None
        return Rendered(target, wav_seconds(target), False)

    def _synthesise(self, text: str) -> bytes:
        """The WAV bytes for ``text``, made in memory so a full disk cannot stall the engine.

        pyttsx3's espeak driver writes the file from inside a ctypes callback; when that write fails it
        raises there, the error is lost and ``runAndWait`` never returns. Given a buffer instead of a
        path (``wave.open`` takes either), the engine cannot fail on the disk; other drivers get a path.
        """
        buffer = io.BytesIO()
        espeak = _driver_name(self.engine) == "espeak"
        scratch = None
        if not espeak:
            scratch = tempfile.NamedTemporaryFile(suffix=".wav", dir=self.folder, delete=False)  # noqa: SIM115
            scratch.close()
        with contextlib.redirect_stdout(io.StringIO()):
            self.engine.save_to_file(text, buffer if espeak else scratch.name)  # type: ignore[union-attr]
            self.engine.runAndWait()  # one file per run: pyttsx3 keeps only the last save of a run
        if scratch is not None:
            path = Path(scratch.name)
            audio = path.read_bytes() if path.exists() else b""
            path.unlink(missing_ok=True)
        else:
            audio = buffer.getvalue()
        if len(audio) <= 44:
            raise VoiceUnavailable(f"the speech engine made no audio for {text[:40]!r}")
        return audio


def _driver_name(engine: Any) -> str:
    module = getattr(getattr(engine, "proxy", None), "_module", None)
    return str(getattr(module, "__name__", "")).rsplit(".", 1)[-1]
