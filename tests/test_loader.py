"""Loading reports every problem at once, at file:line:col, with hints where they help."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ivr.menu import load_menu
from ivr.source.diagnostics import MenuError
from tests.conftest import MENUS, SIMPLE, connect_flow


def errors(path: Path) -> list[str]:
    with pytest.raises(MenuError) as info:
        load_menu(path)
    return [d.format() for d in info.value.diagnostics]


def test_bundled_menus_load() -> None:
    menu = load_menu(MENUS / "customer-service.yaml")
    assert menu.languages == ["en", "ur"]
    assert {"billing", "complaints", "orders", "tech_internet", "general"} <= set(menu.queues)
    # the account-number sub-menu is included twice, each under its own prefix
    assert "overcharge/enter" in menu.nodes and "balance_account/enter" in menu.nodes
    assert load_menu(MENUS / "it-helpdesk.yaml").languages == ["en"]


def test_every_problem_is_reported_at_once(write_menu: Callable[..., Path]) -> None:
    path = write_menu(
        """\
        name: broken
        start: main
        nodes:
          main:
            type: menu
            prompt: For billing, press 1.
            optons: {}
          second:
            type: menu
            prompt: Press 1.
            options:
              "1": nowhere
          third:
            type: queue
            queue: missing
          fourth:
            type: menuu
        """
    )
    found = errors(path)
    text = "\n".join(found)
    assert f"{path}:7:5: error: unknown field 'optons'" in text
    assert "did you mean 'options'?" in text
    assert f"{path}:4:3: error: missing required field 'options'" in text
    assert f"{path}:12:7: error: unknown node 'nowhere'" in text
    assert f"{path}:15:5: error: unknown queue 'missing'" in text
    assert f"{path}:17:5: error: unknown node type 'menuu'" in text
    assert len(found) == 5


def test_unknown_reference_suggests_the_closest_node(write_menu: Callable[..., Path]) -> None:
    path = write_menu(SIMPLE.replace('"2": orders', '"2": ordres'))
    found = errors(path)
    assert len(found) == 1
    assert "unknown node 'ordres'" in found[0] and "did you mean 'orders'?" in found[0]


def test_duplicate_option_keys_are_caught(write_menu: Callable[..., Path]) -> None:
    path = write_menu(SIMPLE.replace('"2": orders', '"2": orders\n      2: billing'))
    found = errors(path)
    assert "duplicate key '2'" in found[0]


def test_wrong_types_name_the_field(write_menu: Callable[..., Path]) -> None:
    text = SIMPLE.replace("min_digits: 4", "min_digits: four").replace(
        "max_digits: 6", "max_digits: 6\n    timeout: soon"
    )
    found = "\n".join(errors(write_menu(text)))
    assert "'min_digits': Input should be a valid integer" in found
    assert "'soon' is not a duration" in found


def test_missing_language_text(write_menu: Callable[..., Path]) -> None:
    path = write_menu(
        """\
        name: two
        languages: [en, ur]
        start: main
        defaults: { representative: agent }
        queues: { general: {} }
        nodes:
          main:
            type: menu
            prompt: { en: "For help, press 1." }
            options: { "1": agent }
          agent:
            type: queue
            queue: general
            prompt: Please hold.
        """
    )
    found = errors(path)
    assert f"{path}:9:5: error: missing the 'ur' text" in found[0]
    assert "text has no language but the menu speaks en, ur" in found[1]


def test_undeclared_language_in_text_and_in_set(write_menu: Callable[..., Path]) -> None:
    text = SIMPLE.replace("prompt: Goodbye.", "prompt: { en: Goodbye., fr: Au revoir. }")
    text = text.replace("set: { topic: billing }", "set: { language: de }")
    found = "\n".join(errors(write_menu(text)))
    assert "language 'fr' is not declared" in found
    assert "language 'de' is not one of this menu's languages" in found


def test_option_clashing_with_a_global_key(write_menu: Callable[..., Path]) -> None:
    found = errors(write_menu(SIMPLE.replace('"2": orders', '"2": orders\n      "9": orders')))
    assert "option '9' clashes with the global repeat key" in found[0]
    assert "keys: {repeat: null}" in found[0]


def test_option_keys_must_be_phone_keys(write_menu: Callable[..., Path]) -> None:
    found = errors(write_menu(SIMPLE.replace('"2": orders', '"A": orders')))
    assert "'A' is not a phone key" in found[0]


def test_submenu_outside_the_folder_is_refused(write_menu: Callable[..., Path], tmp_path: Path) -> None:
    (tmp_path / "outside.yaml").write_text("name: x\nstart: a\nnodes: {a: {type: return}}\n")
    text = SIMPLE.replace('"2": orders', '"2": sub').replace(
        "nodes:\n", "nodes:\n  sub:\n    type: submenu\n    file: ../outside.yaml\n    next: bye\n", 1
    )
    path = write_menu(text, "inner/menu.yaml")
    found = errors(path)
    assert "is outside the menu's folder" in found[0]


def test_submenu_cycle_is_refused(write_menu: Callable[..., Path]) -> None:
    write_menu("name: a\nstart: s\nnodes:\n  s: {type: submenu, file: b.yaml}\n", "a.yaml")
    write_menu("name: b\nstart: s\nnodes:\n  s: {type: submenu, file: a.yaml}\n", "b.yaml")
    found = "\n".join(errors(write_menu("name: a\nstart: s\nnodes:\n  s: {type: submenu, file: b.yaml}\n", "a.yaml")))
    assert "includes itself" in found


def test_errors_inside_a_submenu_point_into_its_file(write_menu: Callable[..., Path]) -> None:
    sub = write_menu("name: sub\nstart: s\nnodes:\n  s: {type: message, prompt: Hi, next: nope}\n", "sub.yaml")
    main = write_menu(
        SIMPLE.replace('"2": orders', '"2": inc').replace(
            "nodes:\n", "nodes:\n  inc: {type: submenu, file: sub.yaml, next: bye}\n", 1
        )
    )
    found = errors(main)
    assert found[0].startswith(f"{sub}:4:34: error: unknown node 'nope'")


def test_conditions_are_structures_not_code(write_menu: Callable[..., Path]) -> None:
    text = """\
    name: c
    start: b
    nodes:
      b:
        type: branch
        cases:
          - when: { var: "a.b.c", eq: 1 }
            goto: end
          - when: "caller.tier == 'gold'"
            goto: end
          - when: { var: tier, eq: 1, ne: 2 }
            goto: end
        default: end
      end: { type: hangup }
    """
    found = "\n".join(errors(write_menu(text)))
    assert "'a.b.c' is not a valid name" in found
    assert "'when' should be a mapping" in found  # no expression strings
    assert "exactly one of: eq" in found


def test_unknown_schedule(write_menu: Callable[..., Path]) -> None:
    text = "name: c\nstart: b\nnodes:\n  b: {type: branch, cases: [{when: {open: ofice}, goto: e}], default: e}\n"
    found = errors(write_menu(text + "  e: {type: hangup}\ncalendar: {schedules: {office: {mon: '09:00-17:00'}}}\n"))
    assert "unknown schedule 'ofice'" in found[0] and "did you mean 'office'?" in found[0]


def test_bad_calendar(write_menu: Callable[..., Path]) -> None:
    text = SIMPLE.replace(
        "start: main",
        "start: main\ncalendar:\n  timezone: Mars/Olympus\n  schedules:\n"
        "    office: { mon-fry: '09:00-17:00', sat: '18:00-09:00' }",
    )
    found = "\n".join(errors(write_menu(text)))
    assert "unknown time zone 'Mars/Olympus'" in found
    assert "'mon-fry' is not a weekday or range" in found
    assert "'18:00-09:00' ends before it starts" in found


def test_languages_without_builtin_reprompts_must_bring_their_own(write_menu: Callable[..., Path]) -> None:
    text = "name: f\nlanguages: [fr]\nstart: h\nnodes:\n  h: {type: hangup, prompt: Au revoir.}\n"
    found = errors(write_menu(text))
    assert sorted(f.split(": error: ")[1].split("\n")[0] for f in found) == [
        "the built-in exhausted_prompt has no fr text",
        "the built-in reprompts.no_input has no fr text",
        "the built-in reprompts.no_match has no fr text",
    ]


def test_the_centre_can_live_in_a_file_of_its_own(write_menu: Callable[..., Path]) -> None:
    write_menu(
        "queues:\n  vip: { priority: 5 }\n"
        "agents:\n  - { name: A, count: 2, skills: { billing: 1, general: 1, vip: 1 } }\n"
        "handle_time: 200s\n",
        "floor.yaml",
    )
    menu = load_menu(write_menu(SIMPLE + "centre: floor.yaml\n"))
    assert menu.centre is not None and menu.centre.agents[0].count == 2
    assert menu.queues["vip"].priority == 5 and "billing" in menu.queues
    assert [s.path.endswith("floor.yaml") for s in menu.sources] == [False, True]


def test_problems_in_the_centre_file_point_into_it(write_menu: Callable[..., Path]) -> None:
    floor = write_menu("agents:\n  - { name: A, skills: { billing: 1 }, wrapup: 5s }\n", "floor.yaml")
    found = errors(write_menu(SIMPLE + "centre: floor.yaml\n"))
    assert found[0].startswith(f"{floor}:2:40: error: unknown field 'wrapup'")
    outside = errors(write_menu(SIMPLE + "centre: ../floor.yaml\n", "inner/menu.yaml"))
    assert "centre file '../floor.yaml' is outside the menu's folder" in outside[0]


def test_traffic_choices_in_a_centre_file_are_checked_there_and_not_after_a_broken_node(
    write_menu: Callable[..., Path],
) -> None:
    """A typo in a node gave "unknown node 'main': choices are for menu nodes" at the menu's `centre:`
    line as well as the typo's own error; a wrong name in the floor file pointed at the menu too."""
    floor = write_menu(
        "queues:\n  spare: {}\n  extra: { overflow: { to: genral, after: 30s } }\n"
        "agents:\n  - { name: A, count: 2, skills: { billing: 1, general: 1, spare: 1, extra: 1 } }\n"
        'traffic:\n  calls_per_hour: 100\n  choices:\n    main: { "1": 3, "2": 1 }\n',
        "floor.yaml",
    )
    prompt = "    prompt: For billing, press 1. For orders, press 2.\n"
    broken = SIMPLE.replace(prompt, prompt + "    timeout: soonish\n", 1)
    assert broken != SIMPLE
    found = errors(write_menu(broken + "centre: floor.yaml\n"))
    assert not [f for f in found if "main" in f and "choices" in f]
    assert any("'soonish' is not a duration" in f for f in found)
    assert f"{floor}:3:24: error: unknown queue 'genral'" in "\n".join(found)
    write_menu(floor.read_text().replace("    main:", "    mian:"), "floor.yaml")
    found = errors(write_menu(SIMPLE + "centre: floor.yaml\n"))
    typo = next(f for f in found if "'mian'" in f)
    assert typo.startswith(f"{floor}:9:5: error: unknown node 'mian'") and "did you mean 'main'?" in typo


def test_a_chain_of_sub_menus_each_included_twice_is_refused_not_expanded(tmp_path: Path) -> None:
    """Each file small, the expansion doubling per level: `ivr check` used to grow 15 MB/s for ever."""
    import time

    for level in range(30):
        body = (
            f"name: s{level}\nstart: a\nnodes:\n"
            f"  a: {{ type: submenu, file: s{level + 1}.yaml, next: b }}\n"
            f"  b: {{ type: submenu, file: s{level + 1}.yaml, next: c }}\n"
            "  c: { type: return }\n"
        )
        (tmp_path / f"s{level}.yaml").write_text(body)
    (tmp_path / "s30.yaml").write_text("name: s30\nstart: c\nnodes:\n  c: { type: return }\n")
    main = tmp_path / "main.yaml"
    main.write_text(
        "name: main\nstart: go\nnodes:\n  go: { type: submenu, file: s0.yaml, next: bye }\n  bye: { type: hangup }\n"
    )
    started = time.monotonic()
    with pytest.raises(MenuError) as info:
        load_menu(main)
    assert time.monotonic() - started < 30
    [problem] = info.value.diagnostics
    assert "too big once its sub-menus are included" in problem.message and problem.path.endswith(".yaml")


def test_a_variable_with_no_value_is_one_error_not_four(write_menu: Callable[..., Path]) -> None:
    """`variables: { balance: null }` printed four raw pydantic lines ('bool': Input should be a valid
    boolean, then float, int, str)."""
    path = write_menu(SIMPLE + "variables: { balance: null, tier: [gold] }\n")
    found = errors(path)
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("variables:"))
    assert len(found) == 2, found
    assert found[0].startswith(f"{path}:{line}:")
    assert "'balance' has no value" in found[0] and "a number, text or true/false" in found[0]
    assert "'tier' should be a number, text or true/false, not a list" in found[1]
    assert not any("Input should be" in f for f in found)


SHARED_SURVEY = """\
name: rate-us
start: ask
parameters:
  department: { type: text, values: [billing, clinic] }
  minutes: { type: number }
nodes:
  ask:
    type: menu
    prompt: "How was your call with {department}, after {minutes} minutes? Press 1 for good, 2 for bad."
    options: { "1": done, "2": done }
    on_exhausted: done
  done: { type: return, prompt: Thank you. }
"""


def test_sub_menus_take_parameters_checked_at_the_including_node(write_menu: Callable[..., Path]) -> None:
    """Sub-menus could not take parameters: one shared survey could not say which department it was for."""
    write_menu(SHARED_SURVEY, "survey.yaml")
    main = """\
    name: main
    start: rate
    nodes:
      rate: { type: submenu, file: survey.yaml, with: { department: clinic, minutes: 4 }, next: bye }
      bye: { type: hangup, prompt: Goodbye. }
    """
    from ivr.call import Engine

    menu = load_menu(write_menu(main))
    call = Engine(menu).start_call()
    assert "How was your call with clinic, after 4 minutes?" in call.transcript[-1].text  # type: ignore[attr-defined]
    found = errors(
        write_menu(
            main.replace("with: { department: clinic, minutes: 4 }", "with: { department: dentist, mood: 2 }"),
            "bad.yaml",
        )
    )
    text = "\n".join(found)
    assert "sub-menu 'survey.yaml' needs the parameter 'minutes'" in text
    assert "parameter 'department': 'dentist' is not one of billing, clinic" in text
    assert "sub-menu 'survey.yaml' has no parameter 'mood' (its parameters: department, minutes)" in text
    from ivr.menu.lint import lint_menu

    alone = lint_menu(load_menu(write_menu(SHARED_SURVEY, "survey.yaml")))
    assert not [d for d in alone if d.rule == "undefined-variable"]  # checked alone, parameters are givens


def test_a_setting_written_as_null_keeps_the_value_it_inherits(write_menu: Callable[..., Path]) -> None:
    """Found by the mutated-menu property test: `timeout: null` on a node crashed the loader (None / 2),
    and `keys: null` in `defaults` too. A null setting is a setting left unwritten."""
    path = write_menu(
        """\
        name: nulls
        start: main
        defaults: { timeout: 8s, max_no_input: null, keys: null, reprompts: null }
        nodes:
          main:
            type: menu
            prompt: For help press 1.
            options: { "1": bye }
            timeout: null
            max_attempts: null
            keys: null
          bye: { type: hangup }
        """
    )
    settings = load_menu(path).nodes["main"].settings
    assert settings is not None
    assert (settings.timeout, settings.inter_digit_timeout, settings.max_no_input, settings.max_attempts) == (
        8.0,
        4.0,
        3,
        5,
    )
    assert settings.keys.repeat == "9"


def test_a_flow_saved_without_a_suffix_is_recognised_by_its_content(
    tmp_path: Path, write_menu: Callable[..., Path]
) -> None:
    """Amazon Connect's console exports a flow as a file with no suffix ("2-Simple Survey Example"):
    such a file loads as the flow it is, and a YAML menu with no suffix still loads as YAML."""
    flow = tmp_path / "Goodbye Flow"
    flow.write_text(connect_flow({"Text": "Goodbye"}), encoding="utf-8")
    menu = load_menu(flow)
    assert sorted(n.kind for n in menu.nodes.values()) == ["hangup", "message"]
    assert "Goodbye" in str(menu.nodes[menu.start].spec.prompt)
    plain = tmp_path / "menu"
    plain.write_text(SIMPLE, encoding="utf-8")
    assert load_menu(plain).nodes.keys() == load_menu(write_menu(SIMPLE)).nodes.keys()
