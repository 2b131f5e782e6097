"""Each lint rule fires on the design mistake it names, and the bundled menus are clean."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ivr.menu import load_menu
from ivr.menu.lint import RULES, announced_keys, lint_menu
from tests.conftest import MENUS, SIMPLE


def rules(path: Path) -> list[tuple[str, str, int]]:
    return [(d.rule or "", d.severity, d.line) for d in lint_menu(load_menu(path))]


def line_of(path: Path, needle: str) -> int:
    """1-based number of the first line of ``path`` containing ``needle``."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize("name", ["customer-service.yaml", "it-helpdesk.yaml", "account-number.yaml"])
def test_bundled_menus_are_clean(name: str) -> None:
    assert lint_menu(load_menu(MENUS / name)) == []


def test_simple_menu_is_clean(write_menu: Callable[..., Path]) -> None:
    assert rules(write_menu(SIMPLE)) == []


def test_unreachable_and_dead_end(write_menu: Callable[..., Path]) -> None:
    text = SIMPLE + "  orphan:\n    type: message\n    prompt: Nobody hears this.\n"
    path = write_menu(text)
    found = rules(path)
    assert ("unreachable", "warning", line_of(path, "orphan:")) in found
    assert ("dead-end", "error", line_of(path, "orphan:")) in found


def test_branch_without_default_is_a_dead_end(write_menu: Callable[..., Path]) -> None:
    text = SIMPLE.replace("start: main", "start: gate").replace(
        "nodes:\n",
        "nodes:\n  gate:\n    type: branch\n    cases: [{when: {var: caller.tier, eq: gold}, goto: main}]\n",
        1,
    )
    path = write_menu(text)
    assert [r for r in rules(path) if r[0] == "dead-end"] == [("dead-end", "error", line_of(path, "cases:"))]


def test_no_failure_path_without_representative(write_menu: Callable[..., Path]) -> None:
    text = SIMPLE.replace("defaults:\n  representative: agent\n", "")
    found = {r[0] for r in rules(write_menu(text))}
    assert "no-failure-path" in found


def test_loop_with_no_exit(write_menu: Callable[..., Path]) -> None:
    text = """\
    name: loop
    start: a
    defaults: { keys: { representative: null } }
    nodes:
      a: { type: menu, prompt: "For more, press 1.", options: { "1": b }, on_exhausted: b }
      b: { type: message, prompt: Again., next: a }
    """
    path = write_menu(text)
    assert ("no-exit-loop", "error", line_of(path, "a: {")) in rules(path)


def test_a_loop_of_branches_and_messages_with_no_key_is_named(write_menu: Callable[..., Path]) -> None:
    """Issue 12: `ivr check` was clean on a branch loop that no key press can leave; the call ran 1,000
    nodes and ended as `loop`."""
    text = """\
    name: spin
    start: check
    queues: { general: {} }
    nodes:
      check:
        type: branch
        cases: [{ when: { var: ready, eq: true }, goto: desk }]
        default: wait
      wait: { type: message, prompt: Still checking., next: check }
      desk: { type: queue, queue: general }
    """
    path = write_menu(text)
    found = [r for r in rules(path) if r[0] == "input-free-loop"]
    assert found == [("input-free-loop", "warning", line_of(path, "check:"))]
    # a menu in the loop waits for the caller: no warning
    menu = text.replace(
        "wait: { type: message, prompt: Still checking., next: check }",
        'wait: { type: menu, prompt: "To check again, press 1.", options: { "1": check } }',
    )
    assert not [r for r in rules(write_menu(menu, "menu.yaml")) if r[0] == "input-free-loop"]


def test_a_loop_a_silent_caller_goes_round_for_ever_is_an_error(write_menu: Callable[..., Path]) -> None:
    """welcome -> main -> anything_else -> welcome by `on_exhausted` alone: `ivr fuzz` found it as
    "never ends"; `ivr check` passed it. Now it is an error at the loop's first node."""
    text = """\
    name: loopy
    start: welcome
    nodes:
      welcome: { type: message, prompt: "Hello.", next: main }
      main:
        type: menu
        prompt: "For sales, press 1."
        options: { "1": sales }
        on_exhausted: anything_else
      anything_else:
        type: menu
        prompt: "For sales, press 1."
        options: { "1": sales }
        on_exhausted: welcome
      sales: { type: hangup, prompt: "Sales are closed today." }
    """
    path = write_menu(text)
    found = [r for r in rules(path) if r[0] == "silent-caller-loop"]
    assert found == [("silent-caller-loop", "error", line_of(path, "anything_else:"))]
    message = next(d.message for d in lint_menu(load_menu(path)) if d.rule == "silent-caller-loop")
    assert "anything_else -> welcome -> main -> anything_else" in message
    # one way out of the loop for a silent caller (a goodbye): clean
    fixed = text.replace("on_exhausted: welcome", "on_exhausted: bye").replace(
        "      sales:", "      bye: { type: hangup }\n      sales:"
    )
    assert not [r for r in rules(write_menu(fixed, "fixed.yaml")) if r[0] == "silent-caller-loop"]


def test_too_many_options_and_gaps(write_menu: Callable[..., Path]) -> None:
    options = "\n".join(f'      "{k}": billing' for k in (1, 2, 3, 4, 6))
    prompt = " ".join(f"For choice {k}, press {k}." for k in (1, 2, 3, 4, 6))
    text = SIMPLE.replace('      "1": { goto: billing, set: { topic: billing } }\n      "2": orders', options)
    text = text.replace("prompt: For billing, press 1. For orders, press 2.", f'prompt: "{prompt}"')
    text = text.replace("    short_prompt: Billing, press 1. Orders, press 2.\n", "").replace(
        "    help: Billing questions, press 1. Order questions, press 2. A person, press 0.\n", ""
    )
    found = {r[0] for r in rules(write_menu(text))}
    assert {"too-many-options", "option-gaps", "unreachable"} <= found


def test_too_deep_without_a_person(write_menu: Callable[..., Path]) -> None:
    text = """\
    name: deep
    start: m1
    defaults: { on_exhausted: bye }
    nodes:
      m1: { type: menu, prompt: "For more, press 1.", options: { "1": m2 } }
      m2: { type: menu, prompt: "For more, press 1.", options: { "1": m3 } }
      m3: { type: menu, prompt: "For more, press 1.", options: { "1": m4 } }
      m4: { type: menu, prompt: "To leave, press 1.", options: { "1": bye } }
      bye: { type: hangup }
    """
    path = write_menu(text)
    assert ("too-deep", "warning", line_of(path, "m4:")) in rules(path)


def test_announced_and_mapped_keys(write_menu: Callable[..., Path]) -> None:
    text = SIMPLE.replace("press 2.", "press 3.")
    path = write_menu(text)
    found = rules(path)
    assert ("key-not-mapped", "error", line_of(path, "prompt: For billing")) in found
    assert ("key-not-announced", "warning", line_of(path, '"2": orders')) in found


def test_key_before_function_and_timeouts(write_menu: Callable[..., Path]) -> None:
    text = SIMPLE.replace("For billing, press 1.", "Press 1 for billing.").replace(
        "representative: agent", "representative: agent\n  timeout: 15"
    )
    found = {r[0] for r in rules(write_menu(text))}
    assert {"key-before-function", "timeout-range"} <= found


def test_undefined_variable(write_menu: Callable[..., Path]) -> None:
    text = SIMPLE.replace("prompt: Goodbye.", "prompt: Goodbye {nmae}.")
    path = write_menu(text)
    assert ("undefined-variable", "warning", line_of(path, "Goodbye {nmae}")) in rules(path)


def test_rules_can_be_switched_off_in_the_file(write_menu: Callable[..., Path]) -> None:
    text = SIMPLE.replace("prompt: Goodbye.", "prompt: Goodbye {nmae}.") + "lint:\n  disable: [undefined-variable]\n"
    assert rules(write_menu(text)) == []


def test_every_rule_is_documented() -> None:
    doc = (MENUS.parent / "docs" / "menu-format.md").read_text(encoding="utf-8")
    missing = [rule for rule in RULES if f"`{rule}`" not in doc]
    assert missing == []


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("For billing, press 1. For orders, press 2.", {"1", "2"}),
        ("To go back, press star. To finish, press hash.", {"*", "#"}),
        ("Our 24 hour line is open 7 days.", set()),
        ("شکایت کے لیے 1 دبائیں۔ ہاں کے لیے 1، نہیں کے لیے 2 دبائیں۔", {"1", "2"}),
        ("واپس جانے کے لیے ستارہ دبائیں۔", {"*"}),
        ("اردو کے لیے ۲ دبائیں۔", {"2"}),
    ],
)
def test_announced_keys(text: str, keys: set[str]) -> None:
    assert announced_keys(text) == keys


def test_unstaffed_queue_and_unused_skill(write_menu: Callable[..., Path]) -> None:
    text = SIMPLE + "centre:\n  agents: [{ name: A, skills: { billing: 1, biling: 2, general: 1 } }]\n"
    text = text.replace("  general: {}", "  general: {}\n  orphan: {}").replace("queue: general", "queue: orphan")
    path = write_menu(text)
    found = rules(path)
    assert ("unstaffed-queue", "error", line_of(path, "queue: orphan")) in found
    assert [r for r in found if r[0] == "unused-skill"] == [("unused-skill", "warning", line_of(path, "  main:"))]


def test_a_condition_on_a_variable_nothing_sets_is_reported(write_menu: Callable[..., Path]) -> None:
    path = write_menu(
        """
        name: cond
        start: check
        queues: { general: {} }
        nodes:
          check:
            type: branch
            cases:
              - when: { var: balanse, eq: "0" }
                goto: person
            default: person
          person: { type: queue, queue: general }
        """
    )
    assert ("undefined-variable", "warning", line_of(path, "balanse")) in rules(path)
