"""Real flows from other platforms, read from ../shared/interop/ (never copied into the project)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_ivr

INTEROP = Path(os.environ.get("IVR_INTEROP", ROOT.parent / "shared" / "interop"))
STUDIO = sorted((INTEROP / "studio").glob("*")) if (INTEROP / "studio").is_dir() else []
CONNECT = sorted((INTEROP / "connect").glob("*")) if (INTEROP / "connect").is_dir() else []
VOICEXML = sorted((INTEROP / "voicexml").glob("*.vxml")) if (INTEROP / "voicexml").is_dir() else []
FREESWITCH = sorted(p for p in (INTEROP / "freeswitch").glob("*") if "callcenter" not in p.name) if STUDIO else []
ASTERISK = sorted(p for p in (INTEROP / "asterisk").glob("*") if "queues" not in p.name) if STUDIO else []
SOURCE_FAULTS = {"key-not-mapped"}  # a prompt announcing a key its own flow does not handle: the flow's bug

pytestmark = pytest.mark.skipif(not STUDIO, reason=f"no Studio flows in {INTEROP} (set IVR_INTEROP to the folder)")


@pytest.mark.slow
@pytest.mark.parametrize(
    "flow", STUDIO + CONNECT + FREESWITCH + VOICEXML + ASTERISK, ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_every_flow_imports_checks_and_survives_random_callers(flow: Path, tmp_path: Path) -> None:
    menu = tmp_path / "imported.yaml"
    result = run_ivr("import", str(flow), "-o", str(menu))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for line in result.stderr.splitlines():  # every warning names the file and the widget or action
        if line.startswith("warning:"):
            kinds = ("widget ", "action ", "menu ", "the flow:", "<", "line ", "context ", "dialplan:")
            assert any(f"{flow.name}: {kind}" in line for kind in kinds), line
    checked = run_ivr("check", str(menu), "--format", "json")
    diagnostics = json.loads(checked.stdout)["files"][0]["diagnostics"]
    errors = {d["rule"] for d in diagnostics if d["severity"] == "error"}
    assert errors <= SOURCE_FAULTS, diagnostics
    fuzzed = run_ivr("fuzz", str(menu), "--calls", "2000", "-o", str(tmp_path / "found"))
    assert "crash" not in fuzzed.stdout.lower() or "no crashes" in fuzzed.stdout, fuzzed.stdout


def test_a_studio_flow_keeps_its_shape_and_routes_callers_by_what_it_computed(tmp_path: Path) -> None:
    """The schedule flow: a function says whether the line is open; open callers go to the agents,
    the others hear why it is closed. The function cannot run here, so its answer is caller data."""
    flow = INTEROP / "studio" / "voice-flow.json"
    menu = tmp_path / "voice.yaml"
    assert run_ivr("import", str(flow), "-o", str(menu)).returncode == 0
    text = menu.read_text(encoding="utf-8")
    assert "# Studio widget 'check_schedule' (run-function)\n  check_schedule:\n    type: lookup" in text
    assert "queue: workflow_sid_assign_to_anyone" in text and "is_open_input" in text  # from ${WORKFLOW_SID_...}
    script = tmp_path / "open.call.yaml"
    script.write_text(
        "menu: voice.yaml\ncalls:\n  - name: open {open} goes to {where}\n    cases:\n"
        "      - { open: 'true', where: workflow_sid_assign_to_anyone }\n      - { open: 'false', where: nowhere }\n"
        "    caller: { variables: { is_open_input: '{open}' } }\n"
        "    steps:\n      - expect: { ended: true }\n"
        "  - name: an open line queues\n    caller: { variables: { is_open_input: 'true' } }\n"
        "    steps:\n      - expect: { queued: workflow_sid_assign_to_anyone }\n"
        "  - name: the script answers for the function\n"
        "    world: { lookups: { check_schedule: { set: { is_open_input: 'true' } } } }\n"
        "    steps:\n      - expect: { looked_up: check_schedule, queued: workflow_sid_assign_to_anyone }\n"
    )
    replayed = run_ivr("replay", str(script), "--json", cwd=tmp_path)
    calls = {c["id"].split("::")[1]: c for c in json.loads(replayed.stdout)["calls"]}
    assert all(c["passed"] for c in calls.values()), calls
    queued = run_ivr("call", str(menu), "--var", "is_open_input=true", "--no-traffic", "--json", cwd=tmp_path)
    events = [json.loads(line) for line in queued.stdout.splitlines()]
    assert [e["queue"] for e in events if e["event"] == "queued"] == ["workflow_sid_assign_to_anyone"]


def test_a_connect_flow_routes_by_what_its_bot_heard_and_leaves_for_the_next_flow(tmp_path: Path) -> None:
    """acme_main: welcome, a Lex bot asks sales or finance, the queue is set, and the call goes on in
    another flow. Speech is not simulated: the intent is caller data a script gives."""
    flow = INTEROP / "connect" / "acme_main_AUTO.json"
    if not flow.exists():
        pytest.skip(f"{flow} is absent")
    menu = tmp_path / "main.yaml"
    result = run_ivr("import", str(flow), "-o", str(menu))
    assert result.returncode == 0, result.stderr
    assert "InvokeLambdaFunction is a lookup: nothing is called" in result.stderr
    assert "type: lookup\n    service: $.FlowAttributes.acme-exampleFunction" in menu.read_text(encoding="utf-8")
    script = tmp_path / "bot.call.yaml"
    script.write_text(
        "menu: main.yaml\ncalls:\n  - name: says {intent}\n    cases:\n"
        "      - { intent: Sales, queue: sales }\n      - { intent: Finance, queue: finance }\n"
        "    caller: { variables: { bot_1_intent: '{intent}' } }\n    steps:\n"
        "      - expect: { prompt: Which department, variables: { target_queue: '{queue}' } }\n"
        "      - expect: { transferred: 'flow:acme_queue_transfer_AUTO' }\n"
    )
    replayed = run_ivr("replay", str(script), "--json", cwd=tmp_path)
    calls = json.loads(replayed.stdout)["calls"]
    assert [c["passed"] for c in calls] == [True, True], calls


def test_freeswitch_callcenter_becomes_a_centre_file_a_menu_can_name(tmp_path: Path) -> None:
    conf = INTEROP / "freeswitch" / "callcenter.conf.xml"
    menus = INTEROP / "freeswitch" / "ivr.conf.xml"
    if not conf.exists() or not menus.exists():
        pytest.skip("no FreeSWITCH files in the interop folder")
    centre = tmp_path / "floor.yaml"
    result = run_ivr("import", str(conf), "-o", str(centre))
    assert result.returncode == 0, result.stderr
    assert "one representative per queue stands in" in result.stderr  # the sample has no agents
    menu = tmp_path / "menu.yaml"
    assert run_ivr("import", str(menus), "-o", str(menu)).returncode == 0
    text = menu.read_text(encoding="utf-8").replace("nodes:\n", "centre: floor.yaml\nnodes:\n", 1)
    menu.write_text(text, encoding="utf-8")
    checked = run_ivr("check", str(menu))  # the menu loads with the imported floor behind it
    assert checked.returncode in (0, 1) and "error: " not in checked.stdout.replace("[unstaffed", ""), checked.stdout
    assert "support" in centre.read_text() and "routing: longest-idle" in centre.read_text()


BANK_VXML = """<?xml version="1.0" encoding="UTF-8"?>
<vxml xmlns="http://www.w3.org/2001/vxml" version="2.1">
  <menu id="main">
    <prompt>For balances, press 1. For an agent, press 0.</prompt>
    <choice dtmf="1" next="#balance">balances</choice>
    <choice dtmf="0" next="#agent">agent</choice>
    <noinput><prompt>Sorry.</prompt></noinput>
    <nomatch><goto next="#agent"/></nomatch>
  </menu>
  <form id="balance">
    <field name="account">
      <prompt>Enter your account number, then press hash.</prompt>
      <grammar mode="dtmf" src="builtin:dtmf/digits"/>
    </field>
    <block><prompt>Your balance is on its way by text.</prompt><disconnect/></block>
  </form>
  <form id="agent">
    <transfer name="call" dest="tel:+15550100"/>
  </form>
</vxml>
"""


def test_voicexml_menus_forms_fields_and_transfers_become_a_menu_that_runs(tmp_path: Path) -> None:
    flow = tmp_path / "bank.vxml"
    flow.write_text(BANK_VXML)
    menu = tmp_path / "bank.yaml"
    result = run_ivr("import", str(flow), "-o", str(menu))
    assert result.returncode == 0, result.stderr
    assert "the field 'account' takes digits" in result.stderr
    checked = run_ivr("check", str(menu))
    assert checked.returncode in (0, 1) and " error: " not in checked.stdout, checked.stdout
    balance = run_ivr("call", str(menu), "--keys", "1 123456#")
    assert "Your balance is on its way by text." in balance.stdout and "hung up" in balance.stdout
    agent = run_ivr("call", str(menu), "--keys", "0")
    assert "transferred" in agent.stdout and "tel:+15550100" in agent.stdout
    shared = INTEROP / "voicexml" / "afterSubdialog.vxml"
    if shared.exists():
        assert run_ivr("import", str(shared), "-o", str(tmp_path / "after.yaml")).returncode == 0


def test_an_asterisk_dialplan_runs_its_menu_with_what_its_scripts_computed_as_caller_data(tmp_path: Path) -> None:
    """Darcia2125's bank line (context `work`, extension 800): text-to-speech prompts through an AGI, a
    menu on WaitExten, digit entry with Read, and balances an AGI script looked up (${solde}), which
    become caller data a script gives. The file's first menu is another context: --context picks this one."""
    flow = INTEROP / "asterisk" / "Darcia2125_extensions.conf"
    if not flow.exists():
        pytest.skip(f"{flow} is absent")
    menu = tmp_path / "bank.yaml"
    result = run_ivr("import", str(flow), "--context", "work", "-o", str(menu))
    assert result.returncode == 0, result.stderr
    assert "agi(call.php,agi_callerid) is a lookup: nothing is run" in result.stderr
    assert "other contexts have menus (demo)" in result.stderr
    assert "kept as the caller data 'solde'" in result.stderr
    script = tmp_path / "bank.call.yaml"
    script.write_text(
        "menu: bank.yaml\n"
        "defaults: { caller: { variables: { username: Ana, solde: '250', username_dest: Bo } } }\n"
        "calls:\n"
        "  - name: the balance\n"
        "    steps:\n"
        "      - expect: { prompt: Bonjour Ana }\n"
        "      - press: '1'\n"
        "      - expect: { prompt: Votre solde est de 250 Ariary, hung_up: completed }\n"
        "  - name: credit added by typing the amount\n"
        "    steps:\n"
        "      - press: '2'\n"
        "      - press: '3'\n"
        "      - expect: { prompt: Entrez le montant }\n"
        "      - press: '500#'\n"
        "      - expect: { variables: { somme: '500' }, hung_up: completed }\n",
        encoding="utf-8",
    )
    replayed = run_ivr("replay", str(script), "--json", cwd=tmp_path)
    calls = json.loads(replayed.stdout)["calls"]
    assert [c["passed"] for c in calls] == [True, True], replayed.stdout
    wrong = run_ivr("import", str(flow), "--context", "nowhere", "-o", str(tmp_path / "x.yaml"))
    assert wrong.returncode == 2 and "no context 'nowhere'" in wrong.stderr and "work" in wrong.stderr


def test_asterisk_queues_conf_becomes_a_centre_file(tmp_path: Path) -> None:
    """The sample declares no queue (only [general]): imported with a warning saying so. A queues.conf
    with queues and members becomes queues with routing and the members as representatives."""
    sample = INTEROP / "asterisk" / "queues.conf.sample"
    if sample.exists():
        result = run_ivr("import", str(sample), "-o", str(tmp_path / "none.yaml"))
        assert result.returncode == 0 and "declares no queues" in result.stderr
    conf = tmp_path / "queues.conf"
    conf.write_text(
        "[general]\npersistentmembers = yes\n\n[support]\nstrategy = leastrecent\n"
        "member => PJSIP/100,0,Alice\nmember => PJSIP/101,1,Bob\n\n[sales]\nstrategy = ringall\n"
        "member => PJSIP/101,0,Bob\n",
        encoding="utf-8",
    )
    centre = tmp_path / "floor.yaml"
    result = run_ivr("import", str(conf), "-o", str(centre))
    assert result.returncode == 0, result.stderr
    assert "strategy 'ringall' has no ivr routing" in result.stderr
    import yaml

    floor = yaml.safe_load(centre.read_text(encoding="utf-8"))
    assert floor["queues"] == {"support": {"routing": "longest-idle"}, "sales": {"routing": "longest-idle"}}
    assert floor["agents"] == [
        {"name": "Alice", "count": 1, "skills": {"support": 1}},
        {"name": "Bob", "count": 1, "skills": {"support": 2, "sales": 1}},
    ]
    line = tmp_path / "line.yaml"
    line.write_text(
        "version: 1\nname: line\nstart: main\ncentre: floor.yaml\nnodes:\n"
        "  main: { type: menu, prompt: 'For support, press 1. For sales, press 2.', options: { '1': s, '2': b },"
        " on_exhausted: s }\n"
        "  s: { type: queue, queue: support }\n  b: { type: queue, queue: sales }\n",
        encoding="utf-8",
    )
    checked = run_ivr("check", str(line))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_script_runs_on_the_production_flow_itself(tmp_path: Path) -> None:
    """`menu: voice-flow.json`: the tester keeps the Studio flow as the source of truth; it is imported
    as it is read, by `ivr replay` and by `ivr call` alike. A file that is not a flow is refused at
    load with what is wrong and how to see the menu."""
    flow = INTEROP / "studio" / "voice-flow.json"
    (tmp_path / "voice-flow.json").write_bytes(flow.read_bytes())  # a working copy, made at test time
    script = tmp_path / "flow.call.yaml"
    script.write_text(
        "menu: voice-flow.json\ncalls:\n"
        "  - name: an open line queues\n    caller: { variables: { is_open_input: 'true' } }\n"
        "    steps:\n      - expect: { queued: workflow_sid_assign_to_anyone }\n"
        "  - name: the script answers for the function\n"
        "    world: { lookups: { check_schedule: { set: { is_open_input: 'true' } } } }\n"
        "    steps:\n      - expect: { looked_up: check_schedule, queued: workflow_sid_assign_to_anyone }\n"
        "  - name: a closed line ends\n    caller: { variables: { is_open_input: 'false' } }\n"
        "    steps:\n      - expect: { ended: true }\n",
        encoding="utf-8",
    )
    replayed = run_ivr("replay", str(script), "--json", cwd=tmp_path)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert [c["passed"] for c in json.loads(replayed.stdout)["calls"]] == [True, True, True]
    called = run_ivr("call", "voice-flow.json", "--var", "is_open_input=true", "--no-traffic", "--json", cwd=tmp_path)
    assert any(json.loads(line)["event"] == "queued" for line in called.stdout.splitlines()), called.stderr
    (tmp_path / "broken.json").write_text('{"states": [1', encoding="utf-8")
    script.write_text("menu: broken.json\ncalls:\n  - name: x\n    steps:\n      - expect: { ended: true }\n")
    refused = run_ivr("replay", str(script), cwd=tmp_path)
    assert refused.returncode == 2 and "broken.json:1:1: error: cannot import it" in refused.stderr, refused.stderr


BUNDLED = ROOT / "interop"  # scripts on the real flows, whose `menu:` is ../shared/interop/...
SHARED = ROOT.parent / "shared" / "interop"


def top_level_options(menu: object) -> set[str]:
    """The options of the menus a caller meets first: reached from the start without another menu."""
    from ivr.menu.compiled import Menu
    from ivr.menu.model import MenuNode

    assert isinstance(menu, Menu)
    todo, seen, options = [menu.start], set(), set()
    while todo:
        node = menu.nodes[todo.pop()]
        if node.id in seen:
            continue
        seen.add(node.id)
        if isinstance(node.spec, MenuNode):
            options |= {f"{node.id} {key}" for key in node.spec.options}
            continue
        todo.extend(edge.target for edge in menu.edges[node.id] if edge.kind != "back")
    return options


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"the bundled interop scripts read their flows from {SHARED}")
def test_a_bundled_script_walks_every_connect_and_studio_example_through_each_top_level_option() -> None:
    """For each Amazon Connect and Twilio Studio example, a script in interop/ replays green on the
    production file itself and presses every option of the first menu its caller meets."""
    from ivr.replay.suite import run_suite

    suite = run_suite([BUNDLED], root=ROOT.parent)
    assert not suite.invalid, suite.invalid
    failed = [r for r in suite.results if not r.passed]
    assert suite.results and not failed, failed
    walked = {path.resolve(): coverage for path, coverage in suite.coverage.items()}
    examples = sorted((SHARED / "connect").glob("*")) + sorted((SHARED / "studio").glob("*"))
    for example in examples:
        assert example.resolve() in walked, f"no script in {BUNDLED} walks {example.name}"
        coverage = walked[example.resolve()]
        unpressed = top_level_options(coverage.menu) - coverage.seen["options"]
        assert not unpressed, f"{example.name}: options never pressed: {sorted(unpressed)}"
