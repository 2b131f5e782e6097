"""Routing strategies: which free agent with the queue's skill answers the caller at its head.

Each queue keeps its free agents in a structure ordered by its strategy (a heap by idle-since for
longest-idle, by calls then idle-since for fewest-calls, by skill level then idle-since for skill-level, a
list for random, the agents' order for round-robin), so that picking an agent costs O(log n) whatever the
number of agents. An agent who serves several queues is in each queue's structure; when one queue takes
them the entries in the others go stale and are skipped when met (an entry holds the agent's ``stamp``,
which changes every time the agent comes free).
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import random
from typing import Any

from ivr.contact.participants import AVAILABLE, Agent

_SLACK = 64  # stale entries tolerated beyond four per agent before a structure is compacted


class FreeAgents:
    """The free agents of one queue, in the order its ``routing`` picks them."""

    __slots__ = ("_entries", "_limit", "_order", "_rng", "_rr_next", "agents", "routing", "skill")

    def __init__(self, agents: list[Agent], routing: str, skill: str, rng: random.Random) -> None:
        self.agents = agents  # everybody with the skill, best level first: the round-robin order
        self.routing = routing
        self.skill = skill
        self._rng = rng
        self._order = {id(agent): index for index, agent in enumerate(agents)}
        self._limit = 4 * len(agents) + _SLACK
        self._entries: list[Any] = []
        self._rr_next = 0

    def join(self, agent: Agent) -> None:
        """A representative who has just logged in serves this queue too (after ``agents`` holds them)."""
        self._order[id(agent)] = len(self._order)
        self._limit += 4

    def refill(self) -> None:
        """Everybody free at once (the start of a day): the entries built in one go, not one push each."""
        self._rr_next = 0
        agents = self.agents
        if self.routing == "random":
            self._entries = [(a.stamp, a) for a in agents]
        elif self.routing == "round-robin":
            self._entries = [(i, a.stamp, a) for i, a in enumerate(agents)]
        else:
            entries: list[Any] = []
            for i, a in enumerate(agents):
                if self.routing == "longest-idle":
                    entries.append((a.idle_since, i, a.stamp, a))
                elif self.routing == "fewest-calls":
                    entries.append((a.calls, a.idle_since, i, a.stamp, a))
                else:
                    entries.append((a.levels[self.skill], a.idle_since, i, a.stamp, a))
            heapq.heapify(entries)
            self._entries = entries

    def entries(self) -> tuple[Any, ...]:
        """The structure as it stands, as a copy (see :class:`ivr.contact.day_start.DayStart`)."""
        return tuple(self._entries)

    def restore(self, entries: list[Any]) -> None:
        """Back to ``entries``, taken with :meth:`entries` at the start of a day."""
        self._entries = entries
        self._rr_next = 0

    def add(self, agent: Agent) -> None:
        """``agent`` has just come free (after :func:`mark_free`)."""
        order = self._order[id(agent)]
        routing = self.routing
        if routing == "longest-idle":
            heapq.heappush(self._entries, (agent.idle_since, order, agent.stamp, agent))
        elif routing == "fewest-calls":
            heapq.heappush(self._entries, (agent.calls, agent.idle_since, order, agent.stamp, agent))
        elif routing == "skill-level":
            heapq.heappush(self._entries, (agent.levels[self.skill], agent.idle_since, order, agent.stamp, agent))
        elif routing == "random":
            self._entries.append((agent.stamp, agent))
        else:
            bisect.insort(self._entries, (order, agent.stamp, agent), key=lambda e: e[0])
        if len(self._entries) > self._limit:
            self._compact()

    def pick(self) -> Agent | None:
        """Take the free agent the routing picks, or None when nobody is free."""
        entries = self._entries
        if self.routing == "random":
            while entries:
                index = self._rng.randrange(len(entries))
                stamp, agent = entries[index]
                entries[index] = entries[-1]
                entries.pop()
                if agent.state is AVAILABLE and agent.stamp == stamp:
                    return agent
            return None
        if self.routing == "round-robin":
            return self._round_robin()
        while entries:
            entry = heapq.heappop(entries)
            agent = entry[-1]
            if agent.state is AVAILABLE and agent.stamp == entry[-2]:
                return agent
        return None

    def _round_robin(self) -> Agent | None:
        """The next free agent at or after the one after the last this queue used, wrapping round."""
        entries = self._entries
        start = bisect.bisect_left(entries, self._rr_next, key=lambda e: e[0])
        for index in itertools.chain(range(start, len(entries)), range(start)):
            order, stamp, agent = entries[index]
            if agent.state is AVAILABLE and agent.stamp == stamp:
                del entries[index]
                self._rr_next = (order + 1) % len(self.agents)
                return agent
        entries.clear()  # every entry was stale
        return None

    def _compact(self) -> None:
        index = -1 if self.routing == "random" else -2
        live = [e for e in self._entries if e[-1].state is AVAILABLE and e[-1].stamp == e[index]]
        if self.routing in ("longest-idle", "fewest-calls", "skill-level"):
            heapq.heapify(live)
        self._entries = live
        self._limit = 4 * len(self.agents) + _SLACK + len(live)


def mark_free(agent: Agent, now: float) -> None:
    """The agent comes free at ``now``: entries made for them before are stale from here on."""
    agent.idle_since = now
    agent.stamp += 1
