"""Scripted calls: `ivr replay`, the pytest plugin, and the bundled suite."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import MENUS, ROOT, SIMPLE, run_ivr

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
      - silence: 5
      - expect: { no_input: 1, prompt: { id: main.no_input.1 } }
      - silence: 10
      - expect: { queued: general, within: 15 }
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


def test_pytest_plugin_collects_calls(suite: Path, pytester: pytest.Pytester) -> None:
    for name in ("menu.yaml", "ok.call.yaml", "bad.call.yaml"):
        (pytester.path / name).write_text((suite / name).read_text())
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(["*bad.call.yaml:6:9: step 2 failed (mismatch)*", "*expected: prompt contains*"])
    assert "Traceback" not in result.stdout.str()
    only = pytester.runpytest("-k", "billing and not wrong", "-p", "no:cacheprovider")
    only.assert_outcomes(passed=1)


def test_pytest_plugin_reports_invalid_scripts(pytester: pytest.Pytester, write_menu: Callable[..., Path]) -> None:
    (pytester.path / "menu.yaml").write_text(SIMPLE)
    (pytester.path / "x.call.yaml").write_text("menu: menu.yaml\ncalls:\n  - name: a\n    stepz: []\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*x.call.yaml:4:5: error: unknown field 'stepz'*"])
    assert result.ret == pytest.ExitCode.INTERRUPTED


def test_pytest_plugin_under_xdist(suite: Path, pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    for name in ("menu.yaml", "ok.call.yaml"):
        (pytester.path / name).write_text((suite / name).read_text())
    result = pytester.runpytest("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_bundled_suite_covers_every_queue_and_error_path() -> None:
    result = run_ivr("replay", "scripts", "--coverage", "--json", cwd=ROOT)
    payload = json.loads(result.stdout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert payload["failed"] == 0 and payload["passed"] >= 20
    from ivr.menu import load_menu
    from ivr.replay.coverage import MenuCoverage
    from ivr.replay.suite import run_suite

    suite = run_suite([ROOT / "scripts"])
    for path, cov in suite.coverage.items():
        summary = cov.summary()
        queues = {n.id for n in cov.menu.nodes.values() if n.kind in ("queue", "transfer", "hangup")}
        assert not queues & set(summary["nodes"][2]), f"{path}: destinations never reached"
        for kind in ("no-input", "no-match", "max-attempts"):
            assert summary[kind][2] == [], f"{path}: {kind} untested at {summary[kind][2]}"
    assert {p.name for p in suite.coverage} == {"customer-service.yaml", "it-helpdesk.yaml"}
    assert isinstance(load_menu(MENUS / "it-helpdesk.yaml"), object) and MenuCoverage
