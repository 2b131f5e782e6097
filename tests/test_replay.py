"""Scripted calls: `ivr replay`, the pytest plugin, and the bundled suite."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

import pytest

from tests.conftest import ROOT, SIMPLE, run_ivr

PASSING = """\
menu: menu.yaml
calls:
  - name: billing
    steps:
      - expect: { node: main, prompt: "For billing, press 1" }
      - press: 1
      - expect: { queued: billing, variables: { topic: billing } }
  - name: silence goes to a person
    steps:
      - silence: timeout
      - expect: { no_input: 1, prompt: { id: main.no_input.1 } }
      - wait_until: { queued: general, limit: 60 }
      - expect: { queued: general, within: 40 }
"""

FAILING = """\
menu: menu.yaml
calls:
  - name: wrong expectation
    steps:
      - press: 2
      - expect: { prompt: "For billing" }
  - name: keys after the end
    steps:
      - press: 1
      - press: 1
"""


@pytest.fixture
def suite(write_menu: Callable[..., Path]) -> Path:
    menu = write_menu(SIMPLE)
    (menu.parent / "ok.call.yaml").write_text(PASSING)
    (menu.parent / "bad.call.yaml").write_text(FAILING)
    return menu.parent


def test_replay_passes_and_fails_with_a_readable_diff(suite: Path) -> None:
    ok = run_ivr("replay", str(suite / "ok.call.yaml"), cwd=suite)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "2 passed, 0 failed" in ok.stdout
    bad = run_ivr("replay", str(suite), cwd=suite)
    assert bad.returncode == 1
    out = bad.stdout
    assert "FAIL bad.call.yaml::wrong expectation" in out
    assert "bad.call.yaml:6:9: step 2 (mismatch)" in out
    assert "expected: prompt contains 'For billing'" in out
    assert "actual:   prompts heard since the last action: orders.prompt: 'For order status, press 1.'" in out
    assert "⌨ 2" in out  # the transcript so far
    assert "early-hang-up" in out and "queue 'billing'" in out
    assert "2 passed, 2 failed" in out
    assert "Traceback" not in out + bad.stderr


def test_replay_selects_with_k_and_writes_junit(suite: Path) -> None:
    junit = suite / "report.xml"
    result = run_ivr("replay", ".", "-k", "silence or wrong", "--junit", str(junit), cwd=suite)
    assert result.returncode == 1
    assert "1 passed, 1 failed" in result.stdout and "2 call(s) deselected" in result.stdout
    tree = ET.parse(junit).getroot()
    assert tree.get("tests") == "2" and tree.get("failures") == "1"
    failure = tree.find("testcase/failure")
    assert failure is not None and "expected prompt contains 'For billing'" in (failure.get("message") or "")
    # `time` is wall seconds (the call took milliseconds, not the 45 simulated seconds it lasted)
    for case in tree.findall("testcase"):
        simulated = case.find("properties/property[@name='simulated_seconds']")
        assert simulated is not None and float(case.get("time") or "nan") < 5
    silence = next(c for c in tree.findall("testcase") if "silence" in (c.get("name") or ""))
    simulated_value = silence.find("properties/property[@name='simulated_seconds']")
    assert simulated_value is not None and float(simulated_value.get("value") or 0) > 10


def test_replay_json_and_coverage(suite: Path) -> None:
    result = run_ivr("replay", "ok.call.yaml", "--json", "--coverage", cwd=suite)
    payload = json.loads(result.stdout)
    assert payload["passed"] == 2 and payload["failed"] == 0 and 0 < payload["coverage"] < 100
    text = run_ivr("replay", "ok.call.yaml", "--coverage", "--fail-under", "99", cwd=suite)
    assert text.returncode == 1 and "is under --fail-under 99%" in text.stderr
    assert "Coverage of menu.yaml" in text.stdout and "status" in text.stdout  # untested nodes listed


def test_invalid_scripts_exit_2_with_positions(suite: Path) -> None:
    (suite / "broken.call.yaml").write_text(
        "menu: menu.yaml\ncalls:\n  - name: x\n    steps:\n      - pres: 1\n      - expect: {}\n"
    )
    (suite / "nomenu.call.yaml").write_text("menu: nowhere.yaml\ncalls: [{name: y, steps: [hangup]}]\n")
    result = run_ivr("replay", "broken.call.yaml", "nomenu.call.yaml", cwd=suite)
    assert result.returncode == 2
    assert "broken.call.yaml:5:9: error: unknown field 'pres'" in result.stderr
    assert "did you mean 'press'?" in result.stderr
    assert "broken.call.yaml:6:9: error:" in result.stderr
    assert "nomenu.call.yaml:1:1: error: menu file 'nowhere.yaml' does not exist" in result.stderr


@pytest.fixture(autouse=True)
def _quiet_pytester(request: pytest.FixtureRequest) -> None:
    """Inner pytest runs get the same asyncio setting as this project, so they print no warning."""
    if "pytester" in request.fixturenames:
        request.getfixturevalue("pytester").makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def test_pytest_plugin_collects_calls(suite: Path, pytester: pytest.Pytester) -> None:
    for name in ("menu.yaml", "ok.call.yaml", "bad.call.yaml"):
        (pytester.path / name).write_text((suite / name).read_text())
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:textual-snapshot")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(["*bad.call.yaml:6:9: step 2 failed (mismatch)*", "*expected: prompt contains*"])
    assert "Traceback" not in result.stdout.str()
    only = pytester.runpytest("-k", "billing and not wrong", "-p", "no:cacheprovider", "-p", "no:textual-snapshot")
    only.assert_outcomes(passed=1)


def test_pytest_plugin_reports_invalid_scripts(pytester: pytest.Pytester, write_menu: Callable[..., Path]) -> None:
    (pytester.path / "menu.yaml").write_text(SIMPLE)
    (pytester.path / "x.call.yaml").write_text("menu: menu.yaml\ncalls:\n  - name: a\n    stepz: []\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:textual-snapshot")
    result.stdout.fnmatch_lines(["*x.call.yaml:4:5: error: unknown field 'stepz'*"])
    assert result.ret == pytest.ExitCode.INTERRUPTED


def test_pytest_plugin_registers_the_scripts_markers(suite: Path, pytester: pytest.Pytester) -> None:
    """Markers in scripts warned PytestUnknownMarkWarning, and nothing said how to register them."""
    (pytester.path / "menu.yaml").write_text((suite / "menu.yaml").read_text())
    marked = PASSING.replace("  - name: billing\n", "  - name: billing\n    markers: [smoke]\n")
    (pytester.path / "ok.call.yaml").write_text(marked)
    plain = ("-p", "no:cacheprovider", "-p", "no:textual-snapshot")
    result = pytester.runpytest(
        *plain, "--strict-markers", "-W", "error::pytest.PytestUnknownMarkWarning", "-m", "smoke"
    )
    result.assert_outcomes(passed=1)
    assert "PytestUnknownMarkWarning" not in result.stdout.str()


@pytest.mark.slow
def test_pytest_plugin_under_xdist(suite: Path, pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    for name in ("menu.yaml", "ok.call.yaml"):
        (pytester.path / name).write_text((suite / name).read_text())
    result = pytester.runpytest("-n", "2", "-p", "no:cacheprovider", "-p", "no:textual-snapshot")
    result.assert_outcomes(passed=2)


def test_bundled_suite_covers_every_queue_and_error_path() -> None:
    result = run_ivr("replay", "scripts", "--coverage", "--json", cwd=ROOT)
    payload = json.loads(result.stdout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert payload["failed"] == 0 and payload["passed"] >= 20
    from ivr.replay.suite import run_suite

    suite = run_suite([ROOT / "scripts"])
    for path, cov in suite.coverage.items():
        summary = cov.summary()
        queues = {n.id for n in cov.menu.nodes.values() if n.kind in ("queue", "transfer", "hangup")}
        assert not queues & set(summary["nodes"][2]), f"{path}: destinations never reached"
        for kind in ("answers", "no-input", "no-match", "max-attempts"):
            assert summary[kind][2] == [], f"{path}: {kind} untested at {summary[kind][2]}"
    assert {p.name for p in suite.coverage} == {"customer-service.yaml", "it-helpdesk.yaml", "bank-balance.yaml"}


def test_record_writes_a_script_that_replays(tmp_path: Path) -> None:
    target = ROOT / "scripts" / "zz-recorded-by-test.call.yaml"
    try:
        result = run_ivr(
            "record",
            "menus/customer-service.yaml",
            "-o",
            str(target),
            "--at",
            "2026-11-24T10:00",
            "--name",
            "recorded complaint",
            stdin="1\n1\n\n7\n3\n",
        )
        assert result.returncode == 0, result.stderr
        assert "recorded 14 steps" in result.stderr
        text = target.read_text(encoding="utf-8")
        assert "menu: ../menus/customer-service.yaml" in text
        assert "no_input: 1" in text and "no_match: 1" in text and "queued: complaints" in text
        assert "answered: true" in text and "handle_time:" in text  # the queue phase is a step too
        replayed = run_ivr("replay", str(target))
        assert replayed.returncode == 0 and "1 passed, 0 failed" in replayed.stdout
        again = run_ivr("record", "menus/customer-service.yaml", "-o", str(target), stdin="1\n")
        assert again.returncode == 2 and "already exists" in again.stderr
        assert target.read_text(encoding="utf-8") == text  # nothing lost
    finally:
        target.unlink(missing_ok=True)


LOOPING = """\
name: looping
start: main
defaults: { representative: agent }
queues: { general: {} }
nodes:
  main:
    type: menu
    prompt: For news, press 1. For a loop, press 2.
    options: { "1": news, "2": a }
  news: { type: message, prompt: Today is fine. }
  a: { type: menu, prompt: "For b, press 1.", options: { "1": b }, on_exhausted: b, keys: { representative: null } }
  b: { type: menu, prompt: "For a, press 1.", options: { "1": a }, on_exhausted: a, keys: { representative: null } }
  agent: { type: queue, queue: general }
"""


def test_fuzz_finds_dropped_and_stuck_calls_with_shortest_reproducers(write_menu: Callable[..., Path]) -> None:
    menu = write_menu(LOOPING)
    result = run_ivr("fuzz", str(menu), "--calls", "400", "--seed", "3", "-o", "findings", cwd=menu.parent)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "dropped dead-end at news: 1 action(s)" in result.stdout
    assert "never-ends a silent caller is never let go: 1 action(s)" in result.stdout
    found = sorted(p.name for p in (menu.parent / "findings").iterdir())
    assert found == ["dropped-1.call.yaml", "never-ends-2.call.yaml"]
    replayed = run_ivr("replay", "findings", cwd=menu.parent)
    assert replayed.returncode == 1 and "0 passed, 2 failed" in replayed.stdout  # they fail until fixed


def test_fuzz_on_a_sound_menu_finds_nothing() -> None:
    result = run_ivr("fuzz", "menus/it-helpdesk.yaml", "--calls", "2000", "-o", "/nonexistent/never-written")
    assert result.returncode == 0, result.stdout
    assert "no crashes, stuck or dropped calls in 2,000 calls" in result.stdout
    assert "never reached" not in result.stdout


@pytest.mark.slow
def test_load_reports_sipp_style_figures() -> None:
    result = run_ivr("load", "menus/customer-service.yaml", "--callers", "500", "--rate", "5/s", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["callers"] == 500 and payload["rate_per_second"] == 5
    finished = payload["completed"] + payload["abandoned"] + payload["blocked"] + sum(payload["failed"].values())
    assert finished == 500 == sum(payload["outcomes"].values())
    assert sum(payload["time_in_menu"].values()) == 500
    assert payload["peak_concurrent"] > 50
    assert payload["periods"][-1]["started"] == 500 and payload["queues"][-1]["queue"] == "*"
    text = run_ivr("load", "menus/customer-service.yaml", "--callers", "200", "--rate", "600/m")
    assert "200 callers on menus/customer-service.yaml at 10 calls/s" in text.stdout
    assert "Periodic figures" in text.stdout and "Time in the menu" in text.stdout
    bad = run_ivr("load", "menus/customer-service.yaml", "--rate", "fast")
    assert bad.returncode == 2 and "--rate 'fast' is not a call rate" in bad.stderr
    nan = run_ivr("load", "menus/customer-service.yaml", "--callers", "5", "--rate", "nan/s")
    assert nan.returncode == 2 and "--rate 'nan/s' is not a call rate" in nan.stderr  # ran with rate NaN before
    huge = run_ivr("load", "menus/customer-service.yaml", "--callers", "5", "--rate", "1e12/s")
    assert huge.returncode == 2 and "more than 100,000 calls a second" in huge.stderr


def test_script_schema_validates_the_bundled_scripts() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads(run_ivr("schema", "script").stdout)
    assert schema["title"] == "ivr script file"
    for path in (ROOT / "scripts").rglob("*.call.yaml"):
        document = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
        jsonschema.validate(document, schema)


def test_an_exact_position_reads_as_one_number() -> None:
    """Issue 15: the demo checked "position between 3 and 3"."""
    from ivr.replay.model import Bounds

    assert Bounds(min=3, max=3).describe() == "3"
    assert Bounds(min=2, max=4).describe() == "between 2 and 4"
    assert Bounds(min=2).describe() == "at least 2"


def test_where_a_scripts_menu_may_be_is_a_rule_the_message_states_and_root_widens(tmp_path: Path) -> None:
    """From the checkout, `ivr replay /tmp/x/scripts/a.call.yaml` with `menu: ../menus/line.yaml` said
    "outside the project folder", a folder the docs never defined (it was the current folder)."""
    import shutil

    from tests.conftest import MENUS, ROOT, run_ivr

    elsewhere = tmp_path / "x"
    (elsewhere / "menus").mkdir(parents=True)
    (elsewhere / "scripts").mkdir()
    shutil.copy(MENUS / "account-number.yaml", elsewhere / "menus" / "line.yaml")
    script = elsewhere / "scripts" / "a.call.yaml"
    script.write_text(
        "menu: ../menus/line.yaml\ncalls:\n  - name: hears the start\n    steps:\n      - expect: { node: enter }\n"
    )
    refused = run_ivr("replay", str(script), cwd=ROOT)
    assert refused.returncode == 2
    said = refused.stdout + refused.stderr
    assert "is outside the folders this script may read menus from" in said
    assert "pass --root FOLDER" in said and "project (the nearest folder above it" in said
    widened = run_ivr("replay", str(script), "--root", str(elsewhere), cwd=ROOT)
    (elsewhere / "pyproject.toml").write_text("")  # a project of its own: its scripts may use its menus
    marked = run_ivr("replay", str(script), cwd=ROOT)
    for result in (widened, marked):
        assert "outside" not in result.stdout + result.stderr
        assert result.returncode == 0, result.stdout


def test_a_mismatch_reports_every_field_that_differs_not_only_the_first(suite: Path) -> None:
    """An `expect` with both `prompt` and `variables` reported only the prompt under `actual`."""
    (suite / "two.call.yaml").write_text(
        "menu: menu.yaml\ncalls:\n  - name: both wrong\n    steps:\n      - press: 1\n"
        '      - expect: { prompt: "For orders", variables: { topic: orders }, queued: general }\n'
    )
    result = run_ivr("replay", "two.call.yaml", "--json", cwd=suite)
    assert result.returncode == 1
    actual = json.loads(result.stdout)["calls"][0]["failure"]["actual"]
    assert "prompts heard since the last action:" in actual
    assert "variable 'topic' is 'billing'" in actual
    assert "queued for 'billing'" in actual


def test_verbose_replay_prints_the_transcript_of_passing_calls(suite: Path) -> None:
    quiet = run_ivr("replay", "ok.call.yaml", cwd=suite)
    loud = run_ivr("replay", "ok.call.yaml", "-v", cwd=suite)
    assert quiet.returncode == loud.returncode == 0
    assert "PASS ok.call.yaml::billing" in loud.stdout and "⌨ 1" in loud.stdout
    assert "⌨ 1" not in quiet.stdout


DATA_DRIVEN = """\
menu: menu.yaml
calls:
  - name: key {key} reaches {queue}
    cases:
      - { key: 1, queue: billing, topic: billing }
      - { key: 0, queue: general, topic: "" }
      - { key: 1, queue: general, topic: billing }
    steps:
      - press: "{key}"
      - expect: { queued: "{queue}" }
  - name: order numbers are read back
    cases:
      - { number: "1234" }
      - { number: "98765" }
    steps:
      - press: 2 1
      - press: "{number}#"
      - expect: { prompt: "You entered" }
"""


def test_a_cases_table_runs_one_call_per_row_and_points_failures_at_the_template(suite: Path) -> None:
    (suite / "table.call.yaml").write_text(DATA_DRIVEN)
    result = run_ivr("replay", "table.call.yaml", "--json", cwd=suite)
    calls = {c["id"].split("::")[1]: c for c in json.loads(result.stdout)["calls"]}
    assert list(calls) == [
        "key 1 reaches billing",
        "key 0 reaches general",
        "key 1 reaches general",
        "order numbers are read back [number=1234]",
        "order numbers are read back [number=98765]",
    ]
    assert [c["passed"] for c in calls.values()] == [True, True, False, True, True]
    assert calls["key 1 reaches general"]["failure"]["line"] == 10  # the template's step
    assert result.returncode == 1


def test_a_bad_cases_table_is_refused_at_its_line(suite: Path) -> None:
    ragged = DATA_DRIVEN.replace('      - { key: 0, queue: general, topic: "" }', "      - { key: 0, queue: general }")
    (suite / "ragged.call.yaml").write_text(ragged)
    result = run_ivr("replay", "ragged.call.yaml", cwd=suite)
    assert result.returncode == 2
    assert "ragged.call.yaml:6:9: error: row 2 has columns ['key', 'queue']" in result.stdout + result.stderr
    (suite / "keys.call.yaml").write_text(DATA_DRIVEN.replace("{ key: 0,", "{ key: x,"))
    result = run_ivr("replay", "keys.call.yaml", cwd=suite)
    assert result.returncode == 2
    assert "keys.call.yaml:9:9:" in result.stdout + result.stderr  # the press step the bad key fills


def test_fuzz_dials_on_the_line_so_a_full_queue_turns_callers_away(write_menu: Callable[..., Path]) -> None:
    """Random callers used to stop at the queue node (the engine alone has no floor): a queue that is
    always full showed as "queued" and its busy route as never reached. On the line they are turned away."""
    from datetime import datetime

    from ivr.menu import load_menu
    from ivr.traffic.fuzz import fuzz

    path = write_menu(
        """\
        name: full
        start: main
        defaults: { representative: q }
        queues:
          sales: { max_length: 0 }
        nodes:
          main: { type: menu, prompt: For sales press 1., options: { "1": q } }
          q: { type: queue, queue: sales, prompt: Please hold., on_busy: busy }
          busy: { type: hangup, prompt: Everyone is busy. Goodbye., reason: busy }
        centre:
          agents: [ { name: Sales, count: 1, skills: { sales: 1 } } ]
        """
    )
    report = fuzz(load_menu(path), 200, 1, datetime(2026, 11, 24, 10, tzinfo=UTC))
    assert report.outcomes["hung up: busy"] > 150 and not any(o.startswith("queued") for o in report.outcomes)
    assert report.unreached == [] and not report.findings
