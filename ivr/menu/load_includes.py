"""Sub-menus while loading: each `submenu` node's file read into the menu under the node's id, inside the
main menu's folder, never into itself, within the size limits, and given the parameters it declares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ivr.menu.compiled import Edge
from ivr.menu.load_checks import LoaderChecks
from ivr.menu.load_state import Scope
from ivr.menu.model import SubmenuNode
from ivr.source.reader import Loc, display_path

MAX_EXPANDED_NODES = 20_000  # nodes of a menu with every sub-menu included (a 10,000-node menu loads in ~2 s)
MAX_INCLUDES = 500  # sub-menu inclusions: each one reads its file again


class LoaderIncludes(LoaderChecks):
    """Including sub-menus; part of the loader (:mod:`ivr.menu.loader`)."""

    def load_file(self, path: Path, prefix: str, parent: Scope | None, chain: tuple[Path, ...]) -> str | None:
        raise NotImplementedError

    def _submenu(
        self,
        scope: Scope,
        node_id: str,
        loc: Loc,
        spec: SubmenuNode,
        local_ids: set[str],
        chain: tuple[Path, ...],
        edges: list[Edge],
    ) -> None:
        if len(self.nodes) >= MAX_EXPANDED_NODES or self.includes >= MAX_INCLUDES:
            if not self.too_big:  # said once, where it happened; the rest is not read
                self.too_big = True
                self.problems.append(
                    scope.source.error(
                        (*loc, "file"),
                        f"the menu is too big once its sub-menus are included (more than {MAX_EXPANDED_NODES:,}"
                        f" nodes or {MAX_INCLUDES:,} inclusions)",
                        "include each sub-menu fewer times, or split the line into several menus",
                    )
                )
            return
        self.includes += 1
        target = (scope.folder / spec.file).resolve()
        if not target.is_relative_to(self.root_folder):
            self.problems.append(
                scope.source.error(
                    (*loc, "file"),
                    f"sub-menu {spec.file!r} is outside the menu's folder {display_path(self.root_folder)}",
                    "keep included menus in the same folder as the main menu, or below it",
                )
            )
            return
        if target in chain:
            self.problems.append(scope.source.error((*loc, "file"), f"sub-menu {spec.file!r} includes itself"))
            return
        if not target.is_file():
            self.problems.append(scope.source.error((*loc, "file"), f"sub-menu file {spec.file!r} does not exist"))
            return
        next_id = None
        if spec.next is not None and self._ref(scope, (*loc, "next"), spec.next, local_ids):
            next_id = scope.absolute(spec.next)
        child = Scope(scope.source, scope.folder, scope.prefix, scope.languages, scope.defaults, next_id)
        start = self.load_file(target, node_id + "/", child, chain)
        if start is not None:
            edges.append(Edge(node_id, start, "next", "next", "sub-menu"))
            self._check_parameters(scope, loc, spec, self.parameters.get(target, {}))

    def _check_parameters(self, scope: Scope, loc: Loc, spec: SubmenuNode, wanted: dict[str, Any]) -> None:
        """A `submenu` node's `with:` gives each of the sub-menu's `parameters`, of its type, and no other."""
        for name in sorted(wanted.keys() - spec.with_.keys()):
            self.problems.append(
                scope.source.error(
                    loc,
                    f"sub-menu {spec.file!r} needs the parameter {name!r}",
                    f"give it under `with: {{{name}: ...}}`",
                )
            )
        for name, value in spec.with_.items():
            where = (*loc, "with", name)
            if name not in wanted:
                known = ", ".join(sorted(wanted)) or "none"
                message = f"sub-menu {spec.file!r} has no parameter {name!r} (its parameters: {known})"
                self.problems.append(scope.source.error(where, message))
                continue
            try:
                wanted[name].parse(value)
            except ValueError as exc:
                self.problems.append(scope.source.error(where, f"parameter {name!r}: {exc}"))
