"""`ivr staff` and `ivr simulate`, run as a user runs them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SIMPLE, run_ivr

CS = "menus/customer-service.yaml"


def test_staff_text() -> None:
    result = run_ivr("staff", "--calls", "100", "--interval", "30m", "--aht", "180s", "--target", "80/20")
    assert result.returncode == 0
    assert result.stdout.startswith("14 agents for 100 calls per 30 min at 180 s AHT (10.00 erlangs)")
    assert "79.6%" in result.stdout and "88.8%" in result.stdout


def test_staff_json() -> None:
    result = run_ivr("staff", "--calls", "100", "--interval", "30m", "--aht", "180s", "--target", "80/20", "--json")
    payload = json.loads(result.stdout)
    assert payload["agents"] == 14 and payload["model"] == "erlang-c"
    assert abs(payload["service_level"] - 0.888) < 0.001 and 0 < payload["occupancy"] < 1
    assert {"asa_seconds", "probability_wait", "table", "traffic_erlangs"} <= set(payload)
    assert [row["agents"] for row in payload["table"]] == [12, 13, 14, 15, 16, 17]
    overloaded = payload["table"][0]
    assert overloaded["service_level"] < 0.8


def test_staff_erlang_a_and_occupancy_cap() -> None:
    plain = json.loads(run_ivr("staff", "--calls", "100", "--aht", "180s", "--json").stdout)
    impatient = json.loads(run_ivr("staff", "--calls", "100", "--aht", "180s", "--patience", "60s", "--json").stdout)
    assert impatient["model"] == "erlang-a" and impatient["abandon_rate"] > 0
    assert impatient["agents"] <= plain["agents"]
    capped = json.loads(run_ivr("staff", "--calls", "100", "--aht", "180s", "--max-occupancy", "0.6", "--json").stdout)
    assert capped["agents"] == 17 and capped["occupancy"] <= 0.6


@pytest.mark.slow
def test_staff_bad_input_exit_2() -> None:
    for args, message in [
        (["--calls", "100", "--target", "eighty"], "--target"),
        (["--calls", "100", "--aht", "soon"], "--aht"),
        (["--calls", "0"], "must be more than 0"),
        (["--calls", "nan"], "--calls must be more than 0 and at most 1,000,000"),  # a traceback before
        (["--calls", "1e12"], "--calls must be more than 0 and at most 1,000,000"),  # never ended before
        (["--calls", "1000000", "--aht", "1h"], "ivr staff works up to 20,000"),
    ]:
        result = run_ivr("staff", *args)
        assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_simulate_report() -> None:
    result = run_ivr("simulate", CS, "--hours", "4", "--seed", "1", "--start", "2026-11-24T09:00")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "customer-service: all queues, per 30-minute interval" in out
    assert "Totals against each queue's service-level target" in out
    assert "Service level and queue length over the day" in out
    assert "from 2026-11-24 09:00 (seed 1)" in out
    assert "tech_internet" in out and ("✓" in out or "✗" in out)


def test_simulate_json_is_deterministic_and_complete() -> None:
    args = ("simulate", CS, "--hours", "3", "--seed", "2", "--start", "2026-11-24T09:00", "--json")
    first, second = json.loads(run_ivr(*args).stdout), json.loads(run_ivr(*args).stdout)
    first.pop("wall_seconds"), second.pop("wall_seconds")
    assert first == second
    interval = first["intervals"][0]
    for key in ("offered", "answered", "abandoned", "short_abandoned", "service_level", "asa", "average_wait"):
        assert key in interval
    for key in ("p90_wait", "longest_wait", "aht", "occupancy", "fcr", "met", "label"):
        assert key in interval
    assert [t["queue"] for t in first["totals"]][-1] == "*"
    assert first["calls"] == sum(first["menu_outcomes"].values()) > 0
    labels = sorted({i["label"] for i in first["intervals"]})
    assert labels[:2] == ["09:00", "09:30"]


def test_simulate_csv_and_one_queue() -> None:
    result = run_ivr("simulate", CS, "--hours", "2", "--start", "2026-11-24T09:00", "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["label"] == "09:00" and rows[-1]["label"] == "total" and rows[-1]["queue"] == "*"
    single = run_ivr("simulate", CS, "--hours", "2", "--start", "2026-11-24T09:00", "--queue", "billing")
    assert "queue billing" in single.stdout


def test_simulate_needs_a_centre(write_menu: Callable[..., Path]) -> None:
    result = run_ivr("simulate", str(write_menu(SIMPLE)))
    assert result.returncode == 2 and "has no representatives" in result.stderr
    bad_queue = run_ivr("simulate", CS, "--queue", "nope")
    assert bad_queue.returncode == 2 and "--queue 'nope' is not a queue" in bad_queue.stderr


def test_staff_json_is_strict_json_when_rows_are_overloaded() -> None:
    result = run_ivr("staff", "--calls", "1000", "--aht", "180s", "--target", "10/20", "--json")
    assert "Infinity" not in result.stdout
    payload = json.loads(result.stdout)
    overloaded = payload["table"][0]
    assert overloaded["agents"] <= payload["traffic_erlangs"] and overloaded["asa_seconds"] is None


def test_simulate_starts_at_the_profiles_first_busy_hour_by_default(write_menu: Callable[..., Path]) -> None:
    """It started at 09:00 whatever the profile, missing the first hour of an 08:00 line."""
    path = write_menu(
        """\
        name: early
        start: q
        nodes:
          q: { type: queue, queue: sales }
        queues:
          sales: {}
        centre:
          agents: [ { name: A, count: 3, skills: { sales: 1 } } ]
          traffic: { profile: { "00:00": 0, "8:00": 30, "17:00": 0 }, queues: { sales: 1 } }
        """
    )
    result = run_ivr("simulate", str(path), "--hours", "2", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["start"][11:16] == "08:00"
    assert payload["calls"] > 30  # the first hour has calls: it is not the quiet 00:00-08:00


def test_staff_file_sizes_every_queue_of_the_menu_from_its_traffic(write_menu: Callable[..., Path]) -> None:
    """`ivr staff` could not read a menu: each queue had to be worked out by hand."""
    path = write_menu(
        """\
        name: two-desks
        start: q
        nodes:
          q: { type: queue, queue: sales }
        queues:
          sales: { service_level: 80/20 }
          service: { service_level: 90/60 }
        centre:
          handle_time: 180
          wrap_up: 0
          patience: null
          agents:
            - { name: S, count: 12, skills: { sales: 1 } }
            - { name: V, count: 3, skills: { service: 1 } }
          traffic: { profile: { "08:00": 100, "11:00": 400, "15:00": 50 }, queues: { sales: 3, service: 1 } }
        """
    )
    result = run_ivr("staff", str(path), "--json")
    assert result.returncode == 0, result.stderr
    rows = {r["queue"]: r for r in json.loads(result.stdout)}
    assert rows["sales"]["calls_per_hour"] == 300 and rows["service"]["calls_per_hour"] == 100  # the 11:00 peak
    for queue, target in (("sales", "80/20"), ("service", "90/60")):
        alone = run_ivr(
            "staff",
            "--calls",
            str(rows[queue]["calls_per_hour"]),
            "--interval",
            "1h",
            "--aht",
            "180s",
            "--target",
            target,
            "--json",
        )
        assert rows[queue]["needed"] == json.loads(alone.stdout)["agents"]
    assert rows["sales"]["logged_in"] == 12 and rows["service"]["logged_in"] == 3
    table = run_ivr("staff", str(path), env={"COLUMNS": "100"})
    assert "agents each queue needs at the busiest hour" in table.stdout
    both = run_ivr("staff", str(path), "--calls", "10")
    assert both.returncode == 2 and "not both" in both.stderr
