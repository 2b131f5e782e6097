"""A call line: the menu and the representatives' floor on one shared simulated clock.

Background callers walk the menu by the traffic's choice weights (so menu design changes queue load) and
join queues; a live caller's call joins the same queues when it reaches a ``queue`` node. Front ends
drive a line by advancing its clock and read it through call events, centre events and ``floor()``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ivr import userregex
from ivr.call.clock import SimClock
from ivr.call.engine import Caller, Engine
from ivr.call.events import CallEvent, KeyPressed, NodeEntered, Queued
from ivr.call.session import Call
from ivr.contact.centre import WAITING, Arrival, Centre, Contact, Floor
from ivr.contact.events import CentreEvent, ContactEnded
from ivr.contact.traffic import PoissonArrivals, by_share
from ivr.menu.compiled import Menu
from ivr.menu.luhn import luhn_check_digit

WORDS_PER_SECOND = 2.6  # a measured reading pace; prompts take this long when nobody barges in
THINK_SECONDS = 1.0  # a caller's pause before pressing a key
MAX_STEPS = 200


def prompt_seconds(text: str) -> float:
    """How long a prompt takes to say, estimated from its words."""
    return max(0.5, len(text.split()) / WORDS_PER_SECOND)


class MenuWalker:
    """Background callers that walk the menu, choosing options by the traffic's weights."""

    def __init__(self, engine: Engine, rng: random.Random, epoch: datetime) -> None:
        self.engine = engine
        self.rng = rng
        self.epoch = epoch
        traffic = engine.menu.centre.traffic if engine.menu.centre else None
        self.choices = traffic.choices if traffic else {}

    def walk(self, t: float) -> Arrival:
        """One caller arriving at ``t``: where they end up and how long the menu took them."""
        path: list[str] = []
        keys: list[str] = []

        def listen(event: CallEvent) -> None:
            if isinstance(event, NodeEntered):
                path.append(event.node)
            elif isinstance(event, KeyPressed):
                keys.append(event.key)

        clock = SimClock(self.epoch + timedelta(seconds=t))
        call = self.engine.start_call(Caller(), clock, [listen], keep_transcript=False, speech=prompt_seconds)
        for _ in range(MAX_STEPS):
            if call.status != "active":
                break
            self._step(call)
        else:
            call.hang_up()
        delay = call.elapsed + max(call.speaking_until - call.clock.now(), 0.0)  # the last prompt is heard out
        data = {
            "path": path,
            "keys": "".join(keys),
            "variables": {k: v for k, v in call.variables.items() if not k.startswith("caller.")},
            "end_reason": call.end_reason,
        }
        if call.status == "queued":
            return Arrival(t, call.queue, delay, data)
        outcome = "transferred" if call.status == "transferred" else f"ended: {call.end_reason}"
        return Arrival(t, None, delay, data, outcome)

    def _step(self, call: Call) -> None:
        node = call.node
        if node.kind == "collect":
            if call.confirming:
                self._press(call, node.spec.confirm.yes)
            else:
                for key in valid_entry(node.spec, self.rng):
                    if call.status != "active" or call.node is not node:
                        break
                    self._press(call, key)
            return
        weights = self.choices.get(node.id)
        if weights:
            keys = list(weights)
            choice = self.rng.choices(keys, [weights[k] for k in keys])[0]
        else:
            choice = self.rng.choice(sorted(node.spec.options))
        if choice == "wait":
            call.wait()
        elif choice == "hangup":
            call.hang_up()
        else:
            self._press(call, choice)

    def _press(self, call: Call, key: str) -> None:
        """Listen to the prompt out, think, press: the caller's pace through the menu."""
        call.clock.advance_to(max(call.clock.now(), call.speaking_until) + THINK_SECONDS)
        call.poll()
        if call.status == "active":
            call.press(key)


def valid_entry(spec: Any, rng: random.Random) -> str:
    """Keys a caller would type at a collect node: the right length, passing its checks, and the
    terminator when the entry is shorter than the most digits allowed."""
    digits = ""
    for _ in range(20):
        digits = "".join(rng.choice("0123456789") for _ in range(spec.min_digits))
        check = spec.validate_
        if check is not None and check.luhn:
            digits = digits[:-1] + luhn_check_digit(digits[:-1])
        if check is None or check.pattern is None or _matches(check.pattern, digits):
            break
    return digits + ("#" if len(digits) < spec.max_digits else "")


def _matches(pattern: str, digits: str) -> bool:
    return userregex.fullmatch(pattern, digits)


@dataclass
class LiveCall:
    call: Call
    contact: Contact | None = None


class Line:
    """The menu and the centre on one clock; the API the TUI drives."""

    def __init__(
        self,
        menu: Menu,
        clock: SimClock,
        seed: int | None = None,
        background: bool = True,
        centre_listeners: list[Callable[[CentreEvent], None]] | None = None,
    ) -> None:
        if menu.centre is None:
            raise ValueError(f"menu {menu.name!r} has no `centre` section: no representatives to simulate")
        self.menu = menu
        self.clock = clock
        self.engine = Engine(menu)
        local = clock.wall(clock.now()).astimezone(menu.timezone)
        start_of_day = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        listeners = [self._on_floor, *(centre_listeners or [])]
        self.centre = Centre(menu.centre, menu.queues, seed=seed, start_of_day=start_of_day, listeners=listeners)
        self.centre.advance_to(clock.now())
        self.rng = random.Random(None if seed is None else seed + 1)
        self.live: list[LiveCall] = []
        traffic = menu.centre.traffic
        if background and traffic is not None:
            epoch = clock.wall(0.0)
            route = (
                by_share(traffic.queues, self.rng) if traffic.queues else MenuWalker(self.engine, self.rng, epoch).walk
            )
            self.centre.add_source(PoissonArrivals(traffic, self.rng, start_of_day, route))

    def place_call(
        self,
        caller: Caller | None = None,
        listeners: list[Callable[[CallEvent], None]] | None = None,
        to_floor: bool = True,
    ) -> Call:
        """A live caller dials in; when the call reaches a queue it joins the centre's queue (unless
        ``to_floor`` is False: in role play the user is the representative who answers)."""
        live = LiveCall(call=None)  # type: ignore[arg-type]

        def on_event(event: CallEvent) -> None:
            if isinstance(event, Queued) and to_floor:
                live.contact = self.centre.enqueue(event.queue, live=True, data={"call": live.call})

        call = self.engine.start_call(caller, self.clock, [*(listeners or []), on_event])
        live.call = call
        if call.status == "queued" and live.contact is None and to_floor:
            live.contact = self.centre.enqueue(call.queue or "", live=True, data={"call": call})
        self.live.append(live)
        return call

    def advance(self, seconds: float) -> None:
        """Move the shared clock on; timeouts fire and the floor moves in step."""
        target = self.clock.now() + seconds
        while True:
            next_times = [t for t in (self._next_call_deadline(), self.centre.next_event_time()) if t is not None]
            step = min([target, *next_times])
            self.clock.advance_to(step)
            for live in self.live:
                live.call.poll()
            self.centre.advance_to(step)
            if step >= target:
                break

    def wait_in_queue(self, call: Call, limit: float = 4 * 3600) -> None:
        """Let time pass while ``call`` waits for, or talks to, a representative (at most ``limit`` s)."""
        waited = 0.0
        while call.status == "queued" and waited < limit:
            self.advance(1.0)
            waited += 1.0

    def _on_floor(self, event: CentreEvent) -> None:
        """When a representative finishes with a live caller, the call goes on: reference, survey."""
        if isinstance(event, ContactEnded) and event.live:
            for live in self.live:
                if live.contact is not None and live.contact.id == event.contact and live.call.status == "queued":
                    live.call.resume({"reference": event.reference, "resolved": event.resolved, "agent": event.agent})

    def hang_up(self, call: Call) -> None:
        """The live caller hangs up: in the menu, while waiting (an abandon) or while talking."""
        contact = self.contact_of(call)
        in_centre = call.status == "queued"
        call.hang_up()  # first, so that the end of the conversation does not resume the call
        if contact is not None and in_centre:
            self.centre.hang_up(contact)

    def contact_of(self, call: Call) -> Contact | None:
        return next((live.contact for live in self.live if live.call is call), None)

    def position(self, call: Call) -> tuple[int, float] | None:
        """The live caller's place in the queue and estimated wait, while waiting."""
        contact = self.contact_of(call)
        if contact is None or contact.state != WAITING:
            return None
        place = self.centre.position(contact)
        return place, self.centre.estimated_wait(contact.queue, place)

    def floor(self) -> Floor:
        return self.centre.floor()

    def _next_call_deadline(self) -> float | None:
        deadlines = [live.call.deadline for live in self.live if live.call.deadline is not None]
        return min(deadlines) if deadlines else None
