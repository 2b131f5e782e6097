"""The `lookup` node: a call to an outside service (an AWS Lambda, a Studio function or HTTP request, a
VoiceXML `<data>` fetch, an Asterisk AGI script), written down as data.

Nothing runs and nothing is fetched. The menu declares what the service answers for each input: the
variables it returns and where the call goes then. A script's `world: lookups:` can answer in the
menu's place for one call, as Amazon Connect's flow tests override a Lambda's response.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ivr.menu.conditions import VarName
from ivr.menu.durations import Duration
from ivr.menu.model_types import NodeBase, NodeId, Scalar, Text
from ivr.source.validation import Strict

ANY_INPUT = "*"
MAX_LATENCY = 60.0  # seconds a caller may be kept waiting for one answer


class LookupAnswer(Strict):
    """One answer of the service: the variables it returns, and where the call goes (else the node's
    ``next``). ``error: true`` is the service failing: the call takes the node's ``on_error``."""

    set: dict[VarName, Scalar] = Field(default_factory=dict, description="variables the service returns")
    goto: NodeId | None = Field(None, description="where the call goes with this answer (default: `next`)")
    error: bool = Field(False, description="the service fails: the call goes to `on_error`")

    @model_validator(mode="after")
    def _an_error_goes_nowhere_of_its_own(self) -> LookupAnswer:
        if self.error and (self.goto is not None or self.set):
            raise ValueError("an error answer returns nothing and goes to the node's `on_error`: drop `set`/`goto`")
        return self


class LookupNode(NodeBase):
    """Ask an outside service, as data: ``answers`` by the ``input`` text (``*`` answers any other)."""

    type: Literal["lookup"]
    service: str = Field(
        min_length=1, max_length=500, description="what it stands for: a Lambda ARN, a URL, a function, an AGI script"
    )
    input: str | None = Field(
        None, max_length=500, description="the text the answer is chosen by, with {variables}; none: always `*`"
    )
    answers: dict[Annotated[str, Field(max_length=200)], LookupAnswer] = Field(
        min_length=1, description="input -> answer; `*` answers every input not listed"
    )
    prompt: Text | None = Field(None, description="said while the caller waits, e.g. 'One moment, please.'")
    latency: Annotated[Duration, Field(le=MAX_LATENCY)] = Field(
        0.5, description=f"how long the service takes to answer (0 to {MAX_LATENCY:g} s)"
    )
    next: NodeId | None = Field(None, description="where an answer without `goto` goes")
    on_error: NodeId | None = Field(None, description="where the call goes when the service fails or has no answer")

    @field_validator("input")
    @classmethod
    def _a_template_that_fills(cls, value: str | None) -> str | None:
        from ivr.menu.text import template_problem

        problem = template_problem(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value

    def returns(self) -> list[str]:
        """The variables the service returns in any of its answers, sorted."""
        return sorted({name for answer in self.answers.values() for name in answer.set})

    def answer(self, given: str, override: LookupAnswer | None = None) -> LookupAnswer | None:
        """The answer to ``given``: ``override`` when a script gives one, else the declared one for it, else
        the ``*`` one; None when the service has no answer (it failed)."""
        if override is not None:
            return override
        return self.answers.get(given, self.answers.get(ANY_INPUT))
