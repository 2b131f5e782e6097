"""Who is on the floor: callers (contacts), agents and queues, their states, and what a supervisor sees."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from ivr.contact.distributions import QueueDraws
from ivr.contact.metrics import Row, Tally
from ivr.contact.places import Places
from ivr.menu.centre_model import CentreSpec, QueueSpec

if TYPE_CHECKING:
    from ivr.contact.routing import FreeAgents


class AgentState(StrEnum):
    AVAILABLE = "available"
    TALKING = "talking"
    WRAP_UP = "wrap-up"
    BREAK = "break"
    LOGGED_OUT = "logged out"  # sent home by the trainer; back with a log-in


class ContactState(IntEnum):
    WAITING = 0
    ANSWERED = 1
    GONE = 2  # abandoned, hung up, turned away or moved out of the centre


AVAILABLE, TALKING, WRAP_UP, BREAK = AgentState.AVAILABLE, AgentState.TALKING, AgentState.WRAP_UP, AgentState.BREAK
LOGGED_OUT = AgentState.LOGGED_OUT
LOG_OUT = -1.0  # `on_break_next` of an agent who logs out once their call is over
WAITING, ANSWERED, GONE = ContactState.WAITING, ContactState.ANSWERED, ContactState.GONE


@dataclass(slots=True)
class Arrival:
    """A caller reaching the centre: at ``time``, for ``queue`` after ``delay`` seconds (in the menu, say)."""

    time: float
    queue: str | None  # None: the caller finished in the menu and never reached a queue
    delay: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)
    outcome: str = "queued"  # for callers who did not queue: self-service, transfer, hang-up...


class ArrivalSource(Protocol):
    def next_arrival(self, after: float) -> Arrival | None:
        """The first arrival after time ``after``, or None when there are no more."""


class Contact:
    __slots__ = (
        "agent",
        "callback",
        "data",
        "handle",
        "id",
        "live",
        "moves",
        "offered_at",
        "patience_at",
        "place",
        "queue",
        "state",
        "tally",
    )

    def __init__(self, cid: int, queue: QueueState, now: float, patience_at: float, handle: float, live: bool) -> None:
        self.id = cid
        self.queue = queue
        self.offered_at = now
        self.patience_at = patience_at
        self.handle = handle
        self.live = live
        self.state = WAITING
        self.agent: Agent | None = None
        self.callback = False
        self.moves = 0  # overflows so far
        self.place = 0  # its join number in the queue it waits in (see places.py)
        self.data: dict[str, Any] = {}
        self.tally: Tally | None = None


class Agent:
    __slots__ = (
        "busy_since",
        "calls",
        "contact",
        "idle_since",
        "levels",
        "name",
        "on_break_next",
        "queues",
        "since",
        "stamp",
        "state",
        "team",
        "wrap_up",
    )

    def __init__(self, name: str, levels: dict[str, int], wrap_up: float, team: str = "") -> None:
        self.name = name
        self.team = team
        self.levels = levels
        self.wrap_up = wrap_up
        self.state = AVAILABLE
        self.idle_since = 0.0
        self.busy_since = 0.0
        self.calls = 0
        self.contact: Contact | None = None
        self.on_break_next: float | None = None
        self.since = 0.0  # when the agent's state last changed
        self.stamp = 0  # counts the times the agent came free (see routing.FreeAgents)
        self.queues: list[QueueState] = []  # the queues they serve, in the order they look at them


class QueueState(QueueDraws):
    """A queue on the floor: who waits in it (``waiting`` drops those gone lazily), its free agents, and
    its figures."""

    __slots__ = (
        "agents",
        "area_since",
        "free",
        "length",
        "places",
        "spec",
        "tally",
        "tally_from",
        "tally_until",
        "total",
        "waiting",
    )

    def __init__(self, name: str, spec: QueueSpec, centre: CentreSpec, rng: random.Random) -> None:
        super().__init__(name, spec, centre, rng)
        self.spec = spec
        self.waiting: deque[Contact] = deque()
        self.places = Places()  # the places of those in `waiting` who still wait here
        self.length = 0
        self.area_since = 0.0
        self.agents: list[Agent] = []
        self.free: FreeAgents | None = None  # set by the centre once it knows the agents
        # the run's closed intervals folded together (Centre.totals adds the open ones); reset with the centre
        self.total = Tally(self.sl_seconds)
        self.tally = self.total  # the current interval's tally, for [tally_from, tally_until)
        self.tally_from = self.tally_until = 0.0


@dataclass(frozen=True, slots=True)
class AgentView:
    name: str
    state: str
    since: float
    contact: int | None
    queue: str | None
    calls: int


@dataclass(frozen=True, slots=True)
class WaitingView:
    contact: int
    queue: str
    wait: float
    live: bool
    callback: bool


@dataclass(frozen=True, slots=True)
class Floor:
    """What a supervisor sees at one moment: agents, waiting callers, and the figures so far."""

    at: float
    agents: list[AgentView]
    waiting: list[WaitingView]
    totals: list[Row]
    targets: dict[str, tuple[float, float]] = field(default_factory=dict)  # queue -> (share, within seconds)
