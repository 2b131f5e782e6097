"""The start of a floor's day, kept to be put back: a replay resets one floor for each of thousands of
calls, and working the start out again (seeding, each queue's free agents, every break of the day) was a
quarter of `ivr replay`'s time. The day starts the same for the same seed, start and staffing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ivr.contact.centre import Centre


@dataclass(frozen=True, slots=True)
class DayStart:
    """What :meth:`Centre.reset` works out for a seeded day, as it stood when worked out."""

    seed: int
    start_of_day: float
    rng: tuple[Any, ...]
    stamps: tuple[int, ...]  # each agent's stamp, which the free agents' entries hold
    free: tuple[tuple[Any, ...], ...]  # each queue's free-agent entries
    heap: tuple[tuple[float, int, int, Any], ...]  # the day's breaks and first tick
    seq: int

    @classmethod
    def capture(cls, centre: Centre, seed: int) -> DayStart:
        return cls(
            seed,
            centre.start_of_day,
            centre.rng.getstate(),
            tuple(agent.stamp for agent in centre.agents),
            tuple(q.free.entries() for q in centre.queues.values() if q.free is not None),
            tuple(centre._heap),
            centre._seq,
        )

    def fits(self, seed: int | None, start_of_day: float) -> bool:
        return seed == self.seed and start_of_day == self.start_of_day

    def restore(self, centre: Centre) -> None:
        """Put the day's start back (after the agents' and queues' own fields are reset)."""
        centre.rng.setstate(self.rng)
        for agent, stamp in zip(centre.agents, self.stamps, strict=True):
            agent.stamp = stamp
        for queue, entries in zip(centre.queues.values(), self.free, strict=True):
            assert queue.free is not None
            queue.free.restore(list(entries))
        centre._heap = list(self.heap)
        centre._seq = self.seq
