"""Scenario files: one staged floor (see :class:`ivr.menu.centre_model.Scenario`) in a YAML file of its
own, for `ivr run --scenario FILE`, checked against the menu's teams with every problem at `file:line`."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from ivr.menu.centre_model import Scenario
from ivr.menu.compiled import Menu
from ivr.menu.load_checks import scenario_problems
from ivr.source.diagnostics import Diagnostic, IvrError
from ivr.source.reader import display_path, read_yaml
from ivr.source.validation import validation_diagnostics


def find_scenario(menu: Menu, name_or_path: str) -> Scenario:
    """The menu's scenario of that name, else the scenario file at that path; :class:`IvrError` when it
    is neither, or the file has problems."""
    if menu.centre is None:
        raise IvrError([Diagnostic(menu.path, 1, 1, "this menu has no representatives' floor to stage")])
    if name_or_path in menu.centre.scenarios:
        return menu.centre.scenarios[name_or_path]
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        names = ", ".join(sorted(menu.centre.scenarios)) or "none"
        message = f"no scenario {name_or_path!r} in the menu (its scenarios: {names}) and no such file"
        raise IvrError([Diagnostic(menu.path, 1, 1, message, hint="name one of them, or a scenario file")])
    return load_scenario(path, menu)


def load_scenario(path: Path, menu: Menu) -> Scenario:
    data, source = read_yaml(path)
    if not isinstance(data, dict):
        raise IvrError([Diagnostic(display_path(path), 1, 1, "a scenario file is a mapping of settings")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise IvrError(validation_diagnostics(source, (), exc, data)) from None
    assert menu.centre is not None
    problems = [source.error(loc, message) for message, loc in scenario_problems(scenario, menu.centre)]
    if problems:
        raise IvrError(problems)
    return scenario
