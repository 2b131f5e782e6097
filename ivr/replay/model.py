"""The call-script format (``*.call.yaml``) as pydantic models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator, model_validator

from ivr.menu.conditions import VarName
from ivr.menu.durations import Duration
from ivr.menu.durations import _duration as parse_duration_value
from ivr.menu.lookup_model import LookupAnswer
from ivr.source import patterns
from ivr.source.validation import Strict

MAX_WAITING = 10_000  # callers a script may put in one queue before its call
MAX_AGENTS = 2_000  # representatives a script may put on the floor per team


def _shorthand(field: str, *shapes: dict[str, Any]) -> Any:
    """A schema patch: ``field`` may also be written in the shorter ``shapes``."""

    def patch(schema: dict[str, Any]) -> None:
        prop = schema["properties"][field]
        prop["anyOf"] = [*shapes, *prop.get("anyOf", [prop.copy()])]

    return patch


def _patches(*patches: Any) -> Any:
    def apply(schema: dict[str, Any]) -> None:
        for patch in patches:
            patch(schema)

    return apply


class CallerSpec(Strict):
    number: str | None = None
    language: str | None = None
    tier: str | None = None
    variables: dict[VarName, str | int | float | bool] = Field(default_factory=dict)


class World(Strict):
    """What the line looks like when the call starts."""

    at: datetime | None = Field(
        None, description="local date and time of the call, in the menu's time zone (an offset is converted to it)"
    )
    waiting: dict[str, Annotated[int, Field(ge=0, le=MAX_WAITING)]] = Field(
        default_factory=dict, description=f"queue -> callers already waiting (0 to {MAX_WAITING:,})"
    )
    agents: dict[str, Annotated[int, Field(ge=0, le=MAX_AGENTS)]] = Field(
        default_factory=dict, description=f"agent team -> how many are on the floor (0 to {MAX_AGENTS:,})"
    )
    handle_time: dict[str, Duration] = Field(
        default_factory=dict, description="queue -> a fixed talk time, so what follows the queue is repeatable"
    )
    lookups: dict[str, LookupAnswer] = Field(
        default_factory=dict,
        description="lookup node -> what its service answers on this call, in place of the menu's answers "
        "(as Amazon Connect's tests override a Lambda): `{set: {...}, goto: node}` or `{error: true}`",
    )

    @field_validator("at")
    @classmethod
    def _a_year_we_can_reach(cls, value: datetime | None) -> datetime | None:
        if value is not None and not 1970 <= value.year <= 2200:
            raise ValueError(f"{value.year} is not a year a call can be simulated in; use 1970 to 2200")
        return value


def _text_test(value: Any) -> Any:
    return {"contains": value} if isinstance(value, str) else value


class TextTest(Strict):
    """A prompt heard since the last action: its text (in the call's language) or id."""

    contains: str | None = None
    equals: str | None = None
    matches: str | None = None
    id: str | None = None
    audio: str | None = Field(None, max_length=1000, description="the recording played, as the menu names it")
    ignore_case: bool = False

    @model_validator(mode="after")
    def _something(self) -> TextTest:
        if not any((self.contains, self.equals, self.matches, self.id, self.audio)):
            raise ValueError("a prompt test needs one of: contains, equals, matches, id, audio")
        if self.matches is not None:
            patterns.check_pattern(self.matches)
        return self

    def describe(self) -> str:
        parts = [f"{k} {getattr(self, k)!r}" for k in ("id", "contains", "equals", "matches") if getattr(self, k)]
        return "prompt " + " and ".join(parts) + (" (ignoring case)" if self.ignore_case else "")


class Bounds(Strict):
    min: float | None = None
    max: float | None = None

    def holds(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self) -> str:
        if self.min is not None and self.min == self.max:
            return f"{self.min:g}"  # `position: 3` reads "position 3", not "between 3 and 3"
        if self.min is not None and self.max is not None:
            return f"between {self.min:g} and {self.max:g}"
        return f"at least {self.min:g}" if self.min is not None else f"at most {self.max:g}"


def _queued(value: Any) -> Any:
    return {"queue": value} if isinstance(value, str) else value


class QueuedTest(Strict):
    queue: str
    position: Bounds | None = None
    wait: Bounds | None = Field(None, description="estimated wait in seconds when queued")


class Expect(Strict):
    """What must be true now. Several fields in one expectation must all hold."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra=_patches(
            _shorthand("prompt", {"type": "string", "description": "contains this text"}),
            _shorthand("queued", {"type": "string", "description": "queue name"}),
        ),
    )

    node: str | None = None
    prompt: Annotated[TextTest, BeforeValidator(_text_test)] | None = None
    variables: dict[str, str | int | float | bool | None] | None = None
    queued: Annotated[QueuedTest, BeforeValidator(_queued)] | None = None
    position: Bounds | None = Field(None, description="the caller's place in the queue now")
    answered: bool | None = Field(None, description="an agent has answered the caller")
    callback_offered: bool | None = Field(None, description="the queue offered the caller a callback")
    callback_taken: bool | None = Field(None, description="the caller took the callback (and keeps their place)")
    busy: Literal["full", "unstaffed"] | None = Field(
        None, description="the queue turned the caller away: full, or nobody logged in"
    )
    transferred: str | None = None
    looked_up: str | None = Field(None, description="this lookup node had its service's answer since the last action")
    lookup_failed: bool | None = Field(None, description="a lookup's service failed since the last action")
    hung_up: str | None = Field(None, description="the call ended with this reason")
    ended: bool | None = Field(None, description="the call has left the menu: queued, transferred or hung up")
    no_input: int | None = Field(None, ge=1, description="the node's no-input count reached")
    no_match: int | None = Field(None, ge=1, description="the node's no-match count reached")
    within: Duration | None = Field(None, description="at most this many simulated seconds into the call")

    @model_validator(mode="after")
    def _something(self) -> Expect:
        if not self.model_fields_set - {"limit"}:
            raise ValueError("an expectation needs at least one of: " + ", ".join(Expect.model_fields))
        return self


class Press(Strict):
    keys: str
    pacing: Duration = Field(0.0, description="seconds between keys")
    barge_in: bool = Field(False, description="press at once, cutting into the prompt, instead of after it")

    @field_validator("keys")
    @classmethod
    def _phone_keys(cls, value: str) -> str:
        keys = value.replace(" ", "")
        if not keys or any(ch not in "0123456789*#" for ch in keys):
            raise ValueError(f"{value!r} is not phone keys (0-9, * and #)")
        return keys


def _silence(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() == "timeout":
        return "timeout"
    return parse_duration_value(value)


Silence = Annotated[
    float | Literal["timeout"],
    BeforeValidator(_silence),
    WithJsonSchema({"anyOf": [{"const": "timeout"}, {"type": "number", "minimum": 0}, {"type": "string"}]}),
]


def _press(value: Any) -> Any:
    if isinstance(value, bool | float):
        raise ValueError(f'{value!r} is not phone keys; write the keys in quotes, e.g. press: "12#"')
    if isinstance(value, int):
        if not 0 <= value <= 9:  # YAML reads 012 as 10 and 0x1F as 31: only a single key may go unquoted
            raise ValueError(
                f"press: {value} is read by YAML as a number, which may not be the keys you wrote (012 is 10);"
                ' write keys in quotes, e.g. press: "012"'
            )
        value = str(value)
    return {"keys": value} if isinstance(value, str) else value


class WaitUntil(Expect):
    """Let time pass (silently) until the expectation holds, for at most ``limit`` seconds."""

    limit: Duration = Field(3600.0, gt=0)


class Step(Strict):
    """One step: exactly one of press, silence, hangup, wait_until, expect, not."""

    press: Annotated[Press, BeforeValidator(_press)] | None = None
    silence: Silence | None = Field(
        None, description="stay silent this many seconds (timeouts fire), or `timeout`: until the next timeout fires"
    )
    hangup: bool | None = None
    wait_until: WaitUntil | None = Field(None, description="stay silent until this holds (at most `limit` s)")
    expect: Expect | None = None
    not_: Expect | None = Field(None, alias="not", description="an expectation that must not hold")
    optional: bool = Field(False, description="a failed expectation here is reported but does not fail the call")
    note: str | None = Field(None, max_length=300, description="a caption `ivr demo` shows as the step plays")

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        json_schema_extra=_shorthand("press", {"type": ["string", "integer"], "description": "keys"}),
    )

    @model_validator(mode="after")
    def _one(self) -> Step:
        given = [k for k in _STEP_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a step needs exactly one of: press, silence, hangup, wait_until, expect, not")
        if self.hangup is False:
            raise ValueError("`hangup: false` would do nothing; remove the step (write `- hangup` to hang up)")
        if self.optional and given[0] not in ("expect", "not_"):
            raise ValueError("`optional` is for `expect` and `not` steps: an action always happens")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in _STEP_KINDS if getattr(self, k) is not None)


_STEP_KINDS = ("press", "silence", "hangup", "wait_until", "expect", "not_")


def _step(value: Any) -> Any:
    if value == "hangup":
        return {"hangup": True}
    return value


def _steps_may_be_hangup(schema: dict[str, Any]) -> None:
    steps = schema["properties"]["steps"]
    steps["items"] = {"anyOf": [{"const": "hangup"}, steps["items"]]}


class CallScript(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_steps_may_be_hangup)

    name: str = Field(min_length=1)
    caller: CallerSpec | None = None
    world: World | None = None
    steps: list[Annotated[Step, BeforeValidator(_step)]] = Field(min_length=1)
    markers: list[str] = Field(default_factory=list, description="pytest markers for this call")
    cases: list[dict[str, str | int | float | bool]] | None = Field(
        None,
        description="one call per row: `{name}` in the call's text is replaced by each row's value",
        max_length=1000,
    )


class Defaults(Strict):
    caller: CallerSpec | None = None
    world: World | None = None


class ScriptFile(Strict):
    """One ``*.call.yaml`` file: a menu and the calls to make on it."""

    menu: str = Field(description="menu file, relative to this script")
    defaults: Defaults = Field(default_factory=Defaults)
    calls: list[CallScript] = Field(min_length=1)
