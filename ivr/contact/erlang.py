"""Erlang C (M/M/n) and Erlang A (M/M/n+M, with abandonment), numerically stable for 10,000+ agents.

No factorials or powers: Erlang B comes from its recursion ``B(n) = A·B(n-1) / (n + A·B(n-1))`` and
Erlang A from ratios of neighbouring state probabilities, so nothing overflows.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Staffing:
    """Expected performance of ``agents`` representatives on a load, under named definitions (see
    docs/metrics.md): where ``ivr simulate`` defines a figure differently, both are here."""

    agents: int
    service_level: float  # answered within the target time ÷ offered
    asa_seconds: float  # mean wait of answered calls (ivr simulate's ASA)
    occupancy: float
    probability_wait: float
    abandon_rate: float = 0.0  # Erlang A only
    service_level_short_out: float = 0.0  # answered within target ÷ (offered − abandoned within 5 s): simulate's SL
    wait_seconds: float = 0.0  # mean time waited by every offered call, abandoned callers' included

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of ``agents`` servers offered ``traffic`` erlangs."""
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a call waits (Erlang C). 1.0 when the load is at or above capacity."""
    if agents <= traffic:
        return 1.0
    b = erlang_b(agents, traffic)
    rho = traffic / agents
    return b / (1 - rho * (1 - b))


def erlang_c_staffing(agents: int, calls_per_second: float, aht: float, target_seconds: float) -> Staffing:
    """Service level, ASA and occupancy of an M/M/n queue (no abandonment)."""
    traffic = calls_per_second * aht
    if agents <= traffic:
        return Staffing(agents, 0.0, math.inf, 1.0, 1.0)
    c = erlang_c(agents, traffic)
    service_level = 1 - c * math.exp(-(agents - traffic) * target_seconds / aht)
    asa = c * aht / (agents - traffic)
    return Staffing(agents, service_level, asa, traffic / agents, c, 0.0, service_level, asa)


def agents_needed(
    calls_per_second: float,
    aht: float,
    target_fraction: float,
    target_seconds: float,
    patience: float | None = None,
    max_occupancy: float = 1.0,
) -> int:
    """The fewest agents meeting the service-level target (and occupancy cap). Erlang A with ``patience``."""
    traffic = calls_per_second * aht

    def meets(n: int) -> bool:
        result = staffing(n, calls_per_second, aht, target_seconds, patience)
        return result.service_level >= target_fraction and result.occupancy <= max_occupancy

    n = max(1, math.floor(traffic) + (patience is None))  # without abandonment, fewer cannot keep up
    while not meets(n):
        n += 1
    if patience is None:
        return n
    # With abandonment fewer agents than the load in erlangs can meet the target: the service level rises
    # and the occupancy falls with every agent added, so the fewest that meet it are found by bisection.
    low, high = 0, n  # low fails (no agents), high meets
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if meets(middle) else (middle, high)
    return high


def staffing(
    agents: int, calls_per_second: float, aht: float, target_seconds: float, patience: float | None = None
) -> Staffing:
    """Erlang C figures, or Erlang A figures when callers have an average ``patience`` (seconds)."""
    if patience is None:
        return erlang_c_staffing(agents, calls_per_second, aht, target_seconds)
    return erlang_a_staffing(agents, calls_per_second, aht, target_seconds, patience)


def erlang_a_staffing(
    agents: int, calls_per_second: float, aht: float, target_seconds: float, patience: float
) -> Staffing:
    """M/M/n+M (Palm / Erlang A): exponential patience with mean ``patience`` seconds.

    A caller who finds ``j`` callers waiting passes ``j + 1`` stages; at stage ``i`` (``i`` callers ahead)
    the queue moves on at ``n·μ + i·θ`` and the caller gives up at ``θ``, so a stage lasts Exp(``r_i``),
    ``r_i = n·μ + (i+1)·θ``, whatever ends it. Hence P(answered) and the mean wait of answered callers in
    closed form, and the chances of being answered within T or giving up within 5 s by uniformization."""
    from ivr.contact.metrics import SHORT_ABANDON

    lam, mu, theta, n = calls_per_second, 1 / aht, 1 / patience, agents
    probs = _state_probabilities(n, lam, mu, theta)
    positions = len(probs) - n
    p_wait = sum(probs[n:])
    queue_length = sum((k - n) * p for k, p in enumerate(probs) if k > n)
    abandon = theta * queue_length / lam
    answered_within = sum(probs[:n]) + sum(
        p * q for p, q in zip(probs[n:], _absorbed_within(n, mu, theta, target_seconds, positions)[0], strict=True)
    )
    short_out = sum(
        p * q for p, q in zip(probs[n:], _absorbed_within(n, mu, theta, SHORT_ABANDON, positions)[1], strict=True)
    )
    answered, answered_wait = sum(probs[:n]), 0.0
    reach, stages = 1.0, 0.0  # P(answered) from position j, and the mean length of its stages
    for j in range(positions):
        rate = n * mu + (j + 1) * theta
        reach *= (n * mu + j * theta) / rate
        stages += 1 / rate
        answered += probs[n + j] * reach
        answered_wait += probs[n + j] * reach * stages
    busy = sum(min(k, n) * p for k, p in enumerate(probs))
    return Staffing(
        agents=n,
        service_level=answered_within,
        asa_seconds=answered_wait / answered if answered > 0 else math.inf,
        occupancy=busy / n,
        probability_wait=p_wait,
        abandon_rate=abandon,
        service_level_short_out=answered_within / (1 - short_out) if short_out < 1 else 0.0,
        wait_seconds=queue_length / lam,
    )


def _state_probabilities(n: int, lam: float, mu: float, theta: float) -> list[float]:
    """Stationary distribution of the number in system, truncated where the tail is negligible."""
    weights = [1.0]
    top = 1.0
    k = 0
    while True:
        death = min(k + 1, n) * mu + max(k + 1 - n, 0) * theta
        nxt = weights[-1] * lam / death
        weights.append(nxt)
        top = max(top, nxt)
        k += 1
        if k > n and nxt < 1e-16 * top:
            break
        if top > 1e250:  # rescale to stay in range
            weights = [w / top for w in weights]
            top = 1.0
    total = sum(weights)
    return [w / total for w in weights]


def _absorbed_within(n: int, mu: float, theta: float, t: float, positions: int) -> tuple[list[float], list[float]]:
    """For a caller with j callers ahead, j = 0..positions-1: P(answered within t) and P(gave up within t),
    by uniformization of the stages described in :func:`erlang_a_staffing` (vectorized over j)."""
    import numpy as np  # here, not at the top: numpy costs every `ivr` command 0.2 s to start

    rates = n * mu + theta * np.arange(positions, dtype=float)
    uniform = float(rates.max()) + theta if positions else theta
    move, stay, quit_ = rates / uniform, 1 - (rates + theta) / uniform, theta / uniform
    # h[i], g[i]: answered / gave up within m uniformized steps, starting i callers behind the head.
    h, g = np.zeros(positions), np.zeros(positions)
    served, gave_up = np.zeros(positions), np.zeros(positions)
    mean = uniform * t
    steps = int(mean + 10 * math.sqrt(mean) + 30)
    log_pois = -mean
    for m in range(steps + 1):
        if m > 0:
            log_pois += math.log(mean) - math.log(m) if mean > 0 else -math.inf
            h = move * np.concatenate(([1.0], h[:-1])) + stay * h
            g = move * np.concatenate(([0.0], g[:-1])) + quit_ + stay * g
        weight = math.exp(log_pois) if log_pois > -745 else 0.0
        if weight:
            served += weight * h
            gave_up += weight * g
    return served.tolist(), gave_up.tolist()


def parse_target(text: str) -> tuple[float, float]:
    """``"80/20"`` -> (0.8, 20.0): percent answered within seconds."""
    percent, sep, seconds = text.partition("/")
    try:
        fraction, limit = float(percent) / 100, float(seconds.rstrip("s"))
    except ValueError:
        raise ValueError(f"{text!r} is not a target; write PERCENT/SECONDS such as 80/20") from None
    if not sep or not 0 < fraction <= 1 or limit < 0:
        raise ValueError(f"{text!r} is not a target; write PERCENT/SECONDS such as 80/20")
    return fraction, limit
