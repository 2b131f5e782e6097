"""ivr: a terminal IVR (phone-menu) simulator."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # The version is read from the package metadata (written once, in pyproject.toml) only when asked for:
    # importlib.metadata costs every command 0.09 s to start.
    if name != "__version__":
        raise AttributeError(f"module 'ivr' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ivr")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"
