"""Places in a queue: how many callers still waiting joined at or before a given one, in O(log n).

A queue numbers its callers as they join; those who leave (answered, gave up, moved on) leave from
anywhere in the line, so a caller's place is a count of the numbers still present up to theirs: a
Fenwick tree over the join numbers, grown by doubling.
"""

from __future__ import annotations

from collections.abc import Iterable


class Places:
    """The join numbers of the callers still waiting in one queue."""

    __slots__ = ("_size", "_tree", "joined")

    def __init__(self) -> None:
        self.joined = 0  # join numbers given so far; the next caller gets joined + 1
        self._size = 64
        self._tree = [0] * (self._size + 1)

    def clear(self) -> None:
        if self.joined:
            self.__init__()  # type: ignore[misc]

    def join(self, present: Iterable[int]) -> int:
        """A new caller at the back: their join number. ``present`` gives the join numbers still waiting,
        read only when the tree has to grow."""
        self.joined += 1
        if self.joined > self._size:
            self._grow(present)
        self._add(self.joined, 1)
        return self.joined

    def leave(self, number: int) -> None:
        self._add(number, -1)

    def place(self, number: int) -> int:
        """How many still waiting joined at or before ``number`` (1 for the caller at the head)."""
        tree, total = self._tree, 0
        while number > 0:
            total += tree[number]
            number &= number - 1
        return total

    def _add(self, number: int, change: int) -> None:
        tree, size = self._tree, self._size
        while number <= size:
            tree[number] += change
            number += number & -number

    def _grow(self, present: Iterable[int]) -> None:
        self._size *= 2
        self._tree = [0] * (self._size + 1)
        for number in present:
            self._add(number, 1)
