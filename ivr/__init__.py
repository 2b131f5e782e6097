"""ivr: a terminal IVR (phone-menu) simulator."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ivr")  # written once, in pyproject.toml
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
