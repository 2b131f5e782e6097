"""A caller's way through a menu in the menu's own words (the representative's screen pop)."""

from __future__ import annotations

import pytest

from ivr.menu import load_menu
from ivr.menu.choices import journey, key_phrase
from tests.conftest import MENUS


@pytest.mark.parametrize(
    ("prompt", "key", "said"),
    [
        ("For billing, press 1. For sales, press 2.", "2", "sales"),
        ("To speak to a representative, press 0.", "0", "speak to a representative"),
        ("If you were treated poorly, press 2.", "2", "you were treated poorly"),
        ("Press 3 for opening hours.", "3", "opening hours"),
        ("To go back, press star.", "*", "go back"),
        ("Password, press 1. Hardware, press 2.", "1", "Password"),
        ("Welcome.", "1", None),
    ],
)
def test_a_prompt_says_what_each_key_is_for(prompt: str, key: str, said: str | None) -> None:
    assert key_phrase(prompt, key) == said


def test_a_way_through_the_customer_line_in_words() -> None:
    menu = load_menu(MENUS / "customer-service.yaml")
    path = ["opening_hours", "language", "greeting", "main", "complaint", "overcharge", "overcharge/enter",
            "overcharge/done", "billing_queue"]  # fmt: skip
    assert journey(menu, path) == [
        "English",
        "a complaint",
        "you were charged more than the price you agreed",
        "entered account number",
        "the billing queue",
    ]
