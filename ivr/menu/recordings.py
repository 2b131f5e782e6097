"""Recordings named on prompts (`audio:`).

A recording is either a WAV file beside the menu (``voices/welcome.wav``, for example what `ivr speak`
wrote), whose real length paces the prompt and which the voice plays, or a platform's own recording (an
Amazon Connect prompt ARN, a URL, ``freeswitch:ivr/ivr-welcome.wav``, ``asterisk:custom/welcome``): a
name with a scheme, never read, kept so that an export names it again. Either way the prompt's text is
what the caller hears when the recording cannot be played, and what a transcript shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # two characters at least, so `C:\x.wav` is a path
MAX_WAV_BYTES = 64 * 1024 * 1024  # over half an hour of 16-bit mono at 16 kHz
MAX_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Recording:
    """One prompt's recording: the name as written, and for a local WAV its path and length."""

    name: str
    path: Path | None = None  # the local WAV, when the name is a path (whether or not it is there)
    seconds: float | None = None  # its length, when it could be read
    problem: str | None = None  # why a local WAV cannot be used (missing, not a WAV)

    @property
    def platform(self) -> str | None:
        """The scheme of a platform's recording (``arn``, ``https``, ``freeswitch``), or None for a file."""
        match = SCHEME.match(self.name)
        return match.group(0)[:-1].lower() if match else None

    @property
    def playable(self) -> Path | None:
        """The local WAV to play, when there is one that could be read."""
        return self.path if self.seconds is not None else None


class OutsideFolder(ValueError):
    """A recording's path leads outside the menu's folder: it is never read."""


def wav_seconds(path: Path) -> float:
    """The length of a WAV file in seconds; :class:`ValueError` when it is not one."""
    import wave  # only menus that name a recording need it: kept off the start-up of every command

    try:
        with wave.open(str(path)) as handle:
            rate = handle.getframerate()
            if rate <= 0:
                raise ValueError("it has no frame rate")
            return handle.getnframes() / rate
    except (wave.Error, EOFError) as exc:
        raise ValueError("it is not a PCM WAV file" + (f" ({exc})" if str(exc) else "")) from None


def recording(name: str, folder: Path, root: Path) -> Recording:
    """The recording ``name`` written in a file in ``folder``, for a menu whose files are under ``root``;
    :class:`OutsideFolder` when it is a path leading out of ``root``."""
    if SCHEME.match(name):
        return Recording(name)
    path = (folder / name).resolve()
    if Path(name).is_absolute() or not path.is_relative_to(root.resolve()):
        raise OutsideFolder(f"the recording {name!r} is outside the menu's folder")
    if not path.is_file():
        return Recording(name, path, problem=f"{name} does not exist")
    try:
        if path.stat().st_size > MAX_WAV_BYTES:
            return Recording(name, path, problem=f"{name} is over {MAX_WAV_BYTES // 2**20} MB")
        seconds = wav_seconds(path)
    except (OSError, ValueError) as exc:
        return Recording(name, path, problem=f"{name} cannot be read: {exc}")
    if not 0 < seconds <= MAX_SECONDS:
        return Recording(name, path, problem=f"{name} lasts {seconds:g} s (0 to {MAX_SECONDS:g} s are played)")
    return Recording(name, path, seconds)


def recording_for(recordings: dict[str, dict[str, Recording]], node_id: str, language: str) -> Recording | None:
    """The recording of ``node_id``'s prompt in ``language`` (one written for every language counts)."""
    mine = recordings.get(node_id)
    if not mine:
        return None
    return mine.get(language) or mine.get("")
