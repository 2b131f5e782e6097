"""The general floor engine (``Centre``) against SimPy on four models, and its cost as agents grow.

Each model is written twice, once for ``Centre`` (a floor spec, as a menu's ``centre:`` holds it) and
once for SimPy, with the same arrivals (Poisson), handle times (exponential), patience (exponential, from
the first queue joined), overflow and routing (first come first served; the longest-idle free agent with
the skill). The two are run on the same number of callers and must agree on the share answered, the share
abandoned and the ASA before either is timed; then calls per second are compared in the same run.

(a) M/M/60 at 96 %            (b) two queues, overflow after 30 s, patience 120 s
(c) five skills, 200 agents with two skills each      (d) M/M/2000 at 95 %
Targets: >= 5x SimPy on each; cost per call from 20 to 2,000 agents within 1.5x.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.report import run_all

AHT = 180.0


@dataclass
class Model:
    """One floor: teams of agents (name, count, skills), queues (name, share, overflow to, after)."""

    title: str
    teams: list[tuple[str, int, tuple[str, ...]]]
    queues: list[tuple[str, float, str | None, float]]
    calls_per_second: float
    patience: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def mmn(agents: int, load: float) -> Model:
    return Model(f"M/M/{agents} at {load:.0%}", [("A", agents, ("q",))], [("q", 1.0, None, 0.0)], agents * load / AHT)


MODELS = {
    "a": mmn(60, 0.96),
    "b": Model(
        "two queues, overflow after 30 s, patience 120 s",
        [("A", 30, ("a",)), ("B", 30, ("b",))],
        [("a", 0.6, "b", 30.0), ("b", 0.4, None, 0.0)],
        60 * 0.9 / AHT,
        patience=120.0,
    ),
    "c": Model(
        "five skills, 200 agents with two skills each",
        [(f"T{i}", 40, (f"s{i}", f"s{(i + 1) % 5}")) for i in range(5)],
        [(f"s{i}", 0.2, None, 0.0) for i in range(5)],
        200 * 0.95 / AHT,
    ),
    "d": mmn(2000, 0.95),
}


# -- the callers both engines get ------------------------------------------------------------------------


@dataclass(slots=True)
class Callers:
    """Every caller drawn once: arrival time, queue, handle time and patience (common random numbers, so
    the two engines run the same sample path and must agree closely, not only on average)."""

    times: list[float]
    queues: list[str]
    handles: list[float]
    patience: list[float]


def draw(model: Model, calls: int, seed: int) -> Callers:
    rng = random.Random(seed)
    names = [name for name, _, _, _ in model.queues]
    weights = [share for _, share, _, _ in model.queues]
    t, times = 0.0, []
    for _ in range(calls):
        t += rng.expovariate(model.calls_per_second)
        times.append(t)
    queues = rng.choices(names, weights, k=calls)
    handles = [rng.expovariate(1 / AHT) for _ in range(calls)]
    patience = [rng.expovariate(1 / model.patience) if model.patience else math.inf for _ in range(calls)]
    return Callers(times, queues, handles, patience)


# -- ours ----------------------------------------------------------------------------------------------


def ours(model: Model, callers: Callers) -> tuple[float, dict[str, float]]:
    from ivr.contact.centre import Centre
    from ivr.contact.participants import Arrival
    from ivr.menu.centre_model import CentreSpec, QueueSpec

    spec = CentreSpec.model_validate(
        {
            "agents": [{"name": n, "count": c, "skills": dict.fromkeys(skills, 1)} for n, c, skills in model.teams],
            "handle_time": AHT,
            "patience": model.patience,
            "wrap_up": 0,
        }
    )
    queues = {
        name: QueueSpec.model_validate({"overflow": {"to": to, "after": after}} if to else {})
        for name, _, to, after in model.queues
    }
    centre = Centre(spec, queues, seed=1, start_of_day=0)
    handles, patience = iter(callers.handles), iter(callers.patience)
    for queue in centre.queues.values():  # the drawn callers' handle times and patience, in arrival order
        queue.handle = handles.__next__
        queue.patience = patience.__next__ if model.patience else None

    class Drawn:
        index = 0

        def next_arrival(self, after: float) -> Arrival | None:
            i = self.index
            if i == len(callers.times):
                return None
            self.index += 1
            return Arrival(callers.times[i], callers.queues[i])

    started = time.perf_counter()
    centre.add_source(Drawn())
    centre.advance_to(callers.times[-1])
    centre.drain()
    seconds = time.perf_counter() - started
    rows = centre.total_rows()[:-1]
    arrived = sum(r.offered for r in rows) - sum(r.overflowed for r in rows)  # a moved call is offered twice
    answered = sum(r.answered for r in rows)
    waited = sum((r.asa or 0) * r.answered for r in rows)
    abandoned = sum(r.abandoned for r in rows)
    return seconds, _figures(arrived, answered, abandoned, waited, sum(r.overflowed for r in rows))


# -- SimPy ---------------------------------------------------------------------------------------------


def simpy_model(model: Model, callers: Callers) -> tuple[float, dict[str, float]]:
    """The same floor in SimPy: a FilterStore of agents (put back when free, so the first that matches
    is the longest idle), callers taking the first agent with their queue's skill, in order of arrival."""
    import simpy

    env = simpy.Environment()
    agents = simpy.FilterStore(env)
    for name, count, skills in model.teams:
        for i in range(count):
            agents.items.append((f"{name}{i}", frozenset(skills)))
    overflow = {name: (to, after) for name, _, to, after in model.queues}
    tally = {"arrived": 0, "answered": 0, "abandoned": 0, "waited": 0.0, "overflowed": 0}

    def caller(env: Any, queue: str, handle: float, patience: float) -> Any:
        give_up = env.now + patience
        while True:
            joined = env.now
            request = agents.get(lambda a, q=queue: q in a[1])
            to, after = overflow[queue]
            waits = [request]
            if give_up < math.inf:
                waits.append(env.timeout(give_up - env.now))
            if to is not None:
                waits.append(env.timeout(after))
            result = yield env.any_of(waits)
            if request in result:
                tally["answered"] += 1
                tally["waited"] += env.now - joined
                yield env.timeout(handle)
                yield agents.put(request.value)
                return
            request.cancel()
            if give_up < math.inf and waits[1] in result:
                tally["abandoned"] += 1
                return
            tally["overflowed"] += 1
            assert to is not None
            queue = to

    def source(env: Any) -> Any:
        for i, at in enumerate(callers.times):
            yield env.timeout(at - env.now)
            tally["arrived"] += 1
            env.process(caller(env, callers.queues[i], callers.handles[i], callers.patience[i]))

    env.process(source(env))
    started = time.perf_counter()
    env.run()
    seconds = time.perf_counter() - started
    return seconds, _figures(
        tally["arrived"], tally["answered"], tally["abandoned"], tally["waited"], tally["overflowed"]
    )


def _figures(arrived: int, answered: int, abandoned: int, waited: float, overflowed: int) -> dict[str, float]:
    return {
        "calls": arrived,
        "answered": round(answered / arrived, 4),
        "abandoned": round(abandoned / arrived, 4),
        "overflowed": round(overflowed / arrived, 4),
        "asa": round(waited / max(answered, 1), 2),
    }


def agree(a: dict[str, float], b: dict[str, float]) -> bool:
    """The same callers, the same fates: shares within half a point, ASA within 2 % (or 0.1 s). Only the
    order of events at one instant can differ between the engines."""
    shares = all(abs(a[k] - b[k]) <= 0.005 for k in ("answered", "abandoned", "overflowed"))
    return a["calls"] == b["calls"] and shares and abs(a["asa"] - b["asa"]) <= max(0.02 * max(a["asa"], b["asa"]), 0.1)


def _best(run: Callable[[], tuple[float, dict[str, float]]], repeats: int) -> tuple[float, dict[str, float]]:
    return min((run() for _ in range(repeats)), key=lambda r: r[0])


def against_simpy(quick: bool) -> dict[str, Any]:
    calls = 40_000 if quick else 200_000
    repeats = 1 if quick else 3
    engines: dict[str, Any] = {}
    met = True
    for key, model in MODELS.items():
        callers = draw(model, calls, seed=1)
        ours_s, ours_f = _best(lambda m=model, c=callers: ours(m, c), repeats)
        peer_s, peer_f = _best(lambda m=model, c=callers: simpy_model(m, c), repeats)
        ratio = peer_s / ours_s
        agreed = agree(ours_f, peer_f)
        met = met and agreed and ratio >= 5
        engines[f"({key}) {model.title}"] = {
            "ivr calls/s": round(calls / ours_s),
            "simpy calls/s": round(calls / peer_s),
            "x_simpy": round(ratio, 2),
            "agree": agreed,
            "ivr": ours_f,
            "simpy": peer_f,
        }
    return {
        "name": "general floor engine vs SimPy, same models, same run",
        "models": engines,
        "target": ">= 5x SimPy on each, figures agreeing",
        "met": met,
    }


def agent_scaling(quick: bool) -> dict[str, Any]:
    calls = 40_000 if quick else 200_000
    per_call = {}
    for agents in (20, 200, 2000):
        model = mmn(agents, 0.95)
        callers = draw(model, calls, seed=1)
        seconds, _ = _best(lambda m=model, c=callers: ours(m, c), 1 if quick else 3)
        per_call[f"{agents} agents"] = round(seconds / calls * 1e6, 2)
    spread = max(per_call.values()) / min(per_call.values())
    return {
        "name": "cost per call as agents grow, M/M/n at 95 %",
        "microseconds per call": per_call,
        "spread": round(spread, 2),
        "target": "within 1.5x from 20 to 2,000 agents",
        "met": spread <= 1.5,
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    return run_all((against_simpy, agent_scaling), quick)


if __name__ == "__main__":
    import sys

    run(quick="--quick" in sys.argv)
