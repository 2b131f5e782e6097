"""Simulated time shared by calls and the contact centre: seconds as floats, plus a wall-clock anchor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# When scripts, fuzz and load runs happen unless told: a Tuesday morning with no holiday, so that they
# run the same whatever day it is.
DEFAULT_AT = datetime(2026, 1, 6, 10, 0)


class SimClock:
    """A clock that only moves when told to, so timeouts and opening hours are instant and repeatable."""

    __slots__ = ("_t", "epoch")

    def __init__(self, epoch: datetime | None = None, t: float = 0.0) -> None:
        self.epoch = (epoch or datetime.now(UTC)).astimezone(UTC)
        self._t = t

    def now(self) -> float:
        """Seconds since the epoch of this clock."""
        return self._t

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not run backwards")
        self._t += seconds

    def advance_to(self, t: float) -> None:
        if t > self._t:
            self._t = t

    def wall(self, t: float | None = None) -> datetime:
        """The aware UTC date and time at simulated second ``t`` (now by default)."""
        return self.epoch + timedelta(seconds=self._t if t is None else t)
