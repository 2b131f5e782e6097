"""The footer of keys, rebuilt only when the keys it shows change."""

from __future__ import annotations

from collections.abc import Hashable

from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's footer rebuilds all its keys (about twenty widgets) whenever the screen's bindings are
    refreshed, which happens on every focus change and state change even when the keys shown stay the
    same: three times before the first frame, and again after key presses. This one rebuilds only when
    what it would show differs from what it shows."""

    _shown: Hashable = None

    def _keys_shown(self) -> Hashable:
        bindings = self.screen.active_bindings.values()
        keys = tuple((b.key, b.action, b.description, on, tip) for _, b, on, tip in bindings if b.show)
        return (self.show_command_palette, keys)

    def watch_show_command_palette(self) -> None:
        self.refresh(recompose=True)  # Textual's footer showed the change only at the next change of keys

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        shown = self._keys_shown() if self._bindings_ready else None
        if shown is not None and shown == self._shown:
            return
        self._shown = shown
        await super().recompose()
