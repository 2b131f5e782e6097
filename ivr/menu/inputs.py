"""Caller data a menu declares (`inputs:`): what the line knows about a caller before the menu starts."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ivr.menu.conditions import Scalar
from ivr.source.validation import Strict

_YES, _NO = ("yes", "true", "1", "y"), ("no", "false", "0", "n")


class CallerInput(Strict):
    """Data the line knows about a caller before the menu starts (from the phone system or a CRM): `ivr
    call --var`, scripts' `caller.variables`, fuzz and the simulated traffic give it, checked here."""

    type: Literal["text", "number", "digits", "yes-no"] = "text"
    values: list[Scalar] | None = Field(None, min_length=1, max_length=200, description="the only values allowed")
    example: Scalar | None = Field(None, description="what a typical caller has (fuzz and traffic use it)")
    description: str | None = None

    def parse(self, raw: Scalar) -> Scalar:
        """``raw`` (text from a command line, or a script's value) as this input's type; ValueError if not."""
        text = str(raw).strip()
        value: Scalar
        if self.type == "number":
            try:
                number = float(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a number") from None
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError(f"{text!r} is not a number")
            value = int(number) if number.is_integer() and "." not in text else number
        elif self.type == "digits":
            if not text.isdigit() or not text.isascii():
                raise ValueError(f"{text!r} is not digits")
            value = text
        elif self.type == "yes-no":
            if isinstance(raw, bool):
                value = raw
            elif text.lower() in _YES or text.lower() in _NO:
                value = text.lower() in _YES
            else:
                raise ValueError(f"{text!r} is not yes or no")
        else:
            value = raw if isinstance(raw, str) else text
        if self.values is not None and value not in self.values and str(value) not in map(str, self.values):
            raise ValueError(f"{text!r} is not one of {', '.join(map(str, self.values))}")
        return value

    def sample(self) -> Scalar:
        """A value a caller could have: the example, else the first allowed value, else one of the type."""
        if self.example is not None:
            return self.example
        if self.values:
            return self.values[0]
        samples: dict[str, Scalar] = {"number": 0, "digits": "1234", "yes-no": False}
        return samples.get(self.type, "x")
