"""What the TUI does with an error nobody expected: the full traceback goes to a log file, the terminal gets
one line naming it, and the command exits non-zero (Textual alone prints a screenful and `ivr run` used to
exit 0)."""

from __future__ import annotations

import traceback
from datetime import datetime
from pathlib import Path

from textual.app import App


def crash_log_dir() -> Path:
    """Where crash logs go: the platform's log folder for ivr (``~/.local/state/ivr/log`` on Linux)."""
    from platformdirs import user_log_dir

    return Path(user_log_dir("ivr"))


def write_crash_log(error: BaseException, folder: Path | None = None) -> Path | None:
    """Write ``error``'s traceback to a new file in ``folder``; None when even that cannot be written."""
    folder = folder or crash_log_dir()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = folder / f"crash-{stamp}.log"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as log:
            log.write("".join(traceback.format_exception(error)))
    except OSError:
        return None
    return path


def one_line(error: BaseException, log: Path | None) -> str:
    """The message a user sees: what went wrong in one line, and where the details are."""
    what = f"{type(error).__name__}: {error}".splitlines()[0][:200]
    where = f"the details are in {log}" if log is not None else "no log could be written"
    return f"ivr stopped on an unexpected error ({what}); {where}. Please report it with that file."


class CrashReport(App[None]):
    """Mixin for the ivr apps: an unhandled exception is logged to a file and summed up in one line."""

    crash_message: str | None = None

    def _handle_exception(self, error: Exception) -> None:
        super()._handle_exception(error)  # Textual sets the return code and closes the app
        self.crash_message = one_line(error, write_crash_log(error))
        self._exit_renderables[:] = []  # the screenful of traceback is in the log instead
