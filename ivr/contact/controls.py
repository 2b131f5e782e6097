"""What a trainer changes while the floor runs: how fast callers come, who is logged in, who is on a
break. Part of :class:`ivr.contact.centre.Centre`; a new day (``reset``) goes back to the menu's teams
and traffic."""

from __future__ import annotations

import heapq
import random
from typing import Any

from ivr.contact.breaks import Breaks
from ivr.contact.participants import AVAILABLE, BREAK, LOG_OUT, LOGGED_OUT, Agent, ArrivalSource, QueueState
from ivr.contact.routing import FreeAgents
from ivr.contact.schedule import EventKind
from ivr.contact.traffic import PoissonArrivals

MAX_PACE = 10.0  # times the menu's traffic
MAX_AGENTS_ADDED = 500  # representatives a trainer can log in beyond the menu's teams
MAX_BREAK = 8 * 3600.0


class FloorControls(Breaks):
    """Trainer controls; the centre provides the floor they act on."""

    queues: dict[str, QueueState]
    restaffed: bool
    rng: random.Random
    _sources: list[ArrivalSource]
    _arrivals: list[tuple[float, int, ArrivalSource, Any]]

    def _staff(self) -> None:
        """The teams of the spec, each agent linked to the queues they serve (again after a trainer's
        changes, when the day restarts)."""
        self.agents: list[Agent] = []
        for team in self.spec.agents:
            for i in range(team.count):
                name = team.name if team.count == 1 else f"{team.name} {i + 1}"
                wrap = self.spec.wrap_up if team.wrap_up is None else team.wrap_up
                self.agents.append(Agent(name, dict(team.skills), wrap, team.name))
        for queue in self.queues.values():
            queue.agents = sorted(
                (a for a in self.agents if queue.skill in a.levels), key=lambda a: a.levels[queue.skill]
            )
            queue.free = FreeAgents(queue.agents, queue.spec.routing, queue.skill, self.rng)
        for agent in self.agents:
            self._link(agent)
        self.restaffed = False

    def _link(self, agent: Agent) -> None:
        agent.queues = sorted(
            (q for q in self.queues.values() if q.skill in agent.levels),
            key=lambda q: (-q.spec.priority, agent.levels[q.skill]),
        )

    def _request_arrival(self, source: ArrivalSource, after: float) -> None:
        raise NotImplementedError

    def teams(self) -> list[str]:
        return [team.name for team in self.spec.agents]

    def set_pace(self, factor: float) -> None:
        """Background callers come ``factor`` times as often as the menu's traffic says, from now on
        (a surge: 2; a lull: 0.5). Arrivals are memoryless, so the next one is drawn again at the new pace."""
        if not 0 < factor <= MAX_PACE:  # NaN fails too
            raise ValueError(f"the pace must be more than 0 and at most {MAX_PACE:g} times the traffic")
        paced = [source for source in self._sources if isinstance(source, PoissonArrivals)]
        for source in paced:
            source.set_pace(factor)
        # the next arrival of each paced source is drawn again from now; other sources keep theirs
        self._arrivals[:] = [entry for entry in self._arrivals if not isinstance(entry[2], PoissonArrivals)]
        heapq.heapify(self._arrivals)
        for source in paced:
            self._request_arrival(source, self.now)

    def log_in(self, team: str) -> Agent:
        """One more representative of ``team`` on the floor: one who was logged out, else a new one."""
        spec = self._team(team)
        back = next((a for a in self.agents if a.team == team and a.state is LOGGED_OUT), None)
        if back is None:
            if len(self.agents) >= sum(t.count for t in self.spec.agents) + MAX_AGENTS_ADDED:
                raise ValueError(f"at most {MAX_AGENTS_ADDED} representatives can be added")
            number = sum(a.team == team for a in self.agents) + 1
            wrap = self.spec.wrap_up if spec.wrap_up is None else spec.wrap_up
            back = Agent(f"{team} {number}", dict(spec.skills), wrap, team)
            back.state = LOGGED_OUT
            self.agents.append(back)
            self._link(back)
            for queue in back.queues:
                assert queue.free is not None
                queue.agents.append(back)
                queue.free.join(back)
        back.on_break_next = None
        self.restaffed = True
        self._next_for(back)  # takes a waiting caller, or comes free
        return back

    def log_out(self, team: str) -> Agent | None:
        """One representative of ``team`` goes home: a free one now, else the next to finish a call.
        None when the whole team is already gone or going."""
        self._team(team)
        mine = [a for a in self.agents if a.team == team and a.state is not LOGGED_OUT and a.on_break_next != LOG_OUT]
        if not mine:
            return None
        agent = next((a for a in mine if a.state in (AVAILABLE, BREAK)), mine[-1])
        self.restaffed = True
        if agent.state in (AVAILABLE, BREAK):
            self._set_agent(agent, LOGGED_OUT)
        else:
            agent.on_break_next = LOG_OUT
        return agent

    def team_break(self, team: str, seconds: float) -> int:
        """Everyone in ``team`` takes a break of ``seconds``: now if free, else after their call."""
        self._team(team)
        if not 0 < seconds <= MAX_BREAK:
            raise ValueError("a break must be more than 0 s and at most 8 hours")
        sent = 0
        for agent in self.agents:
            if agent.team != team or agent.state in (LOGGED_OUT, BREAK) or agent.on_break_next == LOG_OUT:
                continue
            sent += 1
            if agent.state is AVAILABLE:
                self._set_agent(agent, BREAK)
                self._push(self.now + seconds, EventKind.BREAK_END, agent)
            else:
                agent.on_break_next = seconds
        return sent

    def _team(self, name: str) -> Any:
        for team in self.spec.agents:
            if team.name == name:
                return team
        raise ValueError(f"no team {name!r}; the teams are {', '.join(self.teams())}")
