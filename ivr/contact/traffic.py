"""Background callers: Poisson arrivals at a rate that follows a time-of-day profile."""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable

from ivr.contact.participants import Arrival
from ivr.menu.centre_model import Traffic

DAY = 86_400.0


class PoissonArrivals:
    """Arrivals of a non-homogeneous Poisson process whose rate is constant between profile points.

    ``route(t)`` decides where each caller goes (a queue by share, or a walk through the menu).
    """

    def __init__(
        self, traffic: Traffic, rng: random.Random, start_of_day: float, route: Callable[[float], Arrival]
    ) -> None:
        self.rng = rng
        self.start_of_day = start_of_day
        self.route = route
        if traffic.profile is not None:
            points = sorted((_seconds(k), v / 3600) for k, v in traffic.profile.items())
        else:
            points = [(0.0, (traffic.calls_per_hour or 0.0) / 3600)]
        self.times = [p[0] for p in points]
        self.rates = [p[1] for p in points]
        self._from = self._until = self._rate = 0.0  # the stretch of constant rate the last draw was in
        self.pace = 1.0  # times the traffic's rate (a trainer's surge or lull)

    def set_pace(self, factor: float) -> None:
        """Callers come ``factor`` times as often from now on; the next arrival is drawn afresh."""
        self.pace = factor
        self._from = self._until = self._rate = 0.0

    def rate_at(self, t: float) -> tuple[float, float]:
        """Calls per second at simulated time ``t``, and the simulated time the rate next changes."""
        day, tod = divmod(self.start_of_day + t, DAY)
        i = bisect.bisect_right(self.times, tod) - 1
        rate = self.rates[i] * self.pace  # i == -1 wraps to the last point of the previous day
        following = day * DAY + self.times[i + 1] if i + 1 < len(self.times) else (day + 1) * DAY + self.times[0]
        change = following
        return rate, change - self.start_of_day

    def next_arrival(self, after: float) -> Arrival | None:
        t = after
        if self._rate > 0 and self._from <= t < self._until:  # in the stretch of the last draw: same rate
            t += self.rng.expovariate(self._rate)
            if t < self._until:
                return self.route(t)
            t = self._until
        for _ in range(len(self.times) * 2 + 2):
            rate, change = self.rate_at(t)
            self._from, self._until, self._rate = t, change, rate
            if rate > 0:
                gap = self.rng.expovariate(rate)
                if t + gap < change:
                    return self.route(t + gap)
                # memoryless: start afresh at the change with the new rate
            t = change
            if not any(self.rates):
                return None
        return None


def by_share(shares: dict[str, float], rng: random.Random) -> Callable[[float], Arrival]:
    """Route each caller straight to a queue, picked by ``shares``."""
    names = list(shares)
    weights = [shares[n] for n in names]
    if sum(weights) <= 0:
        raise ValueError("queue shares must add up to more than 0")
    if len(names) == 1:
        only = names[0]
        return lambda t: Arrival(t, only)
    choices = rng.choices
    return lambda t: Arrival(t, choices(names, weights)[0])


def _seconds(text: str) -> float:
    hour, minute = (int(x) for x in text.split(":"))
    return float(hour * 3600 + minute * 60)
