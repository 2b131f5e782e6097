"""Opening pyttsx3 and choosing a voice per language."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import io
import os
import shutil
import sys
from pathlib import Path
from typing import Any


class VoiceUnavailable(Exception):
    """Text-to-speech cannot be used here; the message says why and what to install."""


def use_bundled_espeak(force: bool = False) -> str | None:
    """Where no espeak-ng is installed (a fresh machine after `make run`), load the one the
    `espeakng-loader` wheel ships, with its voice data, so that pyttsx3 finds it: it asks the dynamic
    loader for `libespeak-ng.so.1`, which is then the library already loaded. The path used, or None
    when the system's own is there (it is preferred) or neither is."""
    if not sys.platform.startswith("linux"):
        return None
    if not force and ctypes.util.find_library("espeak-ng"):
        return None
    try:
        import espeakng_loader
    except ImportError:
        return None
    library = str(espeakng_loader.get_library_path())
    try:
        ctypes.CDLL(library, mode=ctypes.RTLD_GLOBAL)
    except OSError:
        return None
    os.environ.setdefault("ESPEAK_DATA_PATH", str(espeakng_loader.get_data_path()))
    return library


def open_engine(driver: str | None = None) -> Any:
    """A pyttsx3 engine, or :class:`VoiceUnavailable` with a readable reason."""
    if driver in (None, "espeak"):
        use_bundled_espeak()
    try:
        import pyttsx3

        with contextlib.redirect_stdout(io.StringIO()):
            return pyttsx3.init(driver) if driver else pyttsx3.init()
    except Exception as exc:  # pyttsx3 raises many kinds when no engine or library is there
        raise VoiceUnavailable(
            f"no text-to-speech engine ({type(exc).__name__}: {exc}); install espeak-ng (apt-get install espeak-ng)"
        ) from None


def voice_for(engine: Any, language: str) -> str | None:
    """The id of the engine's voice for ``language`` (``en``, ``ur``, ...), or None to keep the default."""
    try:
        voices = engine.getProperty("voices") or []
    except Exception:
        return None
    best = None
    for voice in voices:
        codes = [str(c).lower() for c in (getattr(voice, "languages", None) or [])]
        vid = str(getattr(voice, "id", ""))
        if language in codes or vid.endswith("/" + language) or vid == language:
            return vid
        if best is None and any(c.startswith(language + "-") for c in codes):
            best = vid
    return best


def audio_problem() -> str | None:
    """Why spoken prompts would not be heard here, or None when they can be."""
    if shutil.which("aplay") is None:
        return "no audio player (install alsa-utils for aplay)"
    if not Path("/dev/snd").exists():
        return "no sound device on this machine"
    return None
