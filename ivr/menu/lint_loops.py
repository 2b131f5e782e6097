"""Design rules about loops: callers trapped with no way out, loops that wait for nothing, and loops a
silent caller goes round for ever. Part of the linter (:mod:`ivr.menu.lint`)."""

from __future__ import annotations

from collections.abc import Callable

from ivr.menu.compiled import CompiledNode, Menu
from ivr.menu.cycles import strongly_connected
from ivr.menu.model import INPUT_TYPES, TERMINAL_TYPES

# What a caller who presses nothing is led along: a message's `next`, a branch's cases, an input node's
# `on_exhausted` once its no-input attempts are used up.
_SILENT_EDGES = ("next", "case", "default", "exhausted")


class LoopRules:
    menu: Menu

    def report(self, rule: str, node: CompiledNode, message: str, *where: str | int, hint: str | None = None) -> None:
        raise NotImplementedError

    def loops(self, reachable: set[str]) -> None:
        """Strongly connected groups that no call can leave once inside, and that end nowhere."""
        can_finish = self._can_reach_terminal()
        for group in strongly_connected(list(self.menu.nodes), self.menu.successors):
            first = self.menu.nodes[min(group)]
            cyclic = len(group) > 1 or first.id in self.menu.successors(first.id)
            if cyclic and first.id in reachable and not (set(group) & can_finish):
                names = ", ".join(sorted(group)[:6])
                self.report(
                    "no-exit-loop",
                    first,
                    f"callers in the loop {names} can never reach a queue, transfer or hang-up",
                    hint="give one of these nodes a way out, e.g. an option to a representative",
                )

    def input_free_loops(self, reachable: set[str]) -> None:
        """Loops of messages and branches only: the call goes round them at once, with nothing from the
        caller to change the branches' minds, so unless a `set` in the loop does, it ends as `loop`."""
        nodes = self.menu.nodes
        passing = [n for n in nodes if nodes[n].kind not in (*INPUT_TYPES, *TERMINAL_TYPES)]
        inside = set(passing)

        def successors(node: str) -> list[str]:
            return [t for t in self.menu.successors(node) if t in inside]

        for group in strongly_connected(passing, successors):
            first = nodes[min(group)]
            if (len(group) > 1 or first.id in successors(first.id)) and first.id in reachable:
                names = ", ".join(sorted(group)[:6])
                self.report(
                    "input-free-loop",
                    first,
                    f"the loop {names} waits for no key: a call goes round it at once, and ends as `loop` "
                    "when nothing in it changes where its branches lead",
                    hint="put a menu in the loop, or send one branch case out of it",
                )

    def _can_reach_terminal(self) -> set[str]:
        incoming: dict[str, list[str]] = {n: [] for n in self.menu.nodes}
        for source in self.menu.nodes:
            for target in self.menu.successors(source):
                incoming[target].append(source)
        done = {n.id for n in self.menu.nodes.values() if n.kind in TERMINAL_TYPES}
        todo = list(done)
        while todo:
            for source in incoming[todo.pop()]:
                if source not in done:
                    done.add(source)
                    todo.append(source)
        return done

    def silent_loops(self, reachable: set[str]) -> None:
        """Loops through input nodes that a caller who never presses a key goes round for ever: each input
        node's `on_exhausted` leads on round the loop, and nothing in it leads anywhere else without a key.
        (``ivr fuzz`` finds these as calls that never end; this finds them without calling.)"""
        nodes = self.menu.nodes

        def silent(node: str) -> list[str]:
            if nodes[node].kind in TERMINAL_TYPES:
                return []
            return [e.target for e in self.menu.edges.get(node, ()) if e.kind in _SILENT_EDGES]

        for group in strongly_connected(list(nodes), silent):
            members = set(group)
            first = nodes[min(group)]
            cyclic = len(group) > 1 or first.id in silent(first.id)
            waits = any(nodes[n].kind in INPUT_TYPES for n in group)  # else input-free-loop says it
            leaves = any(t not in members for n in group for t in silent(n))
            if cyclic and waits and not leaves and first.id in reachable:
                route = " -> ".join(self._round(group, silent))
                self.report(
                    "silent-caller-loop",
                    first,
                    f"a caller who presses nothing goes round {route} for ever",
                    hint="send one `on_exhausted` out of the loop: to a representative, or a goodbye that hangs up",
                )

    @staticmethod
    def _round(group: list[str], silent: Callable[[str], list[str]]) -> list[str]:
        """The loop's nodes in the order a silent caller meets them, back to the first."""
        members, order = set(group), [min(group)]
        while True:
            following = [t for t in silent(order[-1]) if t in members]
            if not following or following[0] == order[0] or following[0] in order:
                return [*order, following[0] if following else order[0]]
            order.append(following[0])
