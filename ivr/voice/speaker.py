"""Speak prompts from one worker thread that owns the engine, so the interface never waits on speech."""

from __future__ import annotations

import contextlib
import io
import queue
import threading
from collections.abc import Callable

from ivr.voice.engine import VoiceUnavailable, audio_problem, open_engine, voice_for

_SAY, _STOP, _CLOSE = "say", "stop", "close"


class Speaker:
    """``say`` queues a prompt; ``interrupt`` cuts the current one (barge-in); problems are told once.

    pyttsx3 engines must be created and driven in a single thread, so every call to the engine happens in
    the worker; the other methods only put commands on a queue or raise the interrupt flag, which the
    worker checks between words while a prompt plays.
    """

    def __init__(self, on_problem: Callable[[str], None], driver: str | None = None, check_audio: bool = True) -> None:
        self.on_problem = on_problem
        self.driver = driver
        self.check_audio = check_audio
        self.commands: queue.Queue[tuple[str, str, str]] = queue.Queue()
        self.spoken: list[tuple[str, str]] = []  # (language, text) handed to the engine, for tests
        self.working = False
        self._thread: threading.Thread | None = None
        self._interrupted = threading.Event()
        self._told = False

    def start(self) -> None:
        problem = audio_problem() if self.check_audio else None
        if problem is not None:
            self._tell(f"{problem}; running in text mode")
            return
        self._thread = threading.Thread(target=self._run, name="ivr-voice", daemon=True)
        self._thread.start()

    def say(self, text: str, language: str) -> None:
        if self._thread is not None and text.strip():  # empty text makes pyttsx3 raise
            self.commands.put((_SAY, text, language))

    def interrupt(self) -> None:
        if self._thread is not None:
            self._interrupted.set()
            with contextlib.suppress(queue.Empty):
                while True:
                    self.commands.get_nowait()
            self.commands.put((_STOP, "", ""))

    def close(self, timeout: float = 2.0) -> None:
        if self._thread is not None:
            self.commands.put((_CLOSE, "", ""))
            self._thread.join(timeout)
            self._thread = None

    def _tell(self, message: str) -> None:
        if not self._told:
            self._told = True
            self.on_problem(message)

    def _run(self) -> None:
        try:
            engine = open_engine(self.driver)
        except VoiceUnavailable as exc:
            self._tell(f"{exc}; running in text mode")
            return
        voices: dict[str, str | None] = {}

        def on_word(*_: object, **__: object) -> None:
            if self._interrupted.is_set():  # barge-in, checked between words in the worker's own thread
                engine.stop()

        try:
            engine.connect("started-word", on_word)
            self.working = True
            while True:
                command, text, language = self.commands.get()
                if command == _CLOSE:
                    break
                if command == _STOP:
                    continue
                self._interrupted.clear()
                if language not in voices:
                    voices[language] = voice_for(engine, language)
                if voices[language]:
                    engine.setProperty("voice", voices[language])
                self.spoken.append((language, text))
                with contextlib.redirect_stdout(io.StringIO()):
                    engine.say(text)
                    engine.runAndWait()
        except Exception as exc:  # a crashing engine mid-prompt must not take the app down
            self._tell(f"speech stopped ({type(exc).__name__}: {exc}); running in text mode")
        finally:
            self.working = False
