"""The contact-centre part of a menu file: queues in full, representatives, and background traffic."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema, model_validator

from ivr.menu.durations import Duration
from ivr.source.validation import Strict

MAX_CALLS_PER_HOUR = 100_000  # a very large contact centre's peak is a few thousand an hour
Rate = Annotated[float, Field(ge=0, le=MAX_CALLS_PER_HOUR, allow_inf_nan=False)]
Weight = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]


def _distribution(value: Any) -> Any:
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return {"dist": "exponential", "mean": value}
    return value


class Distribution(Strict):
    """A random duration: ``exponential`` (mean), ``lognormal`` (mean and sd) or ``fixed`` (mean)."""

    dist: Literal["exponential", "lognormal", "fixed"] = "exponential"
    mean: Duration
    sd: Duration | None = None

    @model_validator(mode="after")
    def _needs_sd(self) -> Distribution:
        if self.dist == "lognormal" and not self.sd:
            raise ValueError("a lognormal distribution needs `sd` as well as `mean`")
        if self.mean <= 0:
            raise ValueError("a distribution's mean must be more than 0")
        return self


DistributionField = Annotated[
    Distribution,
    BeforeValidator(_distribution),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "description": "exponential with this mean (seconds)"},
                {"type": "string", "description": "exponential with this mean, e.g. 180s"},
                Distribution.model_json_schema(),
            ]
        }
    ),
]

_TARGET = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*/\s*(\d+(?:\.\d+)?)\s*s?\s*$")


def _service_level(value: Any) -> Any:
    if isinstance(value, str):
        match = _TARGET.match(value)
        if not match:
            raise ValueError(f"{value!r} is not a service level; write PERCENT/SECONDS such as 90/120")
        return {"percent": float(match.group(1)), "seconds": float(match.group(2))}
    return value


class ServiceLevel(Strict):
    """X % of calls answered within T seconds."""

    percent: float = Field(90.0, gt=0, le=100)
    seconds: Duration = 120.0


ServiceLevelField = Annotated[
    ServiceLevel,
    BeforeValidator(_service_level),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^\d+(\.\d+)?%?/\d+(\.\d+)?s?$"}, {"type": "object"}]}),
]


class Announcements(Strict):
    every: Duration = Field(30.0, gt=0)
    position: bool = True
    wait: bool = True


class CallbackOffer(Strict):
    """Offer a callback after ``after`` seconds of waiting, or at once when the estimate exceeds ``wait_over``."""

    after: Duration | None = None
    wait_over: Duration | None = None
    accept_rate: float = Field(0.5, ge=0, le=1, description="share of simulated callers who accept")

    @model_validator(mode="after")
    def _when(self) -> CallbackOffer:
        if self.after is None and self.wait_over is None:
            raise ValueError("a callback offer needs `after` or `wait_over`")
        return self


class Overflow(Strict):
    after: Duration
    to: str


Routing = Literal["longest-idle", "round-robin", "fewest-calls", "random", "skill-level"]


class QueueSpec(Strict):
    """A queue of representatives that ``queue`` nodes hand callers to."""

    description: str | None = None
    skill: str | None = Field(None, description="skill an agent needs; the queue's name by default")
    priority: int = Field(0, description="higher is served first by agents who serve several queues")
    max_length: int | None = Field(None, ge=0, description="callers beyond it hear 'all lines are busy'")
    service_level: ServiceLevelField = Field(default_factory=ServiceLevel)
    announce: Announcements | None = None
    callback: CallbackOffer | None = None
    overflow: Overflow | None = None
    routing: Routing = "longest-idle"
    handle_time: DistributionField | None = None
    patience: DistributionField | None = None
    resolution_rate: float | None = Field(None, ge=0, le=1, description="first-contact resolution rate")


def _clock_time(text: str) -> str:
    if not re.match(r"^([01]?\d|2[0-3]):[0-5]\d$", text):
        raise ValueError(f"{text!r} is not a time of day; write it as 09:30")
    return text


ClockTime = Annotated[str, AfterValidator(_clock_time)]


class Break(Strict):
    at: ClockTime
    length: Duration = Field(gt=0, le=8 * 3600, description="at most 8 hours")


class AgentSpec(Strict):
    """One representative, or a team of ``count`` alike."""

    name: str = Field(min_length=1)
    count: int = Field(1, ge=1, le=20_000)
    skills: dict[str, int] = Field(min_length=1, description="skill -> level; 1 is the best")
    wrap_up: Duration | None = None
    breaks: list[Break] = Field(default_factory=list)


class Retrial(Strict):
    probability: float = Field(ge=0, le=1)
    after: DistributionField


class Traffic(Strict):
    """Background callers: how many, when, and where they go."""

    calls_per_hour: Rate | None = None
    profile: dict[ClockTime, Rate] | None = Field(
        None, description="time of day -> calls per hour from then on (piecewise constant)"
    )
    queues: dict[str, Weight] | None = Field(None, description="queue -> share; callers skip the menu")
    choices: dict[str, dict[str, Weight]] = Field(
        default_factory=dict, description="node -> {key or 'wait' or 'hangup': weight}, for callers walking the menu"
    )
    retrial: Retrial | None = None
    callers: dict[str, dict[str, Weight]] = Field(
        default_factory=dict,
        description="who calls: `tier`, `language` or a declared input -> {value: weight}",
    )

    def first_busy_hour(self) -> str:
        """``"HH:MM"``: the earliest point of the profile with calls, or 09:00 for a flat rate."""
        busy = [k for k, v in (self.profile or {}).items() if v > 0]
        if not busy:
            return "09:00"
        hour, minute = min(tuple(int(x) for x in k.split(":")) for k in busy)
        return f"{hour:02d}:{minute:02d}"

    @model_validator(mode="after")
    def _rate(self) -> Traffic:
        if (self.calls_per_hour is None) == (self.profile is None):
            raise ValueError("traffic needs exactly one of `calls_per_hour` and `profile`")
        for name, weights in [("queues", self.queues or {}), *self.choices.items(), *self.callers.items()]:
            if weights and sum(weights.values()) <= 0:
                raise ValueError(f"the weights of {name!r} add up to 0: at least one must be more than 0")
        return self


MAX_WARM_UP = 4 * 3600.0  # the longest a floor runs at once before a class sees it (and the longest break)


class Scenario(Strict):
    """A floor a trainer stages in one go: how fast callers come, who is on and who is on a break, and
    how long the floor runs before the class looks (`centre.scenarios`, or a scenario file)."""

    description: str | None = Field(None, max_length=200, description="what the palette shows")
    pace: float = Field(1.0, ge=0.1, le=10, description="callers come this many times the traffic's rate")
    staffing: dict[str, Annotated[int, Field(ge=-1000, le=1000)]] = Field(
        default_factory=dict, description="team -> representatives more (+) or fewer (-) than the menu has"
    )
    breaks: list[str] = Field(default_factory=list, description="teams sent on a break at once")
    break_length: Duration = Field(900.0, gt=0, le=MAX_WARM_UP, description="how long those breaks last")
    warm_up: Duration = Field(0.0, ge=0, le=MAX_WARM_UP, description="the floor runs this long at once: at most 4h")


class CentreSpec(Strict):
    """The representatives' floor behind the menu."""

    interval: Duration = Field(1800.0, description="report interval: 15m, 30m or 60m")
    handle_time: DistributionField = Field(default_factory=lambda: Distribution(mean=240.0))
    patience: DistributionField | None = Field(
        default_factory=lambda: Distribution(mean=180.0), description="null: callers never hang up while waiting"
    )
    wrap_up: Duration = 30.0
    resolution_rate: float = Field(0.7, ge=0, le=1)
    reference_prefix: str = Field("REF", pattern=r"^[A-Z]{1,6}$")
    agents: list[AgentSpec] = Field(default_factory=list)
    traffic: Traffic | None = None
    scenarios: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")], Scenario] = Field(
        default_factory=dict, description="named floors a trainer stages from the palette or `ivr run --scenario`"
    )

    @model_validator(mode="after")
    def _interval(self) -> CentreSpec:
        if self.interval not in (900.0, 1800.0, 3600.0):
            raise ValueError("`interval` must be 15m, 30m or 60m")
        return self
