"""How long a prompt takes to say: a reading pace per language, or the real length of a recorded WAV.

Every live call uses the same pacing (console, TUI, replay, load), so a script, a demo and a load run
agree on when a prompt ends and so on when the caller's timeout starts.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from ivr.source.diagnostics import Diagnostic, IvrError

# Words a second, measured on espeak-ng at its default rate; languages not listed use DEFAULT_PACE.
READING_PACE: dict[str, float] = {"en": 2.6, "ur": 2.2}
DEFAULT_PACE = 2.6
SHORTEST = 0.5  # even "Goodbye." takes this long


def reading_seconds(text: str, language: str | None = None) -> float:
    """How long ``text`` takes to read aloud at the language's pace."""
    pace = READING_PACE.get(language or "", DEFAULT_PACE)
    return max(SHORTEST, len(text.split()) / pace)


@dataclass
class Pacing:
    """Seconds a prompt takes: measured WAV lengths where given (by prompt id and language, or by text),
    else the reading pace."""

    by_id: dict[tuple[str, str], float] = field(default_factory=dict)
    by_text: dict[tuple[str, str], float] = field(default_factory=dict)

    def __call__(self, text: str, language: str, prompt_id: str = "") -> float:
        seconds = self.by_id.get((prompt_id, language))
        if seconds is None:
            seconds = self.by_text.get((text, language))
        return seconds if seconds is not None else reading_seconds(text, language)

    def seconds_for(self, prompt_id: str, language: str, text: str) -> float:
        """The same, with the arguments in the order :func:`ivr.menu.timing.time_to_reach` passes them."""
        return self(text, language, prompt_id)

    @classmethod
    def from_voices(cls, folder: Path) -> Pacing:
        """The lengths in the ``manifest.json`` that ``ivr speak`` writes; raises IvrError when unreadable."""
        manifest = folder / "manifest.json"
        try:
            document = json.loads(manifest.read_text(encoding="utf-8"))
            by_id: dict[tuple[str, str], float] = {}
            by_text: dict[tuple[str, str], float] = {}
            for entry in document["prompts"]:
                seconds = float(entry["seconds"])
                if not math.isfinite(seconds) or not 0 <= seconds <= 3600:
                    raise ValueError(f"prompt {entry.get('prompt_id')!r} has a length of {seconds} s")
                by_id[(str(entry["prompt_id"]), str(entry["language"]))] = seconds
                by_text[(str(entry["text"]), str(entry["language"]))] = seconds
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problem = Diagnostic(
                str(manifest),
                1,
                1,
                f"cannot read the voices' manifest: {exc}",
                hint="write it with `ivr speak FILE -o DIR`",
            )
            raise IvrError([problem]) from None
        return cls(by_id, by_text)


READING = Pacing()
