"""Asterisk dialplans (`extensions.conf`) turned into an `ivr` menu, and `queues.conf` into a centre file.

A dialplan is a program: each context holds extensions, each a list of priorities running applications.
The importer follows the call the way Asterisk would from the entry context's `s` extension (or its
first one): prompts played in a row become one prompt; `WaitExten` (or prompts at the end of an
extension, in a context with one-key extensions) becomes a menu whose options are those extensions, with
`t` and `i` as the no-input and no-match routes; `Read` a digit entry; `Goto` and `GotoIf` edges and
branches (a condition ivr cannot compute is declared caller data); `Queue` a queue; `Dial` a transfer;
`VoiceMail` a recorded message; `Hangup`, `Busy` and `Congestion` the end. Applications ivr does not
run (AGI scripts, Gosub, Macro, conferences) are marked nodes with a warning, and the call goes on past
them. Mapping table: docs/interop.md."""

from __future__ import annotations

import re
from typing import Any

from ivr.menu.asterisk_parse import Context, Step, parse_dialplan
from ivr.menu.asterisk_queues import import_queues, looks_like_queues_conf
from ivr.menu.asterisk_tests import DialplanTests, _target, _var
from ivr.menu.imported import END, Imported, ImportProblem, MenuDraft, joined, literal, node_id, recorded

_TTS = re.compile(r"tts", re.IGNORECASE)
SAYS = {"playback", "background", "saydigits", "saynumber", "sayalpha", "sayphonetic", "sayunixtime", "festival"}
QUIET = {"answer", "noop", "wait", "verbose", "ringing", "progress", "log", "set", "mixmonitor", "monitor"}
ENDS = {"hangup": "completed", "busy": "busy", "congestion": "congestion", "return": "completed"}
KEYS = set("0123456789*#")


def looks_like_asterisk(text: str) -> bool:
    return bool(re.search(r"^\s*(exten|same)\s*=>", text, re.MULTILINE) or looks_like_queues_conf(text))


class _Dialplan(DialplanTests):
    def __init__(self, contexts: dict[str, Context], draft: MenuDraft) -> None:
        self.contexts = contexts
        self.draft = draft
        self.made: dict[tuple[str, str, int], str] = {}
        self.ends = False
        self.conditions = 0
        self.assigned = {  # the variables the dialplan sets itself: any other a test reads is caller data
            _var(step.args[0].partition("=")[0])
            for context in contexts.values()
            for steps in context.extensions.values()
            for step in steps
            if step.app == "set" and step.args and "=" in step.args[0]
        }
        self.taken: set[str] = {END}
        self.warned: set[str] = set()  # contexts whose extensions left out are already named

    def fresh(self, name: str) -> str:
        """A readable node id not taken yet."""
        base = node_id(name)[:70]
        taken = self.taken
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        return candidate

    @staticmethod
    def has_menu(context: Context) -> bool:
        return any(s.app == "waitexten" for steps in context.extensions.values() for s in steps)

    def entry(self) -> str:
        """The context a call comes in to: one with a menu, else an incoming one, else the first."""
        called = {a.args[0] for c in self.contexts.values() for s in c.extensions.values() for a in s if a.args}
        usable = [c for c in self.contexts.values() if c.extensions and not c.name.lower().startswith("macro-")]
        for wanted in (
            lambda c: c.name == "ivr-entry",  # where a dialplan `ivr export` wrote comes in
            self.has_menu,
            lambda c: re.search(r"incoming|public|default|from-", c.name, re.IGNORECASE) and c.name not in called,
            lambda c: c.name not in called,
            lambda c: True,
        ):
            for context in usable:
                if wanted(context):
                    return context.name
        raise ImportProblem("the dialplan has no extensions")

    def start(self, context: str) -> str:
        extensions = self.contexts[context].extensions
        menus = [e for e, steps in extensions.items() if any(step.app == "waitexten" for step in steps)]
        ext = "s" if "s" in extensions else menus[0] if menus else next(iter(extensions))
        return self.at(context, ext, 0)

    def at(self, context: str, ext: str, index: int) -> str:
        """The node for the call at priority ``index`` of ``ext`` in ``context`` (built once)."""
        steps = self.contexts[context].extensions.get(ext, [])
        if index >= len(steps):
            self.ends = True
            return END
        key = (context, ext, index)
        if key not in self.made:
            self.made[key] = self.fresh(f"{context}_{ext}_{steps[index].label or index + 1}")
            self.build(context, ext, index, self.made[key])
        return self.made[key]

    def jump(self, context: str, ext: str, where: str, line: int) -> str:
        """A Goto's target: a label or a priority number of an extension in a context of this file."""
        steps = self.contexts.get(context, Context(context)).extensions.get(ext)
        if steps is None:
            self.draft.warn(f"line {line}", f"goes to {context},{ext},{where}, which is not in this file: ends there")
            self.ends = True
            return END
        labels = {s.label: i for i, s in enumerate(steps) if s.label}
        index = labels.get(where, int(where) - 1 if where.isdigit() else 0)
        return self.at(context, ext, max(0, index))

    def build(self, context: str, ext: str, index: int, me: str) -> None:
        steps = self.contexts[context].extensions[ext]
        draft, where = self.draft, f"line {steps[index].line}"
        prompts: list[str] = []
        sets: dict[str, Any] = {}
        timeout = 10.0
        i = index
        while i < len(steps) and (steps[i].app in SAYS or steps[i].app in QUIET or self.tts(steps[i])):
            step = steps[i]
            if step.app in SAYS or self.tts(step):
                prompts.append(self.say(step))
            elif step.app == "set" and step.args:
                name, _, value = step.args[0].partition("=")
                if name.strip().upper() == "TIMEOUT(RESPONSE)" and value.strip().isdigit():
                    timeout = max(1.0, min(float(value), 60.0))
                elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name.strip()) and "$" not in value and value:
                    sets[_var(name)] = value.strip().strip('"')
                elif not name.strip().upper().startswith("TIMEOUT("):
                    self.draft.warn(f"line {step.line}", f"{step} is not carried over (ivr sets plain values)")
            i += 1
        spec = self.step(context, ext, i, prompts, timeout, where)
        if sets:
            spec["set"] = sets
        comment = f"{context}, extension {ext}, priority {index + 1} (line {steps[index].line})"
        draft.nodes[me], draft.comments[me] = spec, comment

    def step(self, context: str, ext: str, i: int, prompts: list[str], timeout: float, where: str) -> dict[str, Any]:
        """The node that says ``prompts`` (if any) and then does step ``i``."""
        steps = self.contexts[context].extensions[ext]
        prompt: str | bool = joined(prompts) if prompts else False  # each already in ivr's prompt syntax
        keys = {e: e for e in self.contexts[context].extensions if e in KEYS}
        if i >= len(steps) or steps[i].app == "waitexten":
            waits = i < len(steps)
            if waits and steps[i].args and steps[i].args[0].replace(".", "", 1).isdigit():
                timeout = max(1.0, min(float(steps[i].args[0]), 60.0))
            listens = waits or (i > 0 and steps[i - 1].app == "background")  # BackGround takes keys
            if keys and listens:
                return self.menu(context, keys, prompt or "(the menu's prompt)", timeout)
            if waits:
                self.draft.warn(where, f"waits for an extension, but context {context!r} has none of one key: ends")
            self.ends = True
            return {"type": "message", "prompt": prompt, "next": END} if prompts else {"type": "hangup"}
        step = steps[i]
        app, args = step.app, step.args
        after = lambda: self.at(context, ext, i + 1)  # noqa: E731 - built only where the call goes on
        where = f"line {step.line}"
        if app == "read" and args:
            spec: dict[str, Any] = {"type": "collect", "variable": _var(args[0])}
            if len(args) > 1 and args[1]:
                prompts.append(self.note(args[1].split("&")[0], where))
            spec["prompt"] = joined(prompts) if prompts else "(the entry's prompt)"
            digits = args[2] if len(args) > 2 else ""
            spec["max_digits"] = max(1, min(int(digits), 32)) if digits.isdigit() and int(digits) else 16
            spec["terminator"] = "#"
            spec["next"] = after()
            # Read goes on with whatever was typed, nothing included: so does the entry when it fails
            spec.update(on_exhausted=spec["next"], max_no_input=1, max_no_match=1, exhausted_prompt=False)
            return spec
        if app == "goto" and args:
            return self.message(prompt, self.jump(*_target(args, context, ext), step.line))
        if app == "gotoif" and args:
            return self.branch(context, ext, i, prompt, ",".join(args))  # the test and both ways, whole
        if app in ("execiftime", "gotoiftime") and args:
            return self.timed(context, ext, i, prompt, ",".join(args))
        if app == "execif" and args:
            return self.exec_if(context, ext, i, prompt, ",".join(args))
        if app == "queue" and args:
            queue = node_id(args[0]).lower()[:40]
            self.draft.queues.setdefault(queue, {"description": f"from Queue({args[0]}) at {where}"})
            if i + 1 < len(steps):
                self.draft.warn(where, "what follows Queue() (the queue timing out) is left out: the call ends there")
            return {"type": "queue", "queue": queue, "prompt": prompt or None}
        if app == "dial":
            if i + 1 < len(steps):
                self.draft.warn(where, "what follows Dial() (no answer, busy) is left out: the call is transferred")
            dialled = args[0] if args else ""  # PJSIP/desk@provider: the desk is where the call goes
            return {
                "type": "transfer",
                "to": re.sub(r"^[A-Za-z0-9]+/", "", dialled).split("@")[0] or dialled or "elsewhere",
                "prompt": prompt or None,
            }
        if app == "voicemail":
            box = args[0] if args else "mailbox"
            return {"type": "record", "prompt": prompt or literal(f"(mailbox {box}: leave a message)"), "next": after()}
        if app in ENDS:
            return {"type": "hangup", "prompt": prompt or None, "reason": ENDS[app]}
        if app == "agi" and args:  # a script that answers (a database, a CRM): a lookup, run as data
            self.draft.warn(
                where,
                f"{step} is a lookup: nothing is run; it returns nothing until its `answers` are declared "
                "(docs/menu-format.md), and scripts can answer for it (`world: lookups:`)",
            )
            service = args[0][:500] or "agi"
            return {
                "type": "lookup",
                "service": service,
                "prompt": prompt or None,
                "answers": {"*": {}},
                "next": after(),
            }
        self.draft.warn(where, f"{step} does not run in ivr: marked NOT RUN, the call goes on")
        return self.message(prompt, after(), describe=f"NOT RUN: {step}"[:200])

    def menu(self, context: str, keys: dict[str, str], prompt: str | bool, timeout: float) -> dict[str, Any]:
        options = {k: self.at(context, e, 0) for k, e in sorted(keys.items())}
        extensions = self.contexts[context].extensions
        longer = [e for e in extensions if e not in KEYS and e not in ("s", "t", "i", "h")]
        if longer and context not in self.warned:
            self.warned.add(context)
            shown = ", ".join(longer[:8]) + (" ..." if len(longer) > 8 else "")
            self.draft.warn(
                f"context {context!r}",
                f"extensions dialled with several digits or a pattern ({shown}) "
                "are left out: an ivr menu takes one key",
            )
        spec: dict[str, Any] = {"type": "menu", "prompt": prompt, "options": options, "timeout": timeout}
        fallback = "t" if "t" in extensions else "i" if "i" in extensions else None
        if fallback is not None:
            spec["on_exhausted"] = self.at(context, fallback, 0)
            spec["max_no_input" if fallback == "t" else "max_no_match"] = 1
            if "t" in extensions and "i" in extensions:
                self.draft.warn(f"context {context!r}", "`t` and `i` both lead somewhere: ivr follows `t` for both")
        else:  # no `t` or `i`: Asterisk hangs up on the first timeout or wrong key
            self.ends = True
            spec.update(on_exhausted=END, max_no_input=1, max_no_match=1, exhausted_prompt=False)
        return spec

    def message(
        self, prompt: str | bool, next_: str | None, then: dict[str, Any] | None = None, describe: str = ""
    ) -> dict[str, Any]:
        """A prompt (``False``: nothing said) before going on; ``then`` is a node the prompt comes before."""
        if then is not None:
            node = self.fresh("then")
            self.draft.nodes[node], self.draft.comments[node] = then, "after the prompt above"
            next_ = node
        spec: dict[str, Any] = {"type": "message", "prompt": prompt, "next": next_}
        if describe:
            spec["description"] = describe
        return spec

    def tts(self, step: Step) -> bool:
        return step.app == "agi" and bool(step.args) and bool(_TTS.search(step.args[0])) and len(step.args) > 1

    def say(self, step: Step) -> str:
        where = f"line {step.line}"
        if self.tts(step):
            return self.placeholders(step.args[1].strip().strip('"'), where)
        if step.app in ("saydigits", "saynumber", "sayalpha", "sayphonetic"):
            return self.placeholders(step.args[0], where) if step.args else f"(a {step.app[3:]} said here)"
        if step.app == "sayunixtime":
            return "(the time said here)"
        files = [f for f in (step.args[0] if step.args else "").split("&") if f]
        notes = " ".join(self.note(f, where) for f in files)
        return recorded("&".join(files), "asterisk", notes) if files else notes

    def placeholders(self, text: str, where: str) -> str:
        """Text said, with each `${NAME}` the dialplan fills in as an ivr placeholder of declared caller
        data (what an AGI script or a database would have given)."""
        out = literal(text)

        def one(found: re.Match[str]) -> str:
            name = _var(found.group(1))
            if name not in self.draft.inputs and name not in self.draft.variables:
                self.draft.inputs[name] = {"type": "text", "description": f"${{{found.group(1)}}} in the dialplan"}
                self.draft.warn(where, f"says ${{{found.group(1)}}}: kept as the caller data {name!r}")
            return "{" + name + "}"

        return re.sub(r"\$\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}", one, out)

    def note(self, recording: str, where: str) -> str:
        self.draft.warn(where, f"plays {recording!r}: kept as `audio:`, said as a note naming it")
        return recorded(recording, "asterisk")


def import_dialplan(text: str, source: str, context: str | None = None) -> Imported:
    draft = MenuDraft("Asterisk", source)
    contexts = parse_dialplan(text, draft)
    plan = _Dialplan(contexts, draft)
    if context is not None and not contexts.get(context, Context(context)).extensions:
        known = ", ".join(c for c, ctx in contexts.items() if ctx.extensions) or "none"
        raise ImportProblem(f"the dialplan has no context {context!r} with extensions (it has: {known})")
    entry = context or plan.entry()
    menus = [c for c, ctx in contexts.items() if c != entry and plan.has_menu(ctx)]
    if menus:
        shown = ", ".join(menus[:8])
        draft.warn("dialplan", f"other contexts have menus ({shown}): import one with --context NAME")
    try:
        start = plan.start(entry)
    except RecursionError:
        raise ImportProblem("the dialplan chains more priorities than ivr follows (about 300 in a row)") from None
    reached = {context for context, _, _ in plan.made}
    left = [c for c, ctx in contexts.items() if ctx.extensions and c not in reached]
    if left:
        shown = ", ".join(left[:8]) + (f" and {len(left) - 8} more" if len(left) > 8 else "")
        draft.warn(
            "dialplan", f"the call comes in at context {entry!r}; contexts it never reaches are left out: {shown}"
        )
    if plan.ends:
        draft.nodes[END] = {"type": "hangup", "prompt": False}
        draft.comments[END] = "where the dialplan ends the call"
    draft.nodes = {start: draft.nodes.pop(start), **draft.nodes} if start in draft.nodes else draft.nodes
    return draft.result(start)


def import_asterisk(text: str, source: str, context: str | None = None) -> Imported:
    """An Asterisk dialplan as an `ivr` menu (entered at ``context``, or the first with a menu), or
    `queues.conf` as a centre file."""
    if re.search(r"^\s*(exten|same)\s*=>", text, re.MULTILINE):
        return import_dialplan(text, source, context)
    if looks_like_queues_conf(text):
        return import_queues(text, source)
    raise ImportProblem("no `exten =>` lines and no queues: not an Asterisk dialplan or queues.conf")
