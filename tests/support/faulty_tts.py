"""A pyttsx3 driver that breaks mid-prompt, for testing what the caller sees when speech fails.

pyttsx3 loads drivers by module name (``pyttsx3.drivers.<name>``); :func:`install` registers this one
under ``faulty_hang`` and ``faulty_raise``. Both speak the first prompt normally (word events, then
finished) and break on the second one after its first word:

- ``faulty_hang``: the driver stops answering, as a driver blocked on a dead audio device does;
- ``faulty_raise``: the driver raises; pyttsx3 swallows the error and stays busy, so it hangs too.
"""

from __future__ import annotations

import sys
import threading
import types
from typing import Any

from pyttsx3.drivers.dummy import DummyDriver


class _Faulty(DummyDriver):  # type: ignore[misc]
    mode = "hang"

    def __init__(self, proxy: Any) -> None:
        super().__init__(proxy)
        self.prompts = 0
        self.released = threading.Event()

    def setProperty(self, name: str, value: Any) -> None:
        if name == "voice":  # the dummy driver's own voice setter fails on pyttsx3 2.99
            self._config["voice"] = next(v for v in self._config["voices"] if v.id == value)
        else:
            super().setProperty(name, value)

    def say(self, text: str) -> None:
        self.prompts += 1
        self._proxy.setBusy(True)
        self._proxy.notify("started-utterance")
        self._proxy.notify("started-word", location=0, length=len(text.split()[0]))
        if self.prompts >= 2:
            if self.mode == "raise":
                raise RuntimeError("the audio device went away")
            self.released.wait()  # never set: a driver that stopped answering
        self._proxy.notify("finished-utterance", completed=True)
        self._proxy.setBusy(False)


def install() -> None:
    for mode in ("hang", "raise"):
        cls = type(f"Faulty{mode.title()}", (_Faulty,), {"mode": mode})
        module = types.ModuleType(f"pyttsx3.drivers.faulty_{mode}")
        module.buildDriver = lambda proxy, cls=cls: cls(proxy)  # type: ignore[attr-defined]
        sys.modules[module.__name__] = module
