"""The `ivr` command, run as a user runs it: output, exit codes, no tracebacks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ivr.call.pacing import reading_seconds
from tests.conftest import MENUS, SIMPLE, run_ivr

CS = "menus/customer-service.yaml"


def test_check_clean_menus_exit_0() -> None:
    result = run_ivr("check", CS, "menus/it-helpdesk.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 files checked: 0 error(s), 0 warning(s)" in result.stdout


def test_check_lint_errors_exit_1(write_menu: Callable[..., Path]) -> None:
    path = write_menu(SIMPLE.replace("press 2.", "press 3."))
    result = run_ivr("check", str(path))
    assert result.returncode == 1
    assert (
        f"{path}:" in result.stdout and "announces key '3', which does nothing here [key-not-mapped]" in result.stdout
    )


def test_check_invalid_file_exit_2_and_others_still_checked(write_menu: Callable[..., Path]) -> None:
    bad = write_menu(SIMPLE.replace('"2": orders', '"2": orders\n      2: billing'), "bad.yaml")
    result = run_ivr("check", str(bad), CS)
    assert result.returncode == 2
    assert f"{bad}:18:7: error: duplicate key '2' (first at line 17)" in result.stdout
    assert "2 files checked: 1 error(s), 0 warning(s)" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_check_unreadable_file_exit_2(tmp_path: Path) -> None:
    result = run_ivr("check", str(tmp_path / "missing.yaml"))
    assert result.returncode == 2
    assert "cannot read file" in result.stdout and "Traceback" not in result.stderr


def test_check_json(write_menu: Callable[..., Path]) -> None:
    path = write_menu(SIMPLE.replace("prompt: Goodbye.", "prompt: Goodbye {who}."))
    result = run_ivr("check", "--format", "json", str(path))
    assert result.returncode == 0
    payload = json.loads(result.stdout)
    [diag] = payload["files"][0]["diagnostics"]
    assert diag["rule"] == "undefined-variable" and diag["severity"] == "warning" and diag["line"] > 0
    assert payload["warnings"] == 1 and payload["exit_status"] == 0


def test_check_strict_and_disable(write_menu: Callable[..., Path]) -> None:
    path = write_menu(SIMPLE.replace("prompt: Goodbye.", "prompt: Goodbye {who}."))
    assert run_ivr("check", "--strict", str(path)).returncode == 1
    assert run_ivr("check", "--strict", "--disable", "undefined-variable", str(path)).returncode == 0
    unknown = run_ivr("check", "--disable", "no-such-rule", str(path))
    assert unknown.returncode == 2 and "unknown lint rule 'no-such-rule'" in unknown.stderr


def test_check_lists_rules() -> None:
    result = run_ivr("check", "--rules", CS)
    assert "key-not-mapped" in result.stdout and "error" in result.stdout


@pytest.mark.parametrize(("fmt", "marker"), [("mermaid", "flowchart TD"), ("dot", "digraph")])
def test_graph_draws_every_node_and_failure_path(fmt: str, marker: str) -> None:
    result = run_ivr("graph", CS, "--format", fmt)
    assert result.returncode == 0
    assert result.stdout.startswith(marker)
    assert "no input ×3 / no match ×3 / 4 tries" in result.stdout
    assert "overcharge/enter" in result.stdout or "overcharge_enter" in result.stdout
    assert "0 representative" in result.stdout


def test_graph_marks_dropped_callers(write_menu: Callable[..., Path]) -> None:
    path = write_menu(SIMPLE.replace("defaults:\n  representative: agent\n", ""))
    assert "call dropped" in run_ivr("graph", str(path)).stdout


def test_graph_to_file(tmp_path: Path) -> None:
    out = tmp_path / "menu.dot"
    result = run_ivr("graph", CS, "--format", "dot", "-o", str(out))
    assert result.returncode == 0 and out.read_text().startswith("digraph")


def test_schema_validates_the_bundled_menus() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    result = run_ivr("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    for name in ("customer-service.yaml", "it-helpdesk.yaml", "account-number.yaml"):
        document = yaml.safe_load((Path("menus") / name).read_text(encoding="utf-8"))
        document = json.loads(json.dumps(document, default=str))  # dates as text, as editors see them
        jsonschema.validate(document, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "x", "start": "a", "nodes": {"a": {"type": "menuu"}}}, schema)


def test_call_with_keys_prints_the_transcript() -> None:
    result = run_ivr("call", CS, "--at", "2026-11-24T10:00", "--no-traffic", "--keys", "1 4 1 2 1 5 5")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Many internet problems are fixed by switching your router off" in out
    queued = out.index("⇒ queued for 'tech_internet'")
    answered = out.index("☺ Tech 1 answers after 0 s")
    noted = out.index("✎ Tech 1 notes REF-000001")
    assert queued < answered < noted < out.index("✓ survey representative: 5")
    assert out.splitlines()[-1].endswith("☎ hung up (completed)")


def test_call_without_representatives_ends_at_the_queue(write_menu: Callable[..., Path]) -> None:
    result = run_ivr("call", str(write_menu(SIMPLE)), "--keys", "1")
    assert result.stdout.splitlines()[-1].endswith("⇒ queued for 'billing'")


def test_call_json_lines() -> None:
    result = run_ivr("call", CS, "--at", "2026-11-24T10:00", "--json", "--keys", "2 wait 0")
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[0]["event"] == "call_started" and events[0]["language"] == "en"
    names = [e["event"] for e in events]
    welcome = events[names.index("prompt_played")]
    key = events[names.index("key_pressed")]
    assert key["at"] == pytest.approx(reading_seconds(welcome["text"], "en"))  # pressed once the prompt was heard
    assert {
        "event": "variable_set",
        "at": key["at"],
        "node": "language",
        "variable": "language",
        "value": "ur",
    } in events
    main = next(e for e in events if e["event"] == "prompt_played" and e["prompt_id"] == "main.prompt")
    no_input = next(e for e in events if e["event"] == "no_input")
    assert no_input["node"] == "main"
    assert no_input["at"] == pytest.approx(main["at"] + reading_seconds(main["text"], "ur") + 5.0)
    queued = next(e for e in events if e["event"] == "queued")
    answered = next(e for e in events if e["event"] == "answered")
    assert queued["queue"] == "general" and queued["at"] <= answered["at"]
    times = [e["at"] for e in events]
    assert times == sorted(times)  # one clock: call and floor events in time order


def test_first_no_input_comes_after_the_prompt_and_the_timeout() -> None:
    """The issue's check: the timeout starts when the prompt ends, not when it begins."""
    result = run_ivr("call", CS, "--at", "2026-11-24T10:00", "--keys", "wait", "--json")
    events = [json.loads(line) for line in result.stdout.splitlines()]
    prompt = next(e for e in events if e["event"] == "prompt_played")
    no_input = next(e for e in events if e["event"] == "no_input")
    assert no_input["at"] >= prompt["at"] + reading_seconds(prompt["text"], "en") + 5.0 - 1e-9
    assert no_input["at"] > 5.0


def test_call_hangs_up_when_the_keys_run_out() -> None:
    result = run_ivr("call", CS, "--at", "2026-11-24T10:00", "--json", "--keys", "1")
    assert json.loads(result.stdout.splitlines()[-1])["reason"] == "caller"


def test_call_reports_unused_keys(write_menu: Callable[..., Path]) -> None:
    result = run_ivr("call", str(write_menu(SIMPLE)), "--keys", "0 5 5")
    assert result.returncode == 1
    assert "2 key(s) not used" in result.stderr
    assert "⇒ queued for" in result.stdout.splitlines()[-1]  # no floor: the call ends queued


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--keys", "1 x"], "--keys: token 2 'x'"),
        (["--keys", "1", "--at", "tomorrow"], "--at 'tomorrow' is not a date and time"),
        (["--keys", "1", "--language", "fr"], "--language 'fr' is not one of the menu's languages: en, ur"),
        (["--keys", "1", "--var", "novalue"], "--var 'novalue' is not NAME=VALUE"),
    ],
)
def test_call_bad_options_exit_2(args: list[str], message: str) -> None:
    result = run_ivr("call", CS, *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_serve_refuses_a_bad_start_time_before_serving() -> None:
    result = run_ivr("serve", CS, "--port", "1", "--at", "tomorrow")
    assert result.returncode == 2
    assert "--at 'tomorrow' is not a date and time" in result.stderr and "serving" not in result.stderr


def test_call_invalid_menu_exit_2(write_menu: Callable[..., Path]) -> None:
    path = write_menu("name: x\nstart: nowhere\nnodes: {a: {type: hangup}}\n")
    result = run_ivr("call", str(path), "--keys", "1")
    assert result.returncode == 2
    assert f"{path}:2:1: error: unknown node 'nowhere'" in result.stderr


def test_interactive_call_reads_keys_from_stdin() -> None:
    result = run_ivr("call", CS, "--at", "2026-11-24T10:00", stdin="1\n\n4\n3\n")
    assert result.returncode == 0, result.stderr
    assert "no input (1)" in result.stdout
    assert "⇒ queued for 'tech_mobile'" in result.stdout and "Your reference number is" in result.stdout
    assert result.stdout.rstrip().endswith("☎ hung up (caller)")  # input ended during the survey


def test_interactive_call_ends_on_eof_and_rejects_non_keys() -> None:
    result = run_ivr("call", CS, "--at", "2026-11-24T10:00", stdin="1\nhello\n")
    assert "'h' is not a phone key" in result.stderr
    assert "hung up (caller)" in result.stdout


def test_module_entry_point_and_version() -> None:
    result = run_ivr("--version")
    assert result.returncode == 0 and result.stdout.startswith("ivr, version")


def test_check_on_a_folder_with_a_shared_centre_file_checks_it_with_its_menu(
    write_menu: Callable[..., Path], tmp_path: Path
) -> None:
    """`ivr check menus/*.yaml` (the README's command) checked a shared centre file as a menu: 11 errors
    and exit 2, with no word that it was a centre file."""
    write_menu(
        "agents:\n  - { name: A, count: 2, skills: { billing: 1, general: 1 } }\nhandle_time: 200s\n", "floor.yaml"
    )
    write_menu(SIMPLE + "centre: floor.yaml\n", "line.yaml")
    result = run_ivr("check", "floor.yaml", "line.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "floor.yaml: a centre file, checked with line.yaml" in result.stdout
    assert "2 files checked: 0 error(s)" in result.stdout
    alone = run_ivr("check", "floor.yaml", cwd=tmp_path)
    assert alone.returncode == 0
    assert "floor.yaml:1:1: warning: a centre file (agents, queues, traffic), not a menu" in alone.stdout


def test_graph_labels_branch_nodes_by_their_conditions_and_leaves_no_empty_line() -> None:
    """Mermaid gave branch nodes an empty `<br/>` label."""
    result = run_ivr("graph", "menus/customer-service.yaml")
    assert result.returncode == 0
    assert '<br/>"' not in result.stdout
    assert 'n_opening_hours{"<b>opening_hours</b><br/>if office open"}' in result.stdout


def test_long_waits_fit_the_report_columns_instead_of_being_cut(write_menu: Callable[..., Path]) -> None:
    """The `max` column of simulate and load showed `182…` for a wait of 18,234 s."""
    path = write_menu(
        """\
        name: swamped
        start: q
        nodes:
          q: { type: queue, queue: sales }
        queues:
          sales: {}
        centre:
          handle_time: 600
          patience: null
          wrap_up: 0
          agents: [ { name: A, count: 2, skills: { sales: 1 } } ]
          traffic: { calls_per_hour: 40, queues: { sales: 1 } }
        """
    )
    result = run_ivr("simulate", str(path), "--hours", "8", env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    totals = result.stdout[result.stdout.index("Totals") :].splitlines()
    sales = next(line for line in totals if line.strip().startswith("sales"))
    assert "…" not in sales
    assert sales.split()[-3].endswith(("m", "h")), sales  # the longest wait, in minutes or hours


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{"states": [1, 2', "is not a flow ivr can import"),
        ('{"states": [{"name": "a", "type": "say-play"}], "initial_state": "a"', "the flow definition is not JSON"),
        ('{"states": [{"name": "a", "type": "say-play"}], "initial_state": "a"}', "the flow has no trigger widget"),
        (
            '{"initial_state": "T", "states": [{"name": "T", "type": "trigger", "transitions": []}]}',
            "the trigger's incomingCall leads nowhere",
        ),
        ("exten => s,1,Answer()\n", "the dialplan has no extensions"),  # no [context] before it
        ("<vxml/>", "a VoiceXML document has a <form> or <menu>; this one has none"),
        ('<include><menu name="m"><entry', "the XML is not well formed"),
        ('{"Actions": [], "StartAction": 3', "the flow is not JSON"),
        ('{"Name": "x", "Content": "{\\"Actions\\": 5}"}', "has an `Actions` list; this file has none"),
    ],
)
def test_import_refuses_what_is_not_a_usable_flow_with_exit_2(tmp_path: Path, text: str, said: str) -> None:
    flow = tmp_path / "flow.json"
    flow.write_text(text)
    result = run_ivr("import", str(flow))
    assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr


def test_import_marks_what_it_cannot_carry_and_the_menu_runs(tmp_path: Path) -> None:
    flow = tmp_path / "tiny.json"
    flow.write_text(
        json.dumps(
            {
                "initial_state": "Trigger",
                "states": [
                    {"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingCall", "next": "ask"}]},
                    {
                        "name": "ask",
                        "type": "gather-input-on-call",
                        "properties": {"say": "For sales press 1. Hi {{flow.variables.who}}"},
                        "transitions": [{"event": "keypress", "next": "pick"}, {"event": "timeout"}],
                    },
                    {
                        "name": "pick",
                        "type": "split-based-on",
                        "properties": {"input": "{{widgets.ask.Digits}}"},
                        "transitions": [
                            {"event": "noMatch"},
                            {"event": "match", "next": "lookup", "conditions": [{"type": "equal_to", "value": "1"}]},
                        ],
                    },
                    {"name": "lookup", "type": "make-http-request", "transitions": [{"event": "success", "next": "q"}]},
                    {"name": "q", "type": "enqueue-call", "properties": {"queue_name": "Sales Team"}},
                ],
            }
        )
    )
    menu = tmp_path / "tiny.yaml"
    result = run_ivr("import", str(flow), "-o", str(menu))
    assert result.returncode == 0, result.stderr
    assert "tiny.json: widget 'lookup': a make-http-request widget is a lookup: nothing is called" in result.stderr
    text = menu.read_text()
    assert "# Studio widget 'lookup' (make-http-request)\n  lookup:\n    type: lookup" in text
    assert "queue: Sales_Team" in text
    assert "Hi {who}" in text  # Liquid that ivr has, as its variable
    call = run_ivr("call", str(menu), "--keys", "1", "--var", "who=Ana")
    assert call.returncode == 0 and "queued for 'Sales_Team'" in call.stdout and "Hi Ana" in call.stdout


def test_a_briefs_file_with_problems_is_refused_at_file_line_before_any_screen(tmp_path: Path) -> None:
    briefs = tmp_path / "class.briefs.yaml"
    briefs.write_text(
        "briefs:\n"
        "  - { name: Sana, persona: A nurse., goal: Her parcel., caller: { language: fr } }\n"
        "  - { name: Sana, persona: A shopkeeper., goal: A refund. }\n",
        encoding="utf-8",
    )
    for command in ("run", "serve"):
        result = run_ivr(command, str(MENUS / "customer-service.yaml"), "--briefs", str(briefs))
        assert result.returncode == 2, result.stderr
        assert "class.briefs.yaml:2:" in result.stderr and "no language 'fr'" in result.stderr
        assert "class.briefs.yaml:3:" in result.stderr and "another brief is named 'Sana' (line 2)" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_seat_is_only_for_the_tabs_of_ivr_serve() -> None:
    result = run_ivr("run", str(MENUS / "customer-service.yaml"), "--seat", "caller", env={"IVR_ROOM": ""})
    assert result.returncode == 2
    assert "--seat is for the tabs of `ivr serve`" in result.stderr
