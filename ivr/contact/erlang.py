"""Erlang C (M/M/n) and Erlang A (M/M/n+M, with abandonment), numerically stable for 10,000+ agents.

No factorials or powers: Erlang B comes from its recursion ``B(n) = A·B(n-1) / (n + A·B(n-1))`` and
Erlang A from ratios of neighbouring state probabilities, so nothing overflows.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Staffing:
    """Expected performance of ``agents`` representatives on a load."""

    agents: int
    service_level: float  # fraction answered within the target time
    asa_seconds: float  # average speed of answer over all calls offered
    occupancy: float
    probability_wait: float
    abandon_rate: float = 0.0  # Erlang A only

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
    return Staffing(agents, service_level, asa, traffic / agents, c)


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
    n = max(1, math.floor(traffic) + (patience is None))
    while True:
        result = staffing(n, calls_per_second, aht, target_seconds, patience)
        if result.service_level >= target_fraction and result.occupancy <= max_occupancy:
            return n
        n += 1


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
    """M/M/n+M (Palm / Erlang A): exponential patience with mean ``patience`` seconds."""
    lam, mu, theta, n = calls_per_second, 1 / aht, 1 / patience, agents
    probs = _state_probabilities(n, lam, mu, theta)
    p_wait = sum(probs[n:])
    queue_length = sum((k - n) * p for k, p in enumerate(probs) if k > n)
    abandon = theta * queue_length / lam
    answered_within = sum(probs[:n]) + sum(
        p * q for p, q in zip(probs[n:], _served_within(n, mu, theta, target_seconds, len(probs) - n), strict=False)
    )
    busy = sum(min(k, n) * p for k, p in enumerate(probs))
    return Staffing(
        agents=n,
        service_level=answered_within,
        asa_seconds=queue_length / lam,
        occupancy=busy / n,
        probability_wait=p_wait,
        abandon_rate=abandon,
    )


def _state_probabilities(n: int, lam: float, mu: float, theta: float) -> list[float]:
    """Stationary distribution of the number in system, truncated where the tail is negligible."""
    weights = [1.0]
    k = 0
    while True:
        death = min(k + 1, n) * mu + max(k + 1 - n, 0) * theta
        nxt = weights[-1] * lam / death
        weights.append(nxt)
        k += 1
        if k > n and nxt < 1e-16 * max(weights):
            break
        if max(weights) > 1e250:  # rescale to stay in range
            top = max(weights)
            weights = [w / top for w in weights]
    total = sum(weights)
    return [w / total for w in weights]


def _served_within(n: int, mu: float, theta: float, t: float, positions: int) -> list[float]:
    """P(a caller with j callers ahead is answered within t), j = 0..positions-1 (uniformization)."""
    rates = [n * mu + i * theta for i in range(positions)]
    uniform = max(rates) + theta
    # h[i]: probability of being answered within m uniformized steps, starting i callers behind the head.
    h = [0.0] * positions
    result = [0.0] * positions
    mean = uniform * t
    steps = int(mean + 10 * math.sqrt(mean) + 30)
    log_pois = -mean
    for m in range(steps + 1):
        if m > 0:
            log_pois += math.log(mean) - math.log(m) if mean > 0 else -math.inf
            prev = h
            h = [
                rates[i] / uniform * (prev[i - 1] if i > 0 else 1.0) + (1 - (rates[i] + theta) / uniform) * prev[i]
                for i in range(positions)
            ]
        weight = math.exp(log_pois) if log_pois > -745 else 0.0
        if weight:
            for i in range(positions):
                result[i] += weight * h[i]
    return result


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
