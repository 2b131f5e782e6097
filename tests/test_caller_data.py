"""Declared caller data (`inputs:`) and who calls (`traffic.callers`): used by `--var`, scripts, fuzz,
lint and the simulated traffic."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import run_ivr

BANK = """\
name: bank-card
start: main
inputs:
  balance: { type: number, example: 250, description: from the card system }
  vip: { type: yes-no }
queues:
  cards: {}
  priority: {}
nodes:
  main:
    type: branch
    cases:
      - { when: { var: caller.tier, eq: gold }, goto: gold }
      - { when: { var: vip, eq: true }, goto: gold }
    default: balance
  balance:
    type: menu
    prompt: "Your balance is {balance} rupees. For a card problem, press 1."
    options: { "1": desk }
    on_exhausted: desk
  gold: { type: queue, queue: priority }
  desk: { type: queue, queue: cards }
defaults: { representative: desk }
centre:
  agents:
    - { name: Card, count: 3, skills: { cards: 1 } }
    - { name: Priority, count: 2, skills: { priority: 1 } }
  traffic:
    calls_per_hour: 200
    callers: { tier: { gold: 1, standard: 4 }, balance: { "0": 1, "1500": 1 } }
"""


def test_declared_inputs_count_as_defined_so_strict_checking_is_usable(write_menu: Callable[..., Path]) -> None:
    path = write_menu(BANK)
    result = run_ivr("check", "--strict", str(path))
    assert result.returncode == 0, result.stdout
    text = BANK.replace("  balance: { type: number, example: 250, description: from the card system }\n", "")
    undeclared = write_menu(text.replace(', balance: { "0": 1, "1500": 1 }', ""), "b.yaml")
    warned = run_ivr("check", str(undeclared))
    assert "undefined-variable" in warned.stdout and "balance" in warned.stdout


def test_var_is_checked_against_the_declared_inputs(write_menu: Callable[..., Path]) -> None:
    path = str(write_menu(BANK))
    ok = run_ivr("call", path, "--no-traffic", "--var", "balance=1520.5", "--keys", "1", "--json")
    assert ok.returncode == 0, ok.stderr
    assert "Your balance is 1520.5 rupees" in ok.stdout
    unknown = run_ivr("call", path, "--var", "balanse=3", "--keys", "1")
    assert unknown.returncode == 2
    assert "'balanse' is not caller data this menu declares" in unknown.stderr and "balance, vip" in unknown.stderr
    wrong = run_ivr("call", path, "--var", "balance=lots", "--keys", "1")
    assert wrong.returncode == 2 and "--var balance: 'lots' is not a number" in wrong.stderr
    vip = run_ivr("call", path, "--no-traffic", "--var", "vip=yes", "--json")
    assert vip.returncode == 0 and '"priority"' in vip.stdout


def test_a_scripts_caller_data_must_be_declared(write_menu: Callable[..., Path]) -> None:
    path = write_menu(BANK)
    script = path.parent / "a.call.yaml"
    script.write_text(
        "menu: menu.yaml\ncalls:\n  - name: gold\n    caller: { variables: { vip: maybe, tier2: x } }\n"
        "    steps:\n      - expect: { queued: priority }\n"
    )
    result = run_ivr("replay", str(script), cwd=path.parent)
    assert result.returncode == 2
    said = result.stdout + result.stderr
    assert "a.call.yaml:4:28: error: 'vip': 'maybe' is not yes or no" in said
    assert "'tier2' is not caller data the menu declares" in said


def test_simulated_traffic_brings_the_caller_mix(write_menu: Callable[..., Path]) -> None:
    """`ivr simulate` sent no caller data: 0 calls reached the VIP queue."""
    path = write_menu(BANK)
    result = run_ivr("simulate", str(path), "--hours", "4", "--json")
    assert result.returncode == 0, result.stderr
    offered = {r["queue"]: r["offered"] for r in json.loads(result.stdout)["totals"] if r["queue"] != "*"}
    share = offered["priority"] / (offered["priority"] + offered["cards"])
    assert 0.12 < share < 0.3, offered  # gold is 1 caller in 5
    bad = write_menu(
        BANK.replace("tier: { gold: 1, standard: 4 }", "tier: { gold: 1 }, moods: { calm: 1 }"), "bad.yaml"
    )
    refused = run_ivr("check", str(bad))
    assert refused.returncode == 2 and "'moods' is not something callers bring" in refused.stdout


def test_fuzz_brings_the_declared_inputs_and_the_values_branches_test(write_menu: Callable[..., Path]) -> None:
    path = write_menu(BANK.replace("  - { when: { var: caller.tier, eq: gold }, goto: gold }\n", ""))
    result = run_ivr("fuzz", str(path), "--calls", "300", "-o", str(path.parent / "found"), cwd=path.parent)
    assert result.returncode in (0, 1), result.stderr
    assert "queued: priority" in result.stdout  # only a caller with vip: true gets there
    assert "never reached" not in result.stdout
