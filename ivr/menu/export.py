"""`ivr export`: a menu in the files another platform loads, with the report of what was lost."""

from __future__ import annotations

from collections.abc import Callable

from ivr.menu.compiled import Menu
from ivr.menu.export_asterisk import export_asterisk
from ivr.menu.export_common import Exported
from ivr.menu.export_connect import export_connect
from ivr.menu.export_freeswitch import export_freeswitch
from ivr.menu.export_studio import export_studio
from ivr.menu.export_vxml import export_voicexml

EXPORTERS: dict[str, Callable[[Menu], Exported]] = {
    "asterisk": export_asterisk,
    "freeswitch": export_freeswitch,
    "voicexml": export_voicexml,
    "studio": export_studio,
    "connect": export_connect,
}
PLATFORMS = tuple(EXPORTERS)


def export_menu(menu: Menu, platform: str) -> Exported:
    """The menu in ``platform``'s files (one of :data:`PLATFORMS`)."""
    return EXPORTERS[platform](menu)
