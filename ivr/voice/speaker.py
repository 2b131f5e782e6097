"""Speak prompts from one worker thread that owns the engine, so the interface never waits on speech."""

from __future__ import annotations

import contextlib
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ivr.menu.recordings import wav_seconds
from ivr.voice.engine import VoiceUnavailable, audio_problem, open_engine, voice_for

_SAY, _STOP, _CLOSE = "say", "stop", "close"
HANG_AFTER = 10.0  # seconds of slack on every prompt before a silent engine counts as hung
SECONDS_PER_WORD = 1.0  # espeak speaks about 0.4 s a word at its default rate; this is generous
PLAYERS = ("pw-play", "paplay", "aplay", "afplay")  # PipeWire, PulseAudio, ALSA, macOS: the first found plays


def wav_player() -> str | None:
    """The command that plays a WAV file on this machine, or None when there is none."""
    return next((found for name in PLAYERS if (found := shutil.which(name))), None)


class Speaker:
    """``say`` queues a prompt; ``interrupt`` cuts the current one (barge-in); problems are told once.

    pyttsx3 engines must be created and driven in a single thread, so every call to the engine happens in
    the worker; the other methods only put commands on a queue or raise the interrupt flag, which the
    worker checks between words while a prompt plays.
    """

    def __init__(
        self,
        on_problem: Callable[[str], None],
        driver: str | None = None,
        check_audio: bool = True,
        hang_after: float | None = None,
    ) -> None:
        self.on_problem = on_problem
        self.hang_after = HANG_AFTER if hang_after is None else hang_after
        self.driver = driver
        self.check_audio = check_audio
        self.commands: queue.Queue[tuple[str, str, str, Path | None]] = queue.Queue()
        self.spoken: list[tuple[str, str]] = []  # (language, text) handed to the engine, for tests
        self.played: list[Path] = []  # recordings handed to the player, for tests
        self.player = wav_player()
        self.working = False
        self._thread: threading.Thread | None = None
        self._interrupted = threading.Event()
        self._told = False
        self._speaking_since: float | None = None  # when the engine got the prompt it is on
        self._allowed = 0.0  # how long that prompt may take before the engine counts as hung

    def start(self) -> None:
        problem = audio_problem() if self.check_audio else None
        if problem is not None:
            self._tell(f"{problem}; running in text mode")
            return
        self._thread = threading.Thread(target=self._run, name="ivr-voice", daemon=True)
        self._thread.start()

    def say(self, text: str, language: str, recording: Path | None = None) -> None:
        """Queue a prompt: its ``recording`` played where there is one and a player, else its text spoken."""
        self.check()
        if self._thread is not None and text.strip():  # empty text makes pyttsx3 raise
            self.commands.put((_SAY, text, language, recording if self.player else None))

    def check(self) -> bool:
        """Whether speech still works; a prompt stuck far past its length switches to text mode.

        An engine that hangs inside a prompt (a driver blocked on a device, a callback that died) never
        returns to the worker, so the worker cannot report it; this is asked from outside instead, by
        ``say`` and by the interface's timer. The stuck thread is a daemon and is left behind.
        """
        since = self._speaking_since
        if self._thread is not None and since is not None and time.monotonic() - since > self._allowed:
            self._thread = None
            self.working = False
            self._tell(f"speech stopped responding after {self._allowed:.1f} s on one prompt; running in text mode")
        return self._thread is not None

    def interrupt(self) -> None:
        if self._thread is not None:
            self._interrupted.set()
            with contextlib.suppress(queue.Empty):
                while True:
                    self.commands.get_nowait()
            self.commands.put((_STOP, "", "", None))

    def close(self, timeout: float = 2.0) -> None:
        if self._thread is not None:
            self.commands.put((_CLOSE, "", "", None))
            self._thread.join(timeout)
            self._thread = None

    def _play(self, recording: Path) -> bool:
        """Play a WAV with the system's player until it ends or the caller barges in; False when it could
        not be played (the text is spoken instead)."""
        assert self.player is not None
        try:
            process = subprocess.Popen(
                [self.player, str(recording)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        except OSError:
            return False
        self.played.append(recording)
        try:
            limit = time.monotonic() + self.hang_after + wav_seconds(recording)
        except (OSError, ValueError):
            limit = time.monotonic() + self.hang_after
        while process.poll() is None:
            if time.monotonic() > limit:
                process.kill()
                self._tell(f"the player ({self.player}) did not finish {recording.name}; it was stopped")
                return True
            if self._interrupted.wait(0.05):
                process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(1.0)
                if process.poll() is None:
                    process.kill()
                return True
        return process.returncode == 0

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

        def on_error(*_: object, exception: BaseException | None = None, **__: object) -> None:
            # pyttsx3 catches a driver's exception itself and only notifies it: the prompt is lost, so
            # say so; the engine may still speak the next one.
            self._tell(f"a prompt could not be spoken ({type(exception).__name__}: {exception}); the call goes on")

        try:
            engine.connect("started-word", on_word)
            engine.connect("error", on_error)
            self.working = True
            while True:
                command, text, language, recording = self.commands.get()
                if command == _CLOSE:
                    break
                if command == _STOP:
                    continue
                self._interrupted.clear()
                if recording is not None and self._play(recording):
                    continue
                if language not in voices:
                    voices[language] = voice_for(engine, language)
                if voices[language]:
                    engine.setProperty("voice", voices[language])
                self.spoken.append((language, text))
                self._allowed = self.hang_after + len(text.split()) * SECONDS_PER_WORD
                self._speaking_since = time.monotonic()
                # No redirect_stdout here: it swaps sys.stdout for the whole process, and a prompt that
                # hangs would keep every other thread's output swallowed for good.
                engine.say(text)
                engine.runAndWait()
                self._speaking_since = None
        except Exception as exc:  # a crashing engine mid-prompt must not take the app down
            self._tell(f"speech stopped ({type(exc).__name__}: {exc}); running in text mode")
        finally:
            self.working = False
            self._speaking_since = None
            if threading.current_thread() is self._thread:
                self._thread = None  # later prompts are text only; nothing is queued for a dead worker
