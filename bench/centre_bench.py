"""Contact-centre benchmarks (queue issue).

- calls simulated per second on one M/M/c+M queue (20 agents, 18 erlangs, exponential patience) by
  ivr's FIFO fast path and by its general event simulation, against SimPy and ciw models of the same
  queue in the same run. Every engine keeps the same per-interval statistics (ivr's ``Tally``), so the
  comparison is of engines, not of bookkeeping. Target: >= 10x SimPy.
- memory over a simulated month (1M+ calls): peak RSS and peak Python heap (tracemalloc) of one simulated day
  vs thirty, each in a fresh process. What grows with time (one report row per queue per interval) is tiny;
  nothing grows with calls.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from typing import Any

from bench.report import run_all

AGENTS, ERLANGS, AHT, PATIENCE, SL = 20, 18.0, 180.0, 120.0, 20.0
INTERVAL = 1800.0
# (agents, erlangs, patience): the queue of the first throughput bench, and the M/M/60 at 96 %
WITH_PATIENCE: tuple[int, float, float | None] = (AGENTS, ERLANGS, PATIENCE)
MM60: tuple[int, float, float | None] = (60, 57.6, None)


def _spec(calls_per_hour: float, forced_events: bool = False, model: Any = WITH_PATIENCE) -> Any:
    from ivr.menu.centre_model import CentreSpec

    agents, _, patience = model
    team: dict[str, Any] = {"name": "A", "count": agents, "skills": {"q": 1}}
    if forced_events:  # a break makes the model ineligible for the fast path: the general engine runs
        team["breaks"] = [{"at": "03:00", "length": "1m"}]
    return CentreSpec.model_validate(
        {
            "agents": [team],
            "handle_time": AHT,
            "patience": patience,
            "wrap_up": 0,
            "interval": INTERVAL,
            "traffic": {"calls_per_hour": calls_per_hour, "queues": {"q": 1}},
        }
    )


def _queues() -> Any:
    from ivr.menu.centre_model import QueueSpec

    return {"q": QueueSpec(service_level=f"80/{SL:g}")}


def ivr_fast(calls: int, seed: int = 1, model: Any = WITH_PATIENCE) -> tuple[float, dict[str, float]]:
    from ivr.contact.fifo import FifoCentre

    rate = model[1] / AHT
    centre = FifoCentre(_spec(rate * 3600, model=model), _queues(), seed, 0)
    started = time.perf_counter()
    centre.run(calls / rate)
    seconds = time.perf_counter() - started
    return seconds, _summary(centre.total_rows()[0])


def ivr_events(calls: int, seed: int = 1, model: Any = WITH_PATIENCE) -> tuple[float, dict[str, float]]:
    from ivr.contact.centre import Centre
    from ivr.contact.traffic import PoissonArrivals, by_share

    rate = model[1] / AHT
    spec = _spec(rate * 3600, model=model)
    centre = Centre(spec, _queues(), seed=seed, start_of_day=0)
    rng = random.Random(seed + 1)
    centre.add_source(PoissonArrivals(spec.traffic, rng, 0, by_share({"q": 1}, rng)))
    started = time.perf_counter()
    end = calls / rate
    centre.stop_arrivals(end)
    centre.advance_to(end)
    centre.drain()
    seconds = time.perf_counter() - started
    return seconds, _summary(centre.total_rows()[0])


def simpy_model(calls: int, seed: int = 1, model: Any = WITH_PATIENCE) -> tuple[float, dict[str, float]]:
    import simpy

    from ivr.contact.metrics import Tally

    count, erlangs, wait_limit = model
    rate = erlangs / AHT
    rng = random.Random(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=count)
    total = Tally(SL)
    tallies: dict[int, Tally] = {}

    def caller(env: Any) -> Any:
        arrived = env.now
        tally = tallies.setdefault(int(arrived // INTERVAL), Tally(SL))
        tally.offered += 1
        total.offered += 1
        with agents.request() as request:
            if wait_limit is None:
                yield request
                result: Any = (request,)
            else:
                result = yield request | env.timeout(rng.expovariate(1 / wait_limit))
            wait = env.now - arrived
            if request in result:
                tally.left_queue(wait, True)
                total.left_queue(wait, True)
                handle = rng.expovariate(1 / AHT)
                yield env.timeout(handle)
                for t in (tally, total):
                    t.handled += 1
                    t.handle_sum += handle
            else:
                tally.left_queue(wait, False)
                total.left_queue(wait, False)

    def source(env: Any) -> Any:
        for _ in range(calls):
            yield env.timeout(rng.expovariate(rate))
            env.process(caller(env))

    env.process(source(env))
    started = time.perf_counter()
    env.run()
    seconds = time.perf_counter() - started
    return seconds, _summary(total.row("q", 0, env.now, 0.8))


def ciw_model(calls: int, seed: int = 1) -> tuple[float, dict[str, float]]:
    import ciw

    from ivr.contact.metrics import Tally

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ERLANGS / AHT)],
        service_distributions=[ciw.dists.Exponential(rate=1 / AHT)],
        number_of_servers=[AGENTS],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1 / PATIENCE)],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    started = time.perf_counter()
    sim.simulate_until_max_customers(calls, method="Arrive")
    total = Tally(SL)
    for record in sim.get_all_records():
        total.offered += 1
        answered = record.record_type == "service"
        total.left_queue(record.waiting_time, answered)
        if answered:
            total.handled += 1
            total.handle_sum += record.service_time
    seconds = time.perf_counter() - started
    return seconds, _summary(total.row("q", 0, sim.current_time, 0.8))


def _summary(row: Any) -> dict[str, float]:
    return {
        "calls": row.offered,
        "service_level": round(row.service_level or 0, 4),
        "abandoned": round(row.abandoned / max(row.offered, 1), 4),
        "asa": round(row.asa or 0, 2),
    }


def throughput(quick: bool) -> dict[str, Any]:
    calls = 50_000 if quick else 300_000
    results: dict[str, Any] = {}
    for name, run, n in (
        ("ivr fast path", ivr_fast, calls),
        ("ivr event simulation", ivr_events, calls),
        ("simpy", simpy_model, calls),
        ("ciw", ciw_model, calls // 10),
    ):
        best = min((run(n) for _ in range(1 if quick else 3)), key=lambda r: r[0])
        results[name] = {"calls_per_second": round(n / best[0]), **best[1]}
    return _against_simpy("calls simulated per second, M/M/20+M at 90 % load", results, 10)


def _against_simpy(title: str, results: dict[str, Any], target: float) -> dict[str, Any]:
    """Each engine's rate as a multiple of SimPy's in the same run; the fast path's against ``target``."""
    simpy_rate = results["simpy"]["calls_per_second"]
    for figures in results.values():
        figures["x_simpy"] = round(figures["calls_per_second"] / simpy_rate, 2)
    ratio = results["ivr fast path"]["x_simpy"]
    return {"name": title, "engines": results, "target": f">= {target:g}x SimPy", "met": ratio >= target}


def fast_path_mm60(quick: bool) -> dict[str, Any]:
    """The issue's model for the fast path: M/M/60 at 96 % load, callers who never hang up."""
    calls = 50_000 if quick else 300_000
    results: dict[str, Any] = {}
    for name, run in (("ivr fast path", ivr_fast), ("ivr event simulation", ivr_events), ("simpy", simpy_model)):
        best = min((run(calls, 1, MM60) for _ in range(1 if quick else 3)), key=lambda r: r[0])
        results[name] = {"calls_per_second": round(calls / best[0]), **best[1]}
    return _against_simpy("calls simulated per second, M/M/60 at 96 % load", results, 15)


def _peak_rss_mb(days: int, engine: str) -> dict[str, float]:
    code = (
        "import json, tracemalloc\n"
        "from bench.memory import peak_rss_mb\n"
        "from bench.centre_bench import _month\n"
        "import ivr.contact.centre, ivr.contact.fifo\n"
        "before = peak_rss_mb()\n"
        "tracemalloc.start()\n"
        f"calls, seconds = _month({days}, {engine!r})\n"
        "traced = tracemalloc.get_traced_memory()[1] / 2**20\n"
        "print(json.dumps({'calls': calls, 'seconds': seconds, 'rss_before_mb': round(before, 1),"
        " 'rss_mb': round(peak_rss_mb(), 1),"
        " 'python_peak_mb': round(traced, 2)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _month(days: int, engine: str) -> tuple[int, float]:
    """Simulate ``days`` of 1,500 calls an hour (36,000 a day) on 85 agents; return calls and seconds."""
    from ivr.contact.centre import Centre
    from ivr.contact.fifo import FifoCentre
    from ivr.contact.traffic import PoissonArrivals, by_share

    spec = _spec(1500.0, forced_events=engine == "events")
    spec = spec.model_copy(update={"agents": [spec.agents[0].model_copy(update={"count": 85})]})
    end = days * 86_400.0
    started = time.perf_counter()
    if engine == "fast":
        fast = FifoCentre(spec, _queues(), 1, 0)
        fast.run(end)
        calls = fast.total_rows()[0].offered
    else:
        centre = Centre(spec, _queues(), seed=1, start_of_day=0)
        rng = random.Random(2)
        centre.add_source(PoissonArrivals(spec.traffic, rng, 0, by_share({"q": 1}, rng)))
        centre.stop_arrivals(end)
        centre.advance_to(end)
        centre.drain()
        calls = centre.total_rows()[0].offered
    return calls, round(time.perf_counter() - started, 1)


def memory(quick: bool) -> dict[str, Any]:
    days = (1, 3) if quick else (1, 30)
    figures = {f"{engine} {d} day(s)": _peak_rss_mb(d, engine) for engine in ("events", "fast") for d in days}
    rss_growth = max(
        figures[f"{engine} {days[1]} day(s)"]["rss_mb"] / figures[f"{engine} {days[0]} day(s)"]["rss_mb"]
        for engine in ("events", "fast")
    )
    heap_growth = max(
        figures[f"{engine} {days[1]} day(s)"]["python_peak_mb"]
        - figures[f"{engine} {days[0]} day(s)"]["python_peak_mb"]
        for engine in ("events", "fast")
    )
    long_run = figures[f"events {days[1]} day(s)"]["calls"]
    return {
        "name": f"peak memory, {days[0]} vs {days[1]} simulated days",
        "runs": figures,
        "rss_growth": round(rss_growth, 3),
        "python_heap_growth_mb": round(heap_growth, 2),
        "target": "flat over a month of 1M+ calls: peak RSS within 10 %, heap growth < 5 MB (the report rows)",
        "met": rss_growth < 1.1 and heap_growth < 5 and (quick or long_run >= 1_000_000),
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    return run_all((throughput, fast_path_mm60, memory), quick)
