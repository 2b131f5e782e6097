"""A user's file as text: a regular file under the size limit, read once, decoded as UTF-8 and
normalised to NFC; devices, pipes, folders, other encodings and binary files are refused at 1:1 or at
the first bad byte."""

from __future__ import annotations

import codecs
import stat
import unicodedata
from pathlib import Path

from ivr.source.diagnostics import Diagnostic, IvrError

MAX_FILE_BYTES = 2 * 1024 * 1024  # a 10,000-node menu is 1.7 MB; parsing 2 MB takes 0.4 s


def read_bounded(path: Path, shown: str) -> bytes:
    """The bytes of a regular file no bigger than the limit; a device, pipe or folder is refused unread."""
    try:
        info = path.stat()
    except OSError as exc:
        raise _cannot_read(shown, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise IvrError([Diagnostic(shown, 1, 1, "is a directory, not a YAML file")])
    if not stat.S_ISREG(info.st_mode):
        raise IvrError([Diagnostic(shown, 1, 1, "is not a regular file (a device, pipe or socket?)")])
    if info.st_size > MAX_FILE_BYTES:
        raise _too_big(shown, info.st_size)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise _cannot_read(shown, exc) from None
    if len(raw) > MAX_FILE_BYTES:
        raise _too_big(shown, len(raw))
    return raw


def _cannot_read(shown: str, exc: OSError) -> IvrError:
    return IvrError([Diagnostic(shown, 1, 1, f"cannot read file: {exc.strerror or exc}")])


def _too_big(shown: str, size: int) -> IvrError:
    limit = f"{MAX_FILE_BYTES / 1e6:.0f} MB"
    return IvrError(
        [
            Diagnostic(
                shown,
                1,
                1,
                f"file is {size / 1e6:.1f} MB; the limit is {limit}" if size >= 1e5 else f"file is over {limit}",
                hint="split it into sub-menus with `type: submenu`",
            )
        ]
    )


_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def decode(raw: bytes, shown: str) -> str:
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raise IvrError(
                [Diagnostic(shown, 1, 1, f"file is saved as {name}", hint="save it as UTF-8 (without a BOM is best)")]
            )
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, col = position(raw, nul)
        raise IvrError([Diagnostic(shown, line, col, "not a text file (it contains NUL bytes)")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = position(raw, exc.start)
        raise IvrError(
            [
                Diagnostic(
                    shown,
                    line,
                    col,
                    f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                    hint="save the file as UTF-8",
                )
            ]
        ) from None
    # One spelling for one name: `café` typed as é (NFC) or as e + combining accent (NFD, as macOS file
    # names and some keyboards give it) must be the same node, queue or variable, and the same prompt text.
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def position(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1
