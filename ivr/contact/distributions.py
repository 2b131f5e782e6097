"""Random durations drawn from the distributions a menu file names."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from ivr.menu.centre_model import CentreSpec, Distribution, QueueSpec


def sampler(spec: Distribution, rng: random.Random) -> Callable[[], float]:
    """A function returning one draw (seconds) per call."""
    mean = spec.mean
    if spec.dist == "fixed":
        return lambda: mean
    if spec.dist == "lognormal":
        sd = spec.sd or mean
        sigma = math.sqrt(math.log(1 + (sd / mean) ** 2))
        mu = math.log(mean) - sigma * sigma / 2
        lognormvariate = rng.lognormvariate
        return lambda: lognormvariate(mu, sigma)
    rate = 1 / mean
    expovariate = rng.expovariate
    return lambda: expovariate(rate)


class QueueDraws:
    """A queue's identity, target and the random draws its callers bring: handle time and patience."""

    __slots__ = ("handle", "name", "patience", "resolution", "skill", "sl_fraction", "sl_seconds")

    def __init__(self, name: str, queue: QueueSpec, centre: CentreSpec, rng: random.Random) -> None:
        self.name = name
        self.skill = queue.skill or name
        self.handle = sampler(queue.handle_time or centre.handle_time, rng)
        wait_limit = queue.patience or centre.patience
        self.patience = sampler(wait_limit, rng) if wait_limit is not None else None  # None: never hangs up
        self.resolution = centre.resolution_rate if queue.resolution_rate is None else queue.resolution_rate
        self.sl_seconds = queue.service_level.seconds
        self.sl_fraction = queue.service_level.percent / 100
