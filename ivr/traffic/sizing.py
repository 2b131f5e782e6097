"""Staffing every queue of a menu's centre from its own traffic (``ivr staff FILE``).

Each queue's load is the traffic's busiest hour times the share of callers that reach that queue: the
traffic's `queues:` shares, or, for callers who walk the menu, the share measured by walking simulated
callers through it (the same callers `ivr simulate` uses). Each queue is then sized on its own by Erlang
A (Erlang C when callers never hang up), as if its agents served it alone.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time

from ivr.call.callers import MenuWalker
from ivr.call.engine import engine_for
from ivr.call.pacing import READING
from ivr.contact.erlang import Staffing, agents_needed, staffing
from ivr.menu.compiled import Menu

WALKERS = 4000  # simulated callers walked to measure where callers go


@dataclass(frozen=True)
class QueueStaffing:
    queue: str
    calls_per_hour: float  # at the busiest hour
    aht: float
    patience: float | None  # mean, when callers hang up (Erlang A)
    target: tuple[float, float]  # share answered within seconds
    logged_in: int  # agents the centre has with the queue's skill
    needed: int
    expected: Staffing

    def as_dict(self) -> dict[str, object]:
        return {
            "queue": self.queue,
            "calls_per_hour": round(self.calls_per_hour, 2),
            "aht": self.aht,
            "patience": self.patience,
            "target": {"service_level": self.target[0], "seconds": self.target[1]},
            "logged_in": self.logged_in,
            "needed": self.needed,
            **{f"expected_{k}": v for k, v in self.expected.as_dict().items() if k != "agents"},
        }


def queue_shares(menu: Menu, seed: int, at: datetime) -> dict[str, float]:
    """Share of all callers that reach each queue."""
    assert menu.centre is not None and menu.centre.traffic is not None
    traffic = menu.centre.traffic
    if traffic.queues:
        total = sum(traffic.queues.values())
        return {name: weight / total for name, weight in traffic.queues.items()}
    walker = MenuWalker(engine_for(menu), random.Random(seed), at, READING, traffic.choices)
    reached = Counter(walker.walk(i * 3600 / WALKERS).queue for i in range(WALKERS))  # over the hour from `at`
    return {name: reached[name] / WALKERS for name in menu.queues}


def size_queues(menu: Menu, seed: int, day: date) -> list[QueueStaffing]:
    """Every queue's load at the busiest hour of ``day`` and the fewest agents meeting its service level."""
    centre = menu.centre
    assert centre is not None and centre.traffic is not None
    traffic = centre.traffic
    if traffic.profile:
        busiest, peak = max(traffic.profile.items(), key=lambda item: item[1])
    else:
        busiest, peak = traffic.first_busy_hour(), traffic.calls_per_hour or 0.0
    hour, minute = (int(x) for x in busiest.split(":"))
    at = datetime.combine(day, time(hour, minute), tzinfo=menu.timezone)  # callers walk the menu at that hour
    shares = queue_shares(menu, seed, at)
    result = []
    for name, spec in menu.queues.items():
        calls = peak * shares.get(name, 0.0)
        handle = (spec.handle_time or centre.handle_time).mean + centre.wrap_up
        wait_limit = spec.patience or centre.patience
        patience = wait_limit.mean if wait_limit is not None else None
        fraction, seconds = spec.service_level.percent / 100, spec.service_level.seconds
        skill = spec.skill or name
        logged_in = sum(team.count for team in centre.agents if skill in team.skills)
        rate = calls / 3600
        if rate <= 0:
            needed, expected = 0, Staffing(0, 1.0, 0.0, 0.0, 0.0)
        else:
            needed = agents_needed(rate, handle, fraction, seconds, patience)
            expected = staffing(needed, rate, handle, seconds, patience)
        result.append(QueueStaffing(name, calls, handle, patience, (fraction, seconds), logged_in, needed, expected))
    return result
