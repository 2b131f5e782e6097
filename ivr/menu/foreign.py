"""Flows from other platforms, recognised by their content and imported; and loading one as a menu
directly, so that `ivr replay`, `ivr call` and the rest take a production flow as it is
(`menu: flow.json` in a script) without a YAML copy to keep in step."""

from __future__ import annotations

import functools
import hashlib
import tempfile
from collections.abc import Callable
from pathlib import Path

from ivr.menu.imported import Imported, ImportProblem
from ivr.source.atomic import write_atomic

FOREIGN_SUFFIXES = (".json", ".js", ".xml", ".vxml", ".conf", ".sample")  # files read as other platforms' flows
FORMATS = (
    "Twilio Studio flows (JSON with `states`), Amazon Connect flows (JSON with `Actions`), FreeSWITCH menus "
    "and callcenter.conf, VoiceXML 2.1 (XML), and Asterisk extensions.conf and queues.conf"
)


def importer_for(text: str, context: str | None = None) -> Callable[[str, str], Imported]:
    """The importer of the platform ``text`` is written for; :class:`ImportProblem` when none is."""
    # the importers are read only when a flow is: a YAML menu, the usual case, starts without them
    from ivr.menu.asterisk import import_asterisk, looks_like_asterisk
    from ivr.menu.connect import import_connect, looks_like_connect
    from ivr.menu.freeswitch import import_freeswitch, looks_like_freeswitch
    from ivr.menu.studio import import_studio, looks_like_studio
    from ivr.menu.voicexml import import_voicexml, looks_like_voicexml

    if context is not None and not looks_like_asterisk(text):
        raise ImportProblem("--context is for Asterisk dialplans, and this is not one")
    for looks_like, importer in (
        (looks_like_studio, import_studio),
        (looks_like_connect, import_connect),
        (looks_like_voicexml, import_voicexml),
        (looks_like_freeswitch, import_freeswitch),
    ):
        if looks_like(text):
            return importer
    if looks_like_asterisk(text):
        return functools.partial(import_asterisk, context=context)
    raise ImportProblem("this is not a flow ivr can import")


def is_foreign(path: Path) -> bool:
    """Whether ``path`` is read as another platform's flow: by its name, or, for a file named without a
    YAML suffix (Connect's console exports flows with no suffix at all), by its first character."""
    suffix = path.suffix.lower()
    if suffix in FOREIGN_SUFFIXES:
        return True
    if suffix in (".yaml", ".yml"):
        return False
    try:
        with path.open("rb") as head:
            first = head.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    except OSError:
        return False  # the YAML loader says what is wrong with the path
    return first in (b"{", b"<")


def imported_copy(path: Path, text: str) -> Path:
    """The flow at ``path`` imported to a menu file of its own in the temporary folder, named by the
    menu's own text (so another version of ivr, whose import differs, never reads a stale copy); raise
    :class:`ImportProblem` when it is not a flow."""
    imported = importer_for(text)(text, path.name)
    digest = hashlib.sha256(imported.text.encode("utf-8")).hexdigest()[:16]
    copy = Path(tempfile.gettempdir()) / "ivr-imported" / digest / f"{path.stem}.yaml"
    if not copy.is_file():
        copy.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(copy, imported.text)
    return copy
