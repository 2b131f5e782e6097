"""Menu files: loading, validation, lint and diagrams. Knows nothing of calls."""

from ivr.menu.compiled import CompiledNode, Edge, Menu, Settings
from ivr.menu.loader import load_menu

__all__ = ["CompiledNode", "Edge", "Menu", "Settings", "load_menu"]
