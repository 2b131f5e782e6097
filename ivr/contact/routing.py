"""Routing strategies: which free agent with the queue's skill answers the caller at its head."""

from __future__ import annotations

import random

from ivr.contact.participants import AVAILABLE, Agent, QueueState


def pick_agent(queue: QueueState, rng: random.Random) -> Agent | None:
    """The agent the queue's ``routing`` picks among its free agents, or None when none is free."""
    free = [a for a in queue.agents if a.state == AVAILABLE]
    if not free:
        return None
    routing = queue.spec.routing
    if routing == "longest-idle":
        return min(free, key=lambda a: a.idle_since)
    if routing == "fewest-calls":
        return min(free, key=lambda a: (a.calls, a.idle_since))
    if routing == "random":
        return rng.choice(free)
    if routing == "skill-level":
        best = min(a.levels[queue.skill] for a in free)
        return min((a for a in free if a.levels[queue.skill] == best), key=lambda a: a.idle_since)
    return _round_robin(queue)


def _round_robin(queue: QueueState) -> Agent | None:
    """The next available agent after the last one this queue used."""
    agents = queue.agents
    for step in range(len(agents)):
        candidate = agents[(queue.rr_next + step) % len(agents)]
        if candidate.state == AVAILABLE:
            queue.rr_next = (agents.index(candidate) + 1) % len(agents)
            return candidate
    return None
