"""The menu file format as pydantic models: what a designer may write, and nothing else.

Every model forbids unknown fields, so a typo is an error at its line rather than a setting silently
ignored. The JSON Schema published by ``ivr schema`` is generated from these models.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ivr.menu.calendar import Calendar
from ivr.menu.centre_model import CentreSpec, QueueSpec
from ivr.menu.conditions import Condition, VarName
from ivr.menu.durations import Duration
from ivr.menu.inputs import CallerInput
from ivr.menu.lookup_model import LookupNode
from ivr.menu.model_types import (
    Key,
    NodeBase,
    NodeId,
    Scalar,
    Text,
)
from ivr.source import patterns
from ivr.source.validation import Strict


class Reprompts(Strict):
    """Escalating prompts: the n-th failure plays the n-th entry (the last one repeats)."""

    no_input: list[Text] | None = None
    no_match: list[Text] | None = None


class GlobalKeys(Strict):
    """Keys that work everywhere unless a node switches them off with ``null``."""

    representative: Key | None = "0"
    back: Key | None = "*"
    repeat: Key | None = "9"
    terminator: Key | None = "#"
    goto: dict[Key, NodeId] = Field(
        default_factory=dict, description="keys of your own that go to a node from anywhere, e.g. {'8': emergency}"
    )


class InputSettings(Strict):
    """Settings of nodes that wait for keys; per-menu ``defaults`` and per-node overrides share them."""

    timeout: Duration | None = Field(None, description="seconds to wait for the first key")
    inter_digit_timeout: Duration | None = Field(None, description="seconds between digits; half of timeout")
    max_no_input: int | None = Field(None, ge=1, le=20)
    max_no_match: int | None = Field(None, ge=1, le=20)
    max_attempts: int | None = Field(None, ge=1, le=40, description="no-input and no-match counted together")
    reprompts: Reprompts | None = None
    keys: GlobalKeys | None = None
    on_exhausted: NodeId | None = Field(None, description="where to go when attempts run out")
    exhausted_prompt: Text | None = Field(None, description="said when attempts run out; false: nothing")


class Defaults(InputSettings):
    representative: NodeId | None = Field(None, description="node reached by the representative key")
    exhausted_prompts: dict[NodeId, Text] | None = Field(
        None,
        description="per place attempts lead to: what is said on the way there (a node's own exhausted_prompt wins)",
    )


class Option(Strict):
    goto: NodeId
    set: dict[VarName, Scalar] = Field(default_factory=dict)
    label: Text | None = None


def _option(value: Any) -> Any:
    return {"goto": value} if isinstance(value, str) else value


def _options_accept_a_node_id(schema: dict[str, Any]) -> None:
    options = schema["properties"]["options"]
    options["additionalProperties"] = {
        "anyOf": [
            {"type": "string", "description": "node id (shorthand for {goto: id})"},
            options["additionalProperties"],
        ]
    }


class MenuNode(NodeBase, InputSettings):
    model_config = ConfigDict(json_schema_extra=_options_accept_a_node_id)

    type: Literal["menu"]
    prompt: Text
    short_prompt: Text | None = Field(None, description="played instead of prompt on later visits")
    help: Text | None = Field(None, description="fuller prompt played after a second failure")
    options: dict[Key, Annotated[Option, BeforeValidator(_option)]] = Field(min_length=1)


class Validation(Strict):
    pattern: str | None = None
    luhn: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            patterns.check_pattern(value)
        return value


class Confirm(Strict):
    prompt: Text
    yes: Key = "1"
    no: Key = "2"


class CollectNode(NodeBase, InputSettings):
    type: Literal["collect"]
    prompt: Text
    short_prompt: Text | None = None
    help: Text | None = None
    variable: VarName
    min_digits: int = Field(1, ge=1, le=32)
    max_digits: int = Field(16, ge=1, le=32)
    terminator: Key | None = None
    validate_: Validation | None = Field(None, alias="validate")
    invalid_prompt: Text | None = None
    confirm: Confirm | None = None
    next: NodeId | None = None

    @model_validator(mode="after")
    def _bounds(self) -> CollectNode:
        if self.min_digits > self.max_digits:
            raise ValueError(f"min_digits ({self.min_digits}) is more than max_digits ({self.max_digits})")
        return self


class MessageNode(NodeBase):
    type: Literal["message"]
    prompt: Text
    next: NodeId | None = None


class Case(Strict):
    when: Condition
    goto: NodeId


class BranchNode(NodeBase):
    type: Literal["branch"]
    cases: list[Case] = Field(min_length=1)
    default: NodeId | None = None


class SplitNode(NodeBase):
    """An A/B test: each caller goes one way, by ``shares`` (node -> weight), drawn from a hash of the
    ``seed``, the node, the caller's number and when the call started: the same call goes the same way
    every run. The way taken is kept in the variable ``split.<node id>``."""

    type: Literal["split"]
    shares: dict[NodeId, Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)]] = Field(min_length=2)
    seed: int = Field(0, ge=0, le=2**31, description="change it to draw a new split")


class QueueMessages(Strict):
    """What a caller hears while in the queue, in their language. ``{queue.position}`` and
    ``{queue.wait}`` (whole minutes, at least 1) are filled in; unset ones use the built-in wording."""

    joined: Text | None = Field(None, description="on joining, when the caller has to wait")
    announce: Text | None = Field(None, description="every `announce.every` of the queue")
    comfort: Text | None = Field(None, description="after each announcement (hold music stands in silence)")
    callback_offer: Text | None = Field(None, description="the callback offer, with the key to press")
    callback_taken: Text | None = Field(None, description="when the caller takes the callback")
    full: Text | None = Field(None, description="the queue is at its `max_length`")
    unstaffed: Text | None = Field(None, description="no representative of the queue is logged in")


class QueueNode(NodeBase):
    type: Literal["queue"]
    queue: str
    prompt: Text | None = None
    after: NodeId | None = Field(
        None, description="where the call goes when the representative is done (reference read-back, survey)"
    )
    on_busy: NodeId | None = Field(
        None,
        description="where the call goes when the queue is full or unstaffed (else the caller hears why; then it ends)",
    )
    messages: QueueMessages = Field(default_factory=QueueMessages)
    callback_key: Key = Field("1", description="the key that takes a callback, when the queue offers one")
    position_key: Key | None = Field("9", description="the key that repeats the caller's place in the queue")


class TransferNode(NodeBase):
    type: Literal["transfer"]
    to: str
    prompt: Text | None = None
    ticket: bool = Field(False, description="open a ticket for the call, e.g. a suggestion left as a message")


class Question(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=40)]
    prompt: Text
    answers: dict[Key, Scalar] = Field(min_length=1, description="key -> the answer recorded")


class SurveyNode(NodeBase, InputSettings):
    """Questions answered with one key each; unanswered questions are skipped, a hang-up keeps what was said."""

    type: Literal["survey"]
    intro: Text | None = None
    questions: list[Question] = Field(min_length=1)
    thanks: Text | None = None
    next: NodeId | None = None


class HangupNode(NodeBase):
    type: Literal["hangup"]
    prompt: Text | None = None
    reason: str = "completed"


class RecordNode(NodeBase):
    """Leave a message: after the prompt the caller speaks until they press the terminator or the
    message reaches ``max_length``. The message is simulated as its length, kept in ``variable`` and
    stored with a voicemail ticket (category from the `category` variable, as any ticket)."""

    type: Literal["record"]
    prompt: Text
    max_length: Duration = Field(120.0, gt=0, le=600, description="the longest message: at most 10 minutes")
    terminator: Key = "#"
    variable: VarName = Field("message_seconds", description="where the message's length in seconds goes")
    next: NodeId | None = None


class SubmenuNode(NodeBase):
    type: Literal["submenu"]
    file: str = Field(description="menu file, relative to this one and inside its folder")
    next: NodeId | None = Field(None, description="where `return` nodes of the sub-menu go")
    with_: dict[VarName, Scalar] = Field(
        default_factory=dict, alias="with", description="values for the sub-menu's `parameters`"
    )


class ReturnNode(NodeBase):
    type: Literal["return"]
    prompt: Text | None = None


NodeSpec = (
    MenuNode
    | CollectNode
    | MessageNode
    | BranchNode
    | SplitNode
    | LookupNode
    | RecordNode
    | QueueNode
    | TransferNode
    | HangupNode
    | SubmenuNode
    | ReturnNode
    | SurveyNode
)
Node = Annotated[NodeSpec, Field(discriminator="type")]
NODE_TYPES = (
    "menu",
    "collect",
    "message",
    "branch",
    "split",
    "lookup",
    "record",
    "queue",
    "transfer",
    "hangup",
    "submenu",
    "return",
    "survey",
)
INPUT_TYPES = ("menu", "collect", "survey")
TERMINAL_TYPES = ("queue", "transfer", "hangup")


class LintSettings(Strict):
    disable: list[str] = Field(default_factory=list, description="lint rule ids to switch off for this file")


class MenuFile(Strict):
    """One menu file as written."""

    version: Literal[1] = 1
    name: str = Field(min_length=1)
    description: str | None = None
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]] = Field(
        default_factory=lambda: ["en"], min_length=1
    )
    start: NodeId
    calendar: Calendar = Field(default_factory=Calendar)
    variables: dict[VarName, Scalar] = Field(default_factory=dict)
    inputs: dict[VarName, CallerInput] = Field(
        default_factory=dict, description="caller data the line knows before the menu starts"
    )
    parameters: dict[VarName, CallerInput] = Field(
        default_factory=dict, description="what a sub-menu needs from the `submenu` node including it (`with:`)"
    )
    defaults: Defaults = Field(default_factory=Defaults)
    queues: dict[str, QueueSpec] = Field(default_factory=dict)
    nodes: dict[NodeId, Any] = Field(min_length=1, description="node id -> node; each validated on its own")
    lint: LintSettings = Field(default_factory=LintSettings)
    centre: CentreSpec | None = Field(
        None, description="representatives and background traffic, or the name of a file holding them"
    )


class MenuFileSchema(MenuFile):
    """The same file with its nodes typed, for the published JSON Schema."""

    nodes: dict[NodeId, Node] = Field(min_length=1)
    centre: CentreSpec | str | None = None  # type: ignore[assignment]
