"""A folder of spoken prompts: every prompt of a menu written to WAV, and the manifest that lists them.

`ivr speak` writes it; `--voices DIR` reads it back (:meth:`ivr.call.pacing.Pacing.from_voices`) so that
calls are paced by the real lengths of the prompts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ivr.menu.compiled import Menu
from ivr.menu.timing import PromptText, menu_prompts
from ivr.source.atomic import write_atomic
from ivr.voice.engine import VoiceUnavailable
from ivr.voice.wav import WavWriter

MANIFEST = "manifest.json"


class SpeakFailed(Exception):
    """A prompt could not be spoken or the manifest could not be written; what was written stays usable."""


@dataclass
class Library:
    """What one `ivr speak` run wrote."""

    folder: Path
    entries: list[dict[str, Any]] = field(default_factory=list)
    made: int = 0
    cached: int = 0

    @property
    def seconds(self) -> float:
        return float(sum(e["seconds"] for e in self.entries))


def prompts_to_speak(menu: Menu, languages: tuple[str, ...] = ()) -> list[PromptText]:
    """Every prompt of ``menu`` in every language (or only ``languages``)."""
    return [p for p in menu_prompts(menu) if not languages or p.language in languages]


def speak_menu(
    menu: Menu,
    folder: Path,
    prompts: list[PromptText],
    driver: str | None = None,
) -> Library:
    """Write ``prompts`` as WAV files in ``folder`` (cached by language and text) and the manifest.

    On a failure the manifest is written with every prompt spoken so far before :class:`SpeakFailed`."""
    writer = WavWriter(folder, driver)
    library = Library(folder)
    for prompt in prompts:
        try:
            rendered = writer.render(prompt.text, prompt.language)
        except (VoiceUnavailable, OSError) as exc:
            write_manifest(library, menu)
            raise SpeakFailed(f"cannot speak {prompt.prompt_id} ({prompt.language}): {exc}") from exc
        library.cached += rendered.cached
        library.made += not rendered.cached
        library.entries.append(
            {
                "prompt_id": prompt.prompt_id,
                "language": prompt.language,
                "text": prompt.text,
                "file": rendered.path.name,
                "seconds": round(rendered.seconds, 3),
            }
        )
    write_manifest(library, menu)
    return library


def write_manifest(library: Library, menu: Menu) -> Path:
    """Write (atomically) the manifest of what ``library`` holds."""
    document = {"menu": menu.name, "languages": menu.languages, "prompts": library.entries}
    target = library.folder / MANIFEST
    try:
        write_atomic(target, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise SpeakFailed(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target
