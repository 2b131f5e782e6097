"""The `lookup` node: an outside service (a Lambda, a function, an AGI script) written down as data."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from ivr.call import Caller, Engine, SimClock
from ivr.call.events import HungUp, LookupAnswered, PromptPlayed
from ivr.call.pacing import READING
from ivr.menu import load_menu
from ivr.menu.lint import lint_menu
from ivr.menu.lookup_model import LookupAnswer
from tests.conftest import MENUS, ROOT, run_ivr

BANK = MENUS / "bank-balance.yaml"


def call_with(keys: str, lookups: dict[str, LookupAnswer] | None = None, paced: bool = False) -> list[object]:
    menu = load_menu(BANK)
    speech = (lambda text, language, prompt_id: READING(text, language)) if paced else None
    call = Engine(menu).start_call(Caller(lookups=lookups or {}), SimClock(), speech=speech)
    for key in keys:
        call.press(key)
    if paced:
        call.wait(call.settled_at() - call.clock.now())
    return list(call.transcript)


def test_the_declared_answer_for_the_input_sets_its_variables_and_routes_the_call() -> None:
    events = call_with("1234")
    answered = [e for e in events if isinstance(e, LookupAnswered)]
    assert [(e.node, e.given, e.answer, e.returned, e.failed) for e in answered] == [
        ("fetch", "1234", "1234", {"balance": "1,250.00", "currency": "rupees"}, False)
    ]
    said = [e.text for e in events if isinstance(e, PromptPlayed)]
    assert said[-1] == "Your balance is 1,250.00 rupees. Thank you for calling."


@pytest.mark.parametrize(
    ("keys", "reason", "failed"),
    [("5678", "not-found", False), ("0000", "unavailable", True)],
)
def test_any_other_input_takes_the_star_answer_and_an_error_answer_goes_to_on_error(
    keys: str, reason: str, failed: bool
) -> None:
    events = call_with(keys)
    answered = next(e for e in events if isinstance(e, LookupAnswered))
    assert answered.failed is failed and answered.answer == ("*" if keys == "5678" else "0000")
    assert [e.reason for e in events if isinstance(e, HungUp)] == [reason]


def test_a_scripts_answer_takes_the_place_of_the_menus() -> None:
    events = call_with("0000", {"fetch": LookupAnswer(set={"balance": "7", "currency": "dollars"}, goto="say_balance")})
    answered = next(e for e in events if isinstance(e, LookupAnswered))
    assert answered.answer == "world" and not answered.failed
    assert "Your balance is 7 dollars." in [e.text for e in events if isinstance(e, PromptPlayed)][-1]


def test_the_caller_waits_for_the_answer_after_the_prompt_when_prompts_take_time() -> None:
    events = call_with("1234", paced=True)
    waiting = next(e for e in events if isinstance(e, PromptPlayed) and e.prompt_id == "fetch.prompt")
    answered = next(e for e in events if isinstance(e, LookupAnswered))
    latency = load_menu(BANK).nodes["fetch"].spec.latency  # type: ignore[union-attr]
    assert latency == 1.5
    assert answered.at == pytest.approx(waiting.at + READING(waiting.text, "en") + latency)


def test_a_service_with_no_answer_and_nowhere_to_fail_to_ends_the_call_saying_why(
    write_menu: Callable[..., Path],
) -> None:
    path = write_menu(
        """\
        name: strict
        start: ask
        nodes:
          ask:
            type: lookup
            service: https://example.test/holiday
            input: "{caller.number}"
            answers: { "+920000000000": { goto: open } }
          open: { type: hangup, prompt: We are open. }
        """
    )
    call = Engine(load_menu(path)).start_call(Caller(number="+441"))
    assert call.end_reason == "lookup-failed"
    assert [e.failed for e in call.transcript if isinstance(e, LookupAnswered)] == [True]


def test_variables_a_lookup_returns_count_as_set_for_the_lint() -> None:
    rules = {d.rule for d in lint_menu(load_menu(BANK))}
    assert "undefined-variable" not in rules and not rules


def test_a_lookup_input_naming_a_variable_nothing_sets_is_a_lint_warning(write_menu: Callable[..., Path]) -> None:
    path = write_menu(
        """\
        name: typo
        start: ask
        nodes:
          ask: { type: lookup, service: svc, input: "{acount}", answers: { "*": { goto: done } } }
          done: { type: hangup }
        """
    )
    found = [(d.rule, d.line) for d in lint_menu(load_menu(path))]
    assert found == [("undefined-variable", 4)]


@pytest.mark.parametrize(
    ("written", "fragment"),
    [
        ('service: svc, latency: 2m, answers: { "*": { goto: open } }', "less than or equal to 60"),
        ("service: svc, answers: {}", "at least 1 item"),
        ('service: svc, answers: { "1": { error: true, goto: open } }', "an error answer returns nothing"),
        ("service: '', answers: { \"*\": { goto: open } }", "at least 1 character"),
        ('service: svc, input: "{account|shout}", answers: { "*": { goto: open } }', "unknown filter 'shout'"),
    ],
)
def test_a_badly_written_lookup_is_refused_at_its_line(
    written: str, fragment: str, write_menu: Callable[..., Path]
) -> None:
    path = write_menu(
        f"name: bad\nstart: ask\nnodes:\n  ask: {{ type: lookup, {written} }}\n  open: {{ type: hangup }}\n"
    )
    result = run_ivr("check", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{path}:4:" in result.stdout and fragment in result.stdout, result.stdout


def test_the_bundled_balance_script_covers_every_answer() -> None:
    result = run_ivr("replay", "scripts/bank-balance", "--coverage", "--json", cwd=ROOT)
    payload = json.loads(result.stdout)
    assert result.returncode == 0 and payload["failed"] == 0, result.stdout
    text = run_ivr("replay", "scripts/bank-balance", "--coverage", cwd=ROOT).stdout
    assert "answers" in text and "4/4" in text


def replay_on_the_bank(tmp_path: Path, name: str, calls: str) -> subprocess.CompletedProcess[str]:
    """`ivr replay` of a script ``name`` whose ``calls:`` are ``calls``, on a copy of the bundled bank line."""
    shutil.copy(BANK, tmp_path / "bank.yaml")
    script = tmp_path / name
    script.write_text("menu: bank.yaml\ncalls:\n" + calls, encoding="utf-8")
    return run_ivr("replay", str(script), cwd=tmp_path)


def test_a_scripts_answer_must_name_a_lookup_and_one_of_its_ways(tmp_path: Path) -> None:
    result = replay_on_the_bank(
        tmp_path,
        "bad.call.yaml",
        "  - name: wrong\n"
        "    world: { lookups: { account: { set: { x: 1 } }, fetch: { goto: nowhere } } }\n"
        "    steps:\n"
        '      - press: "1234"\n'
        "      - expect: { looked_up: say_balance }\n",
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    out = result.stdout + result.stderr
    assert "bad.call.yaml:4:25: error: 'account' is not a lookup node of the menu" in out
    assert "'fetch' cannot go to 'nowhere': its answers lead to not_found, say_balance, unavailable" in out
    assert "bad.call.yaml:7:" in out and "'say_balance' is not a lookup node" in out


def test_a_failed_expectation_on_a_lookup_says_what_was_asked(tmp_path: Path) -> None:
    calls = '  - name: expects an answer\n    steps:\n      - press: "0000"\n      - expect: { looked_up: fetch }\n'
    result = replay_on_the_bank(tmp_path, "fails.call.yaml", calls)
    assert result.returncode == 1
    assert "lookups since the last action: fetch (failed)" in result.stdout


def test_the_console_shows_what_the_service_answered() -> None:
    result = run_ivr("call", str(BANK), "--keys", "1234")
    assert result.returncode == 0
    assert "⇄ arn:aws:lambda:eu-west-1:123456789012:function:core-banking-balance for '1234': balance = '1,250.00'" in (
        result.stdout
    )


def test_the_graph_draws_a_lookup_with_its_answers() -> None:
    result = run_ivr("graph", str(BANK))
    assert result.returncode == 0, result.stderr
    assert 'n_fetch[("<b>fetch</b><br/>ask arn:aws:lambda' in result.stdout
    assert 'n_fetch -.->|"the service failed"| n_unavailable' in result.stdout


def test_asterisk_gets_an_agi_call_that_lints_clean_and_the_report_says_what_it_must_set(tmp_path: Path) -> None:
    result = run_ivr("export", str(BANK), "--to", "asterisk", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    plan = (tmp_path / "extensions.conf").read_text(encoding="utf-8")
    assert "same => n,AGI(core-banking-balance,${account})" in plan
    assert 'same => n,GotoIf($["${AGISTATUS}" != "SUCCESS"]?ivr-unavailable,s,1)' in plan
    report = (tmp_path / "export-report.md").read_text(encoding="utf-8")
    assert "it must set balance, currency, and IVR_ROUTE to one of say_balance, not_found" in report
    lint = shutil.which("asterisklint", path=str(Path(sys.executable).parent)) or shutil.which("asterisklint")
    if lint is None:
        pytest.skip("asterisklint is not installed (it is in the test extra)")
    checked = subprocess.run([lint, "dialplan-check", "extensions.conf"], cwd=tmp_path, capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stdout.strip() == "" and checked.stderr.strip() == "", checked


def test_voicexml_gets_a_data_fetch_with_its_failure_caught(tmp_path: Path) -> None:
    result = run_ivr("export", str(BANK), "--to", "voicexml", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    document = ET.parse(tmp_path / "bank_balance.vxml").getroot()
    form = next(f for f in document.iter() if f.get("id") == "fetch")
    data = [e for e in form.iter() if e.tag.endswith("data")]
    assert [(d.get("src"), d.get("namelist")) for d in data] == [
        ("arn:aws:lambda:eu-west-1:123456789012:function:core-banking-balance", "account")
    ]
    catches = [e for e in form.iter() if e.tag.endswith("catch")]
    assert [c.get("event") for c in catches] == ["error.badfetch"]
    assigned = {e.get("name"): e.get("expr") for e in form.iter() if e.tag.endswith("assign")}
    assert assigned == {"balance": "fetch_answer.balance", "currency": "fetch_answer.currency"}


def test_an_asterisk_agi_script_becomes_a_lookup_a_script_can_answer_for(tmp_path: Path) -> None:
    plan = tmp_path / "extensions.conf"
    plan.write_text(
        "[main]\n"
        "exten => s,1,Answer()\n"
        " same => n,AGI(check_account.agi,${CALLERID(num)})\n"
        " same => n,Playback(thanks)\n"
        " same => n,Queue(support)\n",
        encoding="utf-8",
    )
    menu = tmp_path / "main.yaml"
    result = run_ivr("import", str(plan), "-o", str(menu))
    assert result.returncode == 0, result.stderr
    assert "AGI(check_account.agi" in result.stderr and "is a lookup: nothing is run" in result.stderr
    assert "type: lookup\n    service: check_account.agi" in menu.read_text(encoding="utf-8")
    lookup = next(n.id for n in load_menu(menu).nodes.values() if n.kind == "lookup")
    script = tmp_path / "main.call.yaml"
    script.write_text(
        "menu: main.yaml\ncalls:\n  - name: the AGI answers\n"
        f"    world: {{ lookups: {{ {lookup}: {{ set: {{ vip: 'yes' }} }} }} }}\n"
        f"    steps:\n      - expect: {{ looked_up: {lookup}, variables: {{ vip: 'yes' }}, queued: support }}\n",
        encoding="utf-8",
    )
    replayed = run_ivr("replay", str(script), cwd=tmp_path)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr


def test_a_voicexml_data_fetch_reads_back_as_a_lookup_whose_failure_goes_where_the_catch_says(tmp_path: Path) -> None:
    assert run_ivr("export", str(BANK), "--to", "voicexml", "-o", str(tmp_path)).returncode == 0
    back = tmp_path / "back.yaml"
    imported = run_ivr("import", str(tmp_path / "bank_balance.vxml"), "-o", str(back))
    assert imported.returncode == 0, imported.stderr
    assert "is a lookup: nothing is fetched" in imported.stderr
    fetch = load_menu(back).nodes["fetch"]
    assert fetch.kind == "lookup" and fetch.spec.on_error == "unavailable"  # type: ignore[union-attr]
    script = tmp_path / "down.call.yaml"
    script.write_text(
        "menu: back.yaml\ncalls:\n  - name: the fetch fails\n    world: { lookups: { fetch: { error: true } } }\n"
        "    steps:\n      - press: '1234'\n      - expect: { lookup_failed: true, prompt: cannot be reached }\n",
        encoding="utf-8",
    )
    replayed = run_ivr("replay", str(script), cwd=tmp_path)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr


def test_a_diff_names_the_answer_that_changed(tmp_path: Path) -> None:
    changed = tmp_path / "bank.yaml"
    text = BANK.read_text(encoding="utf-8")
    text = text.replace(
        '"4321": { set: { balance: "0.00", currency: rupees }, goto: say_balance }', '"4321": { goto: not_found }'
    )
    changed.write_text(text.replace("latency: 1.5s", "latency: 3s"), encoding="utf-8")
    result = run_ivr("diff", str(BANK), str(changed))
    assert result.returncode == 1, result.stderr
    assert "fetch answers['4321'].goto changed: 'say_balance' → 'not_found'" in result.stdout
    assert "fetch answers['4321'].set.balance removed: '0.00'" in result.stdout
    assert "fetch latency changed: '1.5' → '3.0'" in result.stdout
