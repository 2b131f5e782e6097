"""The kinds of event the floor schedules on its heap."""

from __future__ import annotations

from enum import IntEnum


class EventKind(IntEnum):
    """What the floor has scheduled. Events at one instant are handled in the order they were scheduled;
        the value indexes :attr:`Centre._handlers`. Background arrivals are kept apart, one per source (they come
    in time order), and met in :meth:`Centre.advance_to`."""

    END_TALK = 0
    END_WRAP = 1
    BREAK_END = 2
    BREAK_START = 3
    ABANDON = 4
    OVERFLOW = 5
    CALLBACK = 6
    ANNOUNCE = 7
    ENQUEUE = 8
    TICK = 9
