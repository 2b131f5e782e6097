"""An `ivr` menu as an Asterisk dialplan (`extensions.conf`) and, with a floor, `queues.conf`.

Each node is a context of its own (`ivr-<node>`) entered at `s,1`, so every `Goto` is
`Goto(ivr-<target>,s,1)` and `ivr import` reads the file back. Prompts are spoken by a text-to-speech AGI
(`googletts.agi`, the text and the language as its arguments); a menu waits with `WaitExten` for its
one-key extensions, with `t` and `i` for no input and a wrong key. What Asterisk cannot say as the menu
does is in the export report."""

from __future__ import annotations

import re

from ivr.menu.compiled import CompiledNode, Menu
from ivr.menu.conditions import Condition
from ivr.menu.export_common import Exported, Exporter
from ivr.menu.lookup_model import LookupNode
from ivr.menu.model import (
    BranchNode,
    CollectNode,
    HangupNode,
    MenuNode,
    MessageNode,
    QueueNode,
    RecordNode,
    ReturnNode,
    SplitNode,
    SubmenuNode,
    SurveyNode,
    TransferNode,
)

TTS = "googletts.agi"
_ROUTING = {
    "longest-idle": "leastrecent",
    "fewest-calls": "fewestcalls",
    "random": "random",
    "round-robin": "rrmemory",
    "skill-level": "linear",
}


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _flag(schedule: str) -> str:
    return "IVR_OPEN_" + re.sub(r"\W", "_", schedule).upper()


def context(node: str) -> str:
    return "ivr-" + re.sub(r"[^A-Za-z0-9_-]", "-", node)


def goto(node: str | None) -> str:
    return f"Goto({context(node)},s,1)" if node else "Hangup()"


class _Dialplan(Exporter):
    platform = "Asterisk"
    AND, OR = " & ", " | "

    def run(self) -> Exported:
        menu = self.menu
        out = [
            f"; {menu.name}: exported from ivr ({menu.path}). Each node is a context entered at s,1.",
            f"; Prompts are spoken by {TTS}; replace them with Playback of recordings (`ivr speak`) in production.",
            "",
            "[general]",
            "static=yes",
            "writeprotect=no",
            "clearglobalvars=no",
            "",
            "[globals]",
            *(f"{name}={value}" for name, value in menu.variables.items()),
            "",
            "[ivr-entry]",
            f"exten => s,1,Answer()\nsame => n,{goto(menu.start)}",
        ]
        for node in menu.nodes.values():
            out += ["", f"[{context(node.id)}]", *self.node(node)]
        files = {"extensions.conf": "\n".join(out) + "\n"}
        if menu.centre is not None and menu.queues:
            files["queues.conf"] = self.queues()
        return Exported(self.platform, files, self.lossy)

    def say(self, node: str, text: object, role: str = "prompt") -> list[str]:
        sound = self.played(node, text, "asterisk")
        if sound is not None:  # a menu's recording is a Background, so that a key cuts into it
            heard = "Background" if self.menu.nodes[node].kind in ("menu", "collect") else "Playback"
            return [f"same => n,{heard}({sound.removesuffix('.wav')})"]
        said = self.text(node, text)  # type: ignore[arg-type]
        if not said:
            return []
        quoted = said.replace('"', "'").replace(";", "\\;")  # commas are safe inside the quotes
        return [f'same => n,AGI({TTS},"{quoted}",{self.language})']

    def node(self, node: CompiledNode) -> list[str]:
        spec, me = node.spec, node.id
        lines = ["exten => s,1,NoOp(" + re.sub(r"[^\w /.-]", "", f"{node.kind} {me}") + ")"]
        lines += [f"same => n,Set({name}={value})" for name, value in spec.set.items()]
        edges = {e.kind: e.target for e in self.menu.edges.get(me, ()) if e.kind not in ("option", "key", "case")}
        match spec:
            case MenuNode():
                lines += self.say(me, spec.prompt)
                return [*lines, *self.waits(node)]
            case CollectNode():
                lines += self.say(me, spec.prompt)
                lines.append(f"same => n,Read({spec.variable.replace('.', '_')},,{spec.max_digits})")
                lost = [
                    what
                    for what, there in (
                        ("a fewest-digits count", spec.min_digits > 1),
                        ("a pattern or Luhn check", spec.validate_ is not None),
                        ("a read-back to confirm", spec.confirm is not None),
                    )
                    if there
                ]
                if lost:
                    self.lose(me, ", ".join(lost), "the entry is taken as typed (Read has no checks)")
                return [*lines, f"same => n,{goto(edges.get('next'))}"]
            case MessageNode() | ReturnNode() | SubmenuNode():
                lines += self.say(me, getattr(spec, "prompt", None))
                return [*lines, f"same => n,{goto(self.next_of(node))}"]
            case BranchNode():
                return [*lines, *self.branch(node, spec)]
            case LookupNode():
                return [*lines, *self.lookup(node, spec)]
            case SplitNode():
                targets = list(spec.shares)
                self.lose(me, "an A/B split by the caller's hash", f"every call goes to {targets[0]!r}")
                return [*lines, f"same => n,{goto(targets[0])}"]
            case QueueNode():
                lines += self.say(me, spec.prompt)
                if edges.get("after") or edges.get("busy"):
                    self.lose(me, "what follows the queue (after, on_busy)", "the call ends when the queue does")
                return [*lines, f"same => n,Queue({spec.queue})", "same => n,Hangup()"]
            case TransferNode():
                lines += self.say(me, spec.prompt)
                return [*lines, f"same => n,Dial(PJSIP/{spec.to})", "same => n,Hangup()"]
            case HangupNode():
                lines += self.say(me, spec.prompt)
                if spec.reason != "completed":
                    self.lose(me, f"the hang-up reason {spec.reason!r}", "a plain Hangup()")
                return [*lines, "same => n,Hangup()"]
            case RecordNode():
                lines += self.say(me, spec.prompt)
                self.lose(me, f"a message of at most {spec.max_length:g} s", "VoiceMail to the box ivr, its limits")
                return [*lines, "same => n,VoiceMail(ivr@default,s)", f"same => n,{goto(edges.get('next'))}"]
            case SurveyNode():
                self.lose(me, "a survey", "each question is a one-digit Read into survey_<id>; answers are not named")
                for question in spec.questions:
                    lines += self.say(me, question.prompt)
                    lines.append(f"same => n,Read(survey_{question.id},,1)")
                return [*lines, f"same => n,{goto(edges.get('next'))}"]
        raise AssertionError(f"no Asterisk form for {node.kind} node {me!r}")

    def waits(self, node: CompiledNode) -> list[str]:
        """A menu's wait for a key, its one-key extensions, and `t` / `i` for the attempts used up."""
        settings = node.settings
        assert settings is not None
        lines = [f"same => n,WaitExten({settings.timeout:g})"]
        for edge in self.menu.edges.get(node.id, ()):
            if edge.kind in ("option", "key") and edge.key is not None:
                option = node.spec.options.get(edge.key) if isinstance(node.spec, MenuNode) else None
                sets = [f"Set({n}={v})" for n, v in (option.set.items() if option else ())]
                steps = [*sets, goto(edge.target)]
                lines.append(f"exten => {edge.key},1,{steps[0]}")
                lines += [f"same => n,{step}" for step in steps[1:]]
        if settings.keys.repeat:
            lines.append(f"exten => {settings.keys.repeat},1,Goto(s,1)")
        exhausted = settings.on_exhausted
        for ext in ("t", "i"):
            lines.append(f"exten => {ext},1,NoOp(attempts used up)")
            lines += self.say(node.id, settings.exhausted_prompt) if exhausted else []
            lines.append(f"same => n,{goto(exhausted)}")
        if settings.max_no_input > 1 or settings.max_no_match > 1:
            self.lose(node.id, "reprompts and attempt counts", "the first no-input (t) or wrong key (i) ends the tries")
        return lines

    def lookup(self, node: CompiledNode, spec: LookupNode) -> list[str]:
        """The service as an AGI script: its failure (AGISTATUS) goes to ``on_error``, IVR_ROUTE picks the way."""
        script = re.sub(r"[^\w./-]", "_", spec.service.rsplit("/", 1)[-1].rsplit(":", 1)[-1]) or "lookup"
        ways, onward, failed = self.lookup_ways(node, spec, f"the AGI script {script}", "IVR_ROUTE")
        given = self.text(node.id, {"": spec.input}).replace(",", "\\,") if spec.input else ""
        lines = [*self.say(node.id, spec.prompt), f"same => n,AGI({script}{',' + given if given else ''})"]
        if failed is not None:
            lines.append(f'same => n,GotoIf($["${{AGISTATUS}}" != "SUCCESS"]?{context(failed)},s,1)')
        if len({*ways, onward} - {None}) > 1:
            lines += [f'same => n,GotoIf($["${{IVR_ROUTE}}" = "{way}"]?{context(way)},s,1)' for way in ways]
        return [*lines, f"same => n,{goto(onward or (ways[0] if ways else failed))}"]

    def branch(self, node: CompiledNode, spec: BranchNode) -> list[str]:
        lines = self.clock_tests(spec)
        cases = [e.target for e in self.menu.edges.get(node.id, ()) if e.kind == "case"]
        for case, target in zip(spec.cases, cases, strict=True):
            test = self.expression(node.id, case.when)
            lines.append(f"same => n,GotoIf($[{test}]?{context(target)},s,1)")
        default = next((e.target for e in self.menu.edges.get(node.id, ()) if e.kind == "default"), None)
        return [*lines, f"same => n,{goto(default)}"]

    def clock_tests(self, spec: BranchNode) -> list[str]:
        """Set IVR_OPEN_<schedule> and IVR_HOLIDAY from the clock (ExecIfTime, in the menu's time zone)
        for the schedules and holidays the branch's conditions ask about."""
        asked: set[str] = set()

        def walk(c: Condition) -> None:
            if c.open is not None:
                asked.add(c.open)
            if c.holiday is not None:
                asked.add("")
            for child in (*(c.all_ or ()), *(c.any_ or ()), *((c.not_,) if c.not_ else ())):
                walk(child)

        for case in spec.cases:
            walk(case.when)
        if asked and self.menu.holidays:  # a schedule is closed on a holiday (`open:` means both)
            asked.add("")
        zone, lines = str(self.menu.timezone), []
        for schedule in sorted(asked - {""}):
            flag = _flag(schedule)
            lines.append(f"same => n,Set({flag}=0)")
            hours = self.menu.hours.get(schedule)
            for day, ranges in sorted(hours.ranges.items()) if hours else ():
                for start, end in ranges:
                    span = f"{start // 60:02d}:{start % 60:02d}-{(end - 1) // 60:02d}:{(end - 1) % 60:02d}"
                    lines.append(f"same => n,ExecIfTime({span},{_DAYS[day]},*,*,{zone}?Set({flag}=1))")
        if "" in asked:
            lines.append("same => n,Set(IVR_HOLIDAY=0)")
            for holiday in sorted(self.menu.holidays):
                month = _MONTHS[holiday.month - 1]
                lines.append(f"same => n,ExecIfTime(*,*,{holiday.day},{month},{zone}?Set(IVR_HOLIDAY=1))")
            self.lose("(calendar)", "holidays are dated", "ExecIfTime matches the day and month every year")
            for schedule in sorted(asked - {""}):
                lines.append(f'same => n,ExecIf($["${{IVR_HOLIDAY}}" = "1"]?Set({_flag(schedule)}=0))')
        return lines

    def test(self, node: str, when: Condition) -> str:
        """An Asterisk test: variables as they are, schedules and holidays from the flags
        :meth:`clock_tests` sets; a weekday or time-of-day test is lossy."""
        if when.open is not None:
            return f'"${{{_flag(when.open)}}}" = "1"'
        if when.holiday is not None:
            return f'"${{IVR_HOLIDAY}}" = "{int(when.holiday)}"'
        if when.var is not None and when.eq is not None:
            return f'"${{{when.var.replace(".", "_")}}}" = "{when.eq}"'
        if when.var is not None and when.exists:
            return f'"${{{when.var.replace(".", "_")}}}" != ""'
        said = when.model_dump(by_alias=True, exclude_none=True)
        self.lose(node, f"the condition {said}", "the channel variable IVR_TEST, to be set before the branch")
        return '"${IVR_TEST}" = "1"'

    def queues(self) -> str:
        centre = self.menu.centre
        assert centre is not None
        out = [f"; {self.menu.name}: queues exported from ivr. Members are the centre's representatives.", ""]
        out += ["[general]", "persistentmembers = yes"]
        for name, queue in self.menu.queues.items():
            skill = queue.skill or name
            out += ["", f"[{name}]", f"strategy = {_ROUTING.get(queue.routing, 'leastrecent')}"]
            for team in centre.agents:
                if skill in team.skills:
                    for i in range(1, team.count + 1):
                        who = f"{team.name} {i}" if team.count > 1 else team.name
                        device = re.sub(r"\W", "_", who)
                        out.append(f"member => Local/{device}@agents,{team.skills[skill] - 1},{who}")
        self.lose("(centre)", "handle times, patience, breaks and traffic", "left out: Asterisk's floor is real people")
        return "\n".join(out) + "\n"


def export_asterisk(menu: Menu) -> Exported:
    return _Dialplan(menu).run()
