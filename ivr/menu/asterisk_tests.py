"""The tests of an Asterisk dialplan as ivr branches: `GotoIf` expressions, `ExecIfTime` and `GotoIfTime`
time specs; what ivr cannot work out becomes yes-no caller data. Part of the dialplan importer
(:mod:`ivr.menu.asterisk`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from zoneinfo import available_timezones

from ivr.menu.asterisk_parse import Context, split_args
from ivr.menu.expressions import date_condition, expression_condition, time_condition
from ivr.menu.imported import MenuDraft, node_id


def _var(name: str) -> str:
    """An Asterisk variable's name as an ivr variable."""
    return node_id(name).lower()[:40]


def _target(args: list[str], context: str, ext: str) -> tuple[str, str, str]:
    """A Goto's (context, extension, priority or label)."""
    if len(args) >= 3:
        return args[0], args[1], args[2]
    if len(args) == 2:
        return context, args[0], args[1]
    return context, ext, args[0] if args else "1"


class DialplanTests:
    """The branches of :class:`ivr.menu.asterisk._Dialplan`."""

    contexts: dict[str, Context]
    draft: MenuDraft
    assigned: set[str]
    conditions: int

    if TYPE_CHECKING:

        def at(self, context: str, ext: str, index: int) -> str: ...
        def jump(self, context: str, ext: str, where: str, line: int) -> str: ...
        def fresh(self, name: str) -> str: ...
        def message(
            self, prompt: str | bool, next_: str | None, then: dict[str, Any] | None = None, describe: str = ""
        ) -> dict[str, Any]: ...

    def branch(self, context: str, ext: str, index: int, prompt: str | bool, test: str) -> dict[str, Any]:
        """`GotoIf(test?yes:no)`: the test as an ivr condition where it reads as one (comparisons of
        variables), else as yes-no caller data."""
        line = self.contexts[context].extensions[ext][index].line
        condition, _, ways = test.partition("?")
        yes, _, no = ways.partition(":")
        when = expression_condition(condition, self.variable) or self.unknown(f"GotoIf on {condition.strip()!r}", line)

        def way(text: str) -> str:
            text = text.strip()
            return (
                self.jump(*_target(split_args(text), context, ext), line) if text else self.at(context, ext, index + 1)
            )

        spec = {"type": "branch", "cases": [{"when": when, "goto": way(yes)}], "default": way(no)}
        return self.message(prompt, None, spec) if prompt else spec

    def timed(self, context: str, ext: str, index: int, prompt: str | bool, spec_text: str) -> dict[str, Any]:
        """`ExecIfTime(times,weekdays,mdays,months[,tz]?Set(X=v))` and `GotoIfTime(...?yes:no)`: the time
        of day and weekdays, or a day of the year, as a condition; anything else as yes-no caller data."""
        step = self.contexts[context].extensions[ext][index]
        app = {"execiftime": "ExecIfTime", "gotoiftime": "GotoIfTime"}[step.app]
        line = step.line
        times, _, action = spec_text.partition("?")
        fields = [f.strip() for f in times.split(",")]
        fields += ["*"] * (4 - len(fields))
        if len(fields) > 4 and fields[4] and "timezone" not in self.draft.calendar:
            if fields[4] in available_timezones():
                self.draft.calendar["timezone"] = fields[4]
            else:
                self.draft.warn(f"line {line}", f"the time zone {fields[4]!r} is not known: the menu's is used")
        dated = any(f not in ("*", "") for f in fields[2:4])
        if not dated:
            when = time_condition(fields[0], fields[1])
        elif all(f in ("*", "") for f in fields[:2]):  # a day of the year, such as a holiday
            when = date_condition(fields[2], fields[3])
        else:
            when = None
        if when is None:
            when = self.unknown(f"{app} on {times.strip()!r} (a time ivr cannot read)", line)
        after = self.at(context, ext, index + 1)
        if app == "GotoIfTime":
            yes, _, no = action.partition(":")
            target = {
                way: self.jump(*_target(split_args(text.strip()), context, ext), line) if text.strip() else after
                for way, text in (("yes", yes), ("no", no))
            }
            spec = {"type": "branch", "cases": [{"when": when, "goto": target["yes"]}], "default": target["no"]}
            return self.message(prompt, None, spec) if prompt else spec
        return self.set_when(context, ext, index, prompt, when, action)

    def exec_if(self, context: str, ext: str, index: int, prompt: str | bool, spec_text: str) -> dict[str, Any]:
        """`ExecIf(test?Set(X=v))`: the test as for `GotoIf`, then the variable set when it holds."""
        test, _, action = spec_text.partition("?")
        line = self.contexts[context].extensions[ext][index].line
        when = expression_condition(test, self.variable) or self.unknown(f"ExecIf on {test.strip()!r}", line)
        return self.set_when(context, ext, index, prompt, when, action)

    def set_when(
        self, context: str, ext: str, index: int, prompt: str | bool, when: dict[str, Any], action: str
    ) -> dict[str, Any]:
        """A branch that sets a variable when ``when`` holds (what `ExecIf` and `ExecIfTime` run, when it is
        a `Set`), then goes on with the next priority either way."""
        step = self.contexts[context].extensions[ext][index]
        after = self.at(context, ext, index + 1)
        found = re.fullmatch(r"\s*set\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*=([^$]*)\)\s*", action, re.IGNORECASE)
        if found is None:
            self.draft.warn(
                f"line {step.line}", f"{step.app} runs {action.strip()!r}, which ivr does not run: left out"
            )
            return self.message(prompt, after)
        then = self.fresh(f"{context}_{ext}_{index + 1}_then")
        self.draft.nodes[then] = {
            "type": "message",
            "prompt": False,
            "set": {_var(found.group(1)): found.group(2).strip().strip('"')},
            "next": after,
        }
        self.draft.comments[then] = f"{context}: what the test at line {step.line} sets when it holds"
        spec = {"type": "branch", "cases": [{"when": when, "goto": then}], "default": after}
        return self.message(prompt, None, spec) if prompt else spec

    def variable(self, name: str) -> str:
        """An Asterisk variable a test reads, as an ivr variable; declared as caller data when the
        dialplan never sets it (a channel variable, what an AGI script set)."""
        var = _var(name)
        if var not in self.assigned and var not in self.draft.inputs:
            self.draft.inputs[var] = {"type": "text", "description": f"${{{name}}}, which the dialplan reads"}
        return var

    def unknown(self, what: str, line: int) -> dict[str, Any]:
        """A test ivr cannot work out, as yes-no caller data."""
        self.conditions += 1
        var = f"condition_{self.conditions}"
        self.draft.inputs[var] = {"type": "yes-no", "description": f"line {line}: {what}"}
        self.draft.warn(f"line {line}", f"{what}: kept as the caller data {var!r}")
        return {"var": var, "eq": True}
