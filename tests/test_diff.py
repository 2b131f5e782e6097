"""`ivr diff OLD NEW`: what changed between two versions of a menu, and which scripted calls it breaks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import MENUS, ROOT, run_ivr


def _changed_copy(folder: Path) -> Path:
    """The bundled line with one option moved (mobile from key 3 to 4), one prompt changed (the internet
    tip) and one queue removed (cable TV, now served by the internet team)."""
    shutil.copytree(MENUS, folder / "menus")
    text = (MENUS / "customer-service.yaml").read_text(encoding="utf-8")
    edits = [
        ('      "3": { goto: tech_mobile_queue,', '      "4": { goto: tech_mobile_queue,'),
        ('technical: { "1": 0.6, "2": 0.2, "3": 0.2 }', 'technical: { "1": 0.6, "2": 0.2, "4": 0.2 }'),
        (
            "en: Many internet problems are fixed by switching your router off, waiting 30 seconds, and "
            "switching it on again.",
            "en: Most internet problems are fixed by restarting your router.",
        ),
        ("  tech_cable: { description: Cable TV technical service, skill: cable }\n", ""),
        ("    queue: tech_cable\n", "    queue: tech_internet\n"),
    ]
    for before, after in edits:
        assert text.count(before) == 1, before
        text = text.replace(before, after)
    new = folder / "menus" / "new.yaml"
    new.write_text(text, encoding="utf-8")
    return new


def test_diff_names_exactly_the_changes_and_the_scripts_they_break(tmp_path: Path) -> None:
    new = _changed_copy(tmp_path)
    result = run_ivr("diff", "menus/customer-service.yaml", str(new), "--format", "json", cwd=ROOT)
    assert result.returncode == 1, result.stderr
    payload = json.loads(result.stdout)
    changes = {(c["section"], c["subject"], c["change"]) for c in payload["changes"] if c["section"] != "destination"}
    assert changes == {
        ("option", "technical -> tech_mobile_queue", "moved"),
        ("prompt", "internet_tip.prompt (en)", "changed"),
        ("queue", "tech_cable", "removed"),
        ("node", "tech_cable_queue queue", "changed"),  # where its callers go now
    }
    moved = next(c for c in payload["changes"] if c["change"] == "moved")
    assert (moved["before"], moved["after"]) == ("key 3", "key 4")
    reach = {c["subject"]: (c["before"], c["after"]) for c in payload["changes"] if c["section"] == "destination"}
    assert reach["tech_mobile_queue keys"] == ("1 4 3", "1 4 4")
    assert all(subject.endswith(" time") for subject in reach if subject != "tech_mobile_queue keys")  # shorter tip
    broken = {b["id"].split("/")[-1] for b in payload["scripts"]["broken"]}
    assert broken == {
        "service.call.yaml::cable TV",
        "service.call.yaml::mobile",
        "service.call.yaml::internet fixed by the self-help tip",
        "queue.call.yaml::wait until answered, then the reference and the survey",  # it takes key 3 too
    }
    assert payload["behaviour_changed"] is True


def test_diff_of_a_menu_with_itself_is_clean_and_an_invalid_menu_exits_2(tmp_path: Path) -> None:
    same = run_ivr("diff", "menus/customer-service.yaml", "menus/customer-service.yaml", cwd=ROOT)
    assert same.returncode == 0, same.stdout
    assert "no change a caller would notice" in same.stdout and "every one still passes" in same.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nstart: nowhere\nnodes: {}\n")
    invalid = run_ivr("diff", "menus/customer-service.yaml", str(broken), cwd=ROOT)
    assert invalid.returncode == 2
    assert "broken.yaml:" in invalid.stdout + invalid.stderr and "Traceback" not in invalid.stderr
