"""Random durations drawn from the distributions a menu file names."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from ivr.menu.centre_model import Distribution


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
