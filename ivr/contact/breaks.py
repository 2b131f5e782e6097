"""Representatives' breaks: each team's breaks at their time of day, taken when the agent is free."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ivr.contact.participants import AVAILABLE, BREAK, LOG_OUT, LOGGED_OUT, Agent, AgentState
from ivr.contact.schedule import EventKind
from ivr.contact.waiting import WaitingCallers


class Breaks(WaitingCallers):
    """Breaks; part of :class:`ivr.contact.centre.Centre`."""

    def _set_agent(self, agent: Agent, state: AgentState) -> None:
        raise NotImplementedError

    def _next_for(self, agent: Agent) -> None:
        raise NotImplementedError

    def _schedule_breaks(self) -> None:
        for team, agents in self._teams():
            for brk in team.breaks:
                hour, minute = (int(x) for x in brk.at.split(":"))
                at = (hour * 3600 + minute * 60 - self.start_of_day) % 86_400
                for agent in agents:
                    self._push(at, EventKind.BREAK_START, (agent, brk.length))

    def _teams(self) -> Iterator[tuple[Any, list[Agent]]]:
        for team in self.spec.agents:
            yield team, [a for a in self.agents if a.team == team.name]

    def _start_break(self, agent: Agent, length: float) -> None:
        self._push(self.now + 86_400, EventKind.BREAK_START, (agent, length))  # the same break tomorrow
        if agent.state is LOGGED_OUT or agent.on_break_next == LOG_OUT:
            return  # gone home, or going
        if agent.state == AVAILABLE:
            self._set_agent(agent, BREAK)
            self._push(self.now + length, EventKind.BREAK_END, agent)
        else:
            agent.on_break_next = length

    def _end_break(self, agent: Agent) -> None:
        if agent.state == BREAK:
            self._next_for(agent)  # takes a waiting caller, or comes free
