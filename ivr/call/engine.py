"""One ``transitions`` machine per loaded menu, shared by every call on it.

Calls are never added to the machine as models (``add_model`` binds a method per state on every model, so
starting a call would cost O(menu size)); instead each call carries its own ``state`` attribute and the
engine fires the machine's events on it directly. The machine has no auto-transitions: its only
transitions are the menu's edges, plus internal no-input / no-match / repeat transitions on input nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from transitions import Machine
from transitions.core import MachineError

from ivr.call.clock import SimClock
from ivr.call.events import CallEvent
from ivr.menu.compiled import Menu
from ivr.menu.conditions import Hours
from ivr.menu.lookup_model import LookupAnswer

if TYPE_CHECKING:
    from ivr.call.session import Call

INTERNAL_TRIGGERS = ("no_input", "no_match", "repeat")
CACHED_ENGINES = 64
_engines: dict[int, tuple[object, Engine]] = {}


DEFAULT_NUMBER = "+920000000000"  # the caller's number when nobody gives one


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: their number, account tier, language and any data the line knows about them."""

    number: str = DEFAULT_NUMBER
    tier: str | None = None
    language: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    # what the outside services a `lookup` node stands for answer on this call, by node (a script's
    # `world: lookups:`), in place of the answers the menu declares
    lookups: Mapping[str, LookupAnswer] = field(default_factory=dict)


class Engine:
    """Runs calls on one menu. Build once per menu; start as many calls as you like."""

    def __init__(self, menu: Menu) -> None:
        self.menu = menu
        transitions: list[dict[str, Any]] = []
        self.triggers: dict[str, dict[str, str]] = {}  # node -> {key: trigger} for keys that leave it
        self.outgoing: dict[str, frozenset[str]] = {}  # node -> triggers it has
        for node_id, edges in menu.edges.items():
            keys: dict[str, str] = {}
            for edge in edges:
                transitions.append({"trigger": edge.trigger, "source": node_id, "dest": edge.target})
                if edge.key is not None and edge.kind != "back":
                    keys[edge.key] = edge.trigger
            self.triggers[node_id] = keys
            self.outgoing[node_id] = frozenset(e.trigger for e in edges)
        inputs = [n.id for n in menu.nodes.values() if n.settings is not None]
        for trigger in INTERNAL_TRIGGERS:
            if inputs:
                transitions.append({"trigger": trigger, "source": inputs, "dest": None})
        self.machine = Machine(
            model=None,
            states=list(menu.nodes),
            transitions=transitions,
            initial=menu.start,
            auto_transitions=False,
        )
        self.hours: dict[str, Hours] = menu.hours
        # The machine, built and checked by `transitions`, read once into a table: a call's hot path
        # (a key, a timeout) is one dictionary look-up, not the library's event dispatch and logging.
        self.table: dict[str, dict[str, str | None]] = {
            trigger: {source: moves[0].dest for source, moves in event.transitions.items() if moves}
            for trigger, event in self.machine.events.items()
        }

    def fire(self, call: Any, trigger: str) -> None:
        """Take the transition ``trigger`` from the call's current node (internal ones stay put)."""
        try:
            dest = self.table[trigger][call.state]
        except KeyError:
            raise MachineError(f"no transition {trigger!r} from node {call.state!r}") from None
        if dest is not None:
            call.state = dest

    def start_call(
        self,
        caller: Caller | None = None,
        clock: SimClock | None = None,
        listeners: list[Callable[[CallEvent], None]] | None = None,
        keep_transcript: bool = True,
        speech: Callable[[str, str, str], float] | None = None,
    ) -> Call:
        """Create a call at the menu's start node and play its first prompt. Costs O(1) in menu size.

        ``speech`` gives the seconds a prompt takes to say (:class:`ivr.call.pacing.Pacing`); without it
        prompts take no time, which keeps engine tests about logic, not pacing."""
        from ivr.call.session import Call

        call = Call(self, caller or Caller(), clock or SimClock(), listeners or [], keep_transcript, speech)
        call.start()
        return call


def engine_for(menu: Menu) -> Engine:
    """The one machine of a loaded menu, built on first use and shared by every call on it (a menu
    copied with other representatives or handle times shares its nodes, and so its machine)."""
    key = id(menu.nodes)
    hit = _engines.get(key)
    if hit is not None and hit[0] is menu.nodes:
        return hit[1]
    engine = Engine(menu)
    _engines[key] = (menu.nodes, engine)  # holding the nodes keeps the id from being reused
    while len(_engines) > CACHED_ENGINES:
        del _engines[next(iter(_engines))]
    return engine
