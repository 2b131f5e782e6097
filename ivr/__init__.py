"""ivr: a terminal IVR (phone-menu) simulator."""

__version__ = "0.1.0"
