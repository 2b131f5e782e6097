"""`ivr export`: a menu as the files another platform loads, and back again with `ivr import`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import MENUS, run_ivr

OPEN = "2026-11-24T10:00"  # a Tuesday morning: the bundled lines are open


def heard(menu: Path, keys: str, variables: dict[str, object] | None = None, at: str = OPEN) -> list[tuple[str, str]]:
    """What the caller heard and where the call went, playing ``keys`` as `ivr call --keys` does (on the
    one driver, in this process: the round trips replay many calls)."""
    from ivr.call import Caller, SimClock
    from ivr.call.events import PromptPlayed, Queued, Transferred
    from ivr.call.keys import parse_keys, play_steps
    from ivr.call.line import Line
    from ivr.menu import load_menu

    loaded = load_menu(menu)
    events: list[object] = []
    clock = SimClock(datetime.fromisoformat(at).replace(tzinfo=loaded.timezone))
    line = Line(loaded, clock, seed=1, background=False)
    live = line.dial(Caller(variables=dict(variables or {})), [events.append])
    play_steps(live, parse_keys(keys))
    out = []
    for event in events:
        if isinstance(event, PromptPlayed):
            out.append(("said", event.text))
        elif isinstance(event, Queued):
            out.append(("queued", event.queue))
        elif isinstance(event, Transferred):
            out.append(("transferred", event.destination))
    return out


@pytest.mark.parametrize("menu", ["it-helpdesk", "customer-service", "account-number"])
def test_an_exported_dialplan_is_clean_under_asterisklint_and_says_what_it_lost(menu: str, tmp_path: Path) -> None:
    result = run_ivr("export", str(MENUS / f"{menu}.yaml"), "--to", "asterisk", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "extensions.conf").is_file()
    report = (tmp_path / "export-report.md").read_text(encoding="utf-8")
    assert "What the target cannot express" in report
    assert report.count("\n- ") == result.stderr.count("lossy:")  # the screen and the report agree
    lint = shutil.which("asterisklint", path=str(Path(sys.executable).parent)) or shutil.which("asterisklint")
    if lint is None:
        pytest.skip("asterisklint is not installed (it is in the test extra)")
    checked = subprocess.run([lint, "dialplan-check", "extensions.conf"], cwd=tmp_path, capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stdout.strip() == "" and checked.stderr.strip() == "", checked


WAYS = ("2", "3 1", "3 2", "4", "0", "1 12345 2")  # every way through the help desk, one a destination


def help_desk_there_and_back(platform: str, written: str, tmp_path: Path) -> tuple[str, Path]:
    """Export the help desk to ``platform``, import the file ``written`` back and check it is clean of
    errors: the export report and the menu read back."""
    exported = run_ivr("export", str(MENUS / "it-helpdesk.yaml"), "--to", platform, "-o", str(tmp_path))
    assert exported.returncode == 0, exported.stderr
    back = tmp_path / "back.yaml"
    imported = run_ivr("import", str(tmp_path / written), "-o", str(back))
    assert imported.returncode == 0, imported.stderr
    checked = run_ivr("check", str(back), "--format", "json")
    assert not [d for d in json.loads(checked.stdout)["files"][0]["diagnostics"] if d["severity"] == "error"]
    return (tmp_path / "export-report.md").read_text(encoding="utf-8"), back


def assert_callers_hear_the_same(back: Path, report: str, given: dict[str, object]) -> None:
    """Each way through the help desk says the same prompts and ends in the same queue or transfer on
    ``back`` (with the caller data ``given``) as on the original."""
    for keys in WAYS:
        before = heard(MENUS / "it-helpdesk.yaml", keys)
        after = heard(back, keys, given)
        if keys.startswith("1 "):  # through reset_sent, whose |digits filter the report names as lost
            assert "reset_sent: the filter |digits" in report
            assert [w for w, _ in after] == [w for w, _ in before] and after[-1] == before[-1]
            continue
        assert after == before, keys


def test_the_helpdesk_goes_to_asterisk_and_back_and_callers_hear_the_same(tmp_path: Path) -> None:
    """Round trip: export, import the dialplan back, and each way through the menu says the same prompts
    and ends in the same queue or transfer. The office hours come back as the dialplan's own time tests
    (ExecIfTime read as weekday and time-of-day conditions), so nobody has to say the desk is open: the
    calls are made on a Tuesday morning. Only the dated holidays come back as caller data."""
    report, back = help_desk_there_and_back("asterisk", "extensions.conf", tmp_path)
    assert_callers_hear_the_same(back, report, {})
    evening = heard(back, "", {}, at="2026-11-24T21:00")  # the same dialplan in the evening is closed
    assert evening[0] == ("said", heard(MENUS / "it-helpdesk.yaml", "", at="2026-11-24T21:00")[0][1])
    assert evening[0][1].startswith("The service desk is closed")
    queues = (tmp_path / "queues.conf").read_text(encoding="utf-8")
    floor = run_ivr("import", str(tmp_path / "queues.conf"), "-o", str(tmp_path / "floor.yaml"))
    assert floor.returncode == 0 and "[identity]" in queues
    assert "Identity 2" in (tmp_path / "floor.yaml").read_text(encoding="utf-8")


def test_export_refuses_what_it_cannot_do_with_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nname: x\nstart: nowhere\nnodes: {}\n", encoding="utf-8")
    result = run_ivr("export", str(broken), "--to", "asterisk", "-o", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()  # nothing written for a menu that does not load
    wrong = run_ivr("export", str(MENUS / "it-helpdesk.yaml"), "--to", "genesys", "-o", str(tmp_path / "out"))
    assert wrong.returncode == 2 and "genesys" in wrong.stderr


@pytest.mark.parametrize("menu", ["it-helpdesk", "customer-service", "account-number"])
def test_an_exported_voicexml_document_is_well_formed_with_counted_handlers(menu: str, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    result = run_ivr("export", str(MENUS / f"{menu}.yaml"), "--to", "voicexml", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    (document,) = tmp_path.glob("*.vxml")
    root = ET.parse(document).getroot()  # well formed, or this raises
    ns = "{http://www.w3.org/2001/vxml}"
    assert root.tag == f"{ns}vxml" and root.get("version") == "2.1"
    ids = [d.get("id") for d in root if d.tag in (f"{ns}form", f"{ns}menu")]
    assert len(ids) == len(set(ids))  # every dialog once
    targets = {g.get("next", "")[1:] for g in root.iter(f"{ns}goto")} | {
        c.get("next", "")[1:] for c in root.iter(f"{ns}choice")
    }
    assert targets <= set(ids), targets - set(ids)  # every goto and choice resolves in the document
    for dialog in root.iter(f"{ns}menu"):
        counts = sorted(int(h.get("count")) for h in dialog.iter(f"{ns}noinput"))
        assert counts == list(range(1, len(counts) + 1)) and counts  # 1, 2, ... up to the menu's limit


def test_the_helpdesk_goes_to_voicexml_and_back_and_callers_hear_the_same(tmp_path: Path) -> None:
    """Round trip through VoiceXML: the same prompts along each way through the menu; queues come back as
    transfers (VoiceXML has none), as the report says."""
    assert run_ivr("export", str(MENUS / "it-helpdesk.yaml"), "--to", "voicexml", "-o", str(tmp_path)).returncode == 0
    report = (tmp_path / "export-report.md").read_text(encoding="utf-8")
    back = tmp_path / "back.yaml"
    assert run_ivr("import", str(tmp_path / "it_helpdesk.vxml"), "-o", str(back)).returncode == 0
    for keys in WAYS:
        before = heard(MENUS / "it-helpdesk.yaml", keys)
        after = heard(back, keys, {"ivr_open_service_desk": True})  # the session variable the report names
        if before[-1][0] == "queued":  # named in the report, and where the call goes is kept in the name
            assert f"the queue {before[-1][1]!r}: a bridged transfer to sip:queue-{before[-1][1]}" in report
            before[-1] = ("transferred", "")
        if keys.startswith("1 "):  # reset_sent says the employee number plainly: its |digits filter is lost
            assert "reset_sent: the filter |digits" in report
            before = [("said", "(filtered)") if "reset link" in t else (w, t) for w, t in before]
            after = [("said", "(filtered)") if "reset link" in t else (w, t) for w, t in after]
        assert [said for said in after if said[0] == "said"] == [said for said in before if said[0] == "said"], keys
        assert after[-1][0] == before[-1][0], keys


def test_the_helpdesk_goes_to_freeswitch_and_back_to_the_same_queues(tmp_path: Path) -> None:
    """FreeSWITCH menus hold only menus: each key leads to another menu, or through the messages on the
    way to a queue (mod_callcenter), a transfer or the end. Imported back, every way through the menus
    hears the same menu prompts and ends where it did; what was left on the way is in the report."""
    result = run_ivr("export", str(MENUS / "it-helpdesk.yaml"), "--to", "freeswitch", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    report = (tmp_path / "export-report.md").read_text(encoding="utf-8")
    assert "main: the message(s) after key 3 (vpn_tip)" in report and "hours: the branch" in report
    back = tmp_path / "back.yaml"
    assert run_ivr("import", str(tmp_path / "ivr_menus" / "it-helpdesk.xml"), "-o", str(back)).returncode == 0
    for keys in ("2", "3 1", "3 2", "4", "0"):
        before = heard(MENUS / "it-helpdesk.yaml", keys)
        after = heard(back, keys)
        menus = [text for kind, text in before if kind == "said" and "press" in text]
        assert [text for kind, text in after if kind == "said" and "press" in text] == menus, keys
        if before[-1][0] == "said":  # the call ends in a hang-up whose goodbye menu-exit cannot say
            assert "the goodbye after key 1 (bye)" in report and after[-1][0] == "said"
            continue
        assert after[-1] == before[-1], keys
    floor = run_ivr("import", str(tmp_path / "callcenter.conf.xml"), "-o", str(tmp_path / "floor.yaml"))
    assert floor.returncode == 0, floor.stderr
    assert "Network_2" in (tmp_path / "floor.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("menu", ["it-helpdesk", "customer-service", "account-number", "bank-balance"])
def test_an_exported_studio_flow_has_the_published_shape_and_every_next_is_a_state(menu: str, tmp_path: Path) -> None:
    import jsonschema

    from ivr.menu.export_studio import FLOW_SHAPE

    result = run_ivr("export", str(MENUS / f"{menu}.yaml"), "--to", "studio", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    [written] = tmp_path.glob("*.studio.json")
    flow = json.loads(written.read_text(encoding="utf-8"))
    jsonschema.validate(flow, FLOW_SHAPE)
    names = [state["name"] for state in flow["states"]]
    assert len(names) == len(set(names)) and flow["initial_state"] == "Trigger" == names[0]
    for state in flow["states"]:
        for transition in state["transitions"]:
            assert transition.get("next", names[0]) in names, (state["name"], transition)
    report = (tmp_path / "export-report.md").read_text(encoding="utf-8")
    assert report.count("\n- ") == result.stderr.count("lossy:")


def test_the_helpdesk_goes_to_studio_and_back_and_callers_hear_the_same(tmp_path: Path) -> None:
    """Round trip through a Studio flow: each way through the menu says the same prompts and ends in the
    same queue or transfer. Studio has no calendar: the office-hours test reads flow variables the report
    names, given here as open and not a holiday."""
    report, back = help_desk_there_and_back("studio", "it_helpdesk.studio.json", tmp_path)
    assert "flow.variables.ivr_open_service_desk, which the flow must set" in report
    assert_callers_hear_the_same(back, report, {"ivr_open_service_desk": "true", "ivr_holiday": "false"})


@pytest.mark.parametrize("menu", ["it-helpdesk", "customer-service", "account-number", "bank-balance"])
def test_an_exported_connect_flow_resolves_every_next_action_within_the_limit(menu: str, tmp_path: Path) -> None:
    result = run_ivr("export", str(MENUS / f"{menu}.yaml"), "--to", "connect", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    flow = json.loads((tmp_path / f"{menu}.connect.json").read_text(encoding="utf-8"))
    assert flow["Version"] == "2019-10-30" and len(flow["Actions"]) <= 250
    known = {action["Identifier"] for action in flow["Actions"]}
    assert len(known) == len(flow["Actions"]) and flow["StartAction"] in known
    for action in flow["Actions"]:
        transitions = action["Transitions"]
        leads = [transitions.get("NextAction")]
        leads += [t["NextAction"] for t in transitions.get("Conditions", []) + transitions.get("Errors", [])]
        assert all(lead is None or lead in known for lead in leads), action
    again = run_ivr("export", str(MENUS / f"{menu}.yaml"), "--to", "connect", "-o", str(tmp_path / "again"))
    assert again.returncode == 0 and (tmp_path / "again" / f"{menu}.connect.json").read_text(encoding="utf-8") == (
        tmp_path / f"{menu}.connect.json"
    ).read_text(encoding="utf-8")  # the same menu, the same identifiers


def test_the_helpdesk_goes_to_connect_and_back_and_callers_hear_the_same(tmp_path: Path) -> None:
    """Round trip through an Amazon Connect flow: the office hours become CheckHoursOfOperation (read back
    as caller data, given here as open); every way through the menu says the same prompts (the desk's name
    is a contact attribute, `$.Attributes.desk`, read back as the placeholder `{desk}`) and ends in the same
    queue or transfer."""
    report, back = help_desk_there_and_back("connect", "it-helpdesk.connect.json", tmp_path)
    assert "hours: the schedule 'service_desk': hours of operation of that name, made in Connect" in report
    assert_callers_hear_the_same(back, report, {"open_service_desk": "True"})


def test_a_menu_over_connects_action_limit_is_refused_with_exit_2(
    write_menu: Callable[..., Path], tmp_path: Path
) -> None:
    nodes = "\n".join(f"  m{i}: {{ type: message, prompt: Step {i}., next: m{i + 1} }}" for i in range(260))
    path = write_menu(f"name: long\nstart: m0\nnodes:\n{nodes}\n  m260: {{ type: hangup }}\n")
    result = run_ivr("export", str(path), "--to", "connect", "-o", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Amazon Connect takes at most 250 in one flow" in result.stderr
    assert not (tmp_path / "out").exists()


def test_node_ids_that_read_the_same_in_studio_are_refused_with_what_to_rename(
    write_menu: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_menu(
        """\
        name: clash
        start: main
        nodes:
          main: { type: menu, prompt: Press 1., options: { "1": main_keys } }
          main_keys: { type: hangup, prompt: Bye. }
        """
    )
    result = run_ivr("export", str(path), "--to", "studio", "-o", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "node ids give Studio widgets the same name (main_keys)" in result.stderr
    assert "rename one of the nodes" in result.stderr and not (tmp_path / "out").exists()


def test_a_loss_met_twice_is_reported_once(tmp_path: Path) -> None:
    """A queue's prompt (its filter lost) is looked at to see whether there is one, then said."""
    result = run_ivr("export", str(MENUS / "customer-service.yaml"), "--to", "connect", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("lossy:")]
    assert "lossy: billing_queue: the filter |digits on {account_number}: the plain value is said" in lines
    assert len(lines) == len(set(lines)) > 10
