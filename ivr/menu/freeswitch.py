"""FreeSWITCH IVR menus (`ivr.conf` or an included menus file) turned into an `ivr` menu, and
`callcenter.conf` into a centre file (queues and agents). Read with the standard library's XML parser
(expat, which refuses entity expansion bombs). Recordings are named, not played: a prompt that is a
sound file is said as a note, with a warning. Mapping table: docs/interop.md."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import yaml

from ivr.menu.imported import END, Imported, ImportProblem, MenuDraft, literal, node_id, recorded

MAX_XML = 5_000_000  # characters of XML read
_STRATEGIES = {
    "longest-idle-agent": "longest-idle",
    "round-robin": "round-robin",
    "random": "random",
    "agent-with-fewest-calls": "fewest-calls",
    "top-down": "skill-level",
}


def looks_like_freeswitch(text: str) -> bool:
    head = text.lstrip()[:4000]
    return head.startswith("<") and ("<menu" in text or 'name="callcenter.conf"' in head)


def parse_xml(text: str) -> ET.Element:
    if len(text) > MAX_XML:
        raise ImportProblem(f"the XML is over {MAX_XML:,} characters")
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise ImportProblem(f"the XML is not well formed: {exc}") from None


def _prompt(draft: MenuDraft, where: str, value: str | None) -> str | bool:
    if not value:
        return False
    if value.startswith("say:"):
        return literal(value[4:].strip())
    draft.warn(where, f"plays {value!r}: kept as `audio:`, said as a note naming it")
    return recorded(value, "freeswitch")


def _seconds(value: str | None, default: float) -> float:
    try:
        return max(0.5, min(float(value or "") / 1000, 60.0))
    except ValueError:
        return default


def _count(value: str | None, default: int) -> int:
    try:
        return max(1, min(int(value or ""), 20))
    except ValueError:
        return default


class _Menus:
    def __init__(self, menus: list[ET.Element], source: str) -> None:
        self.menus = {m.get("name", f"menu_{i}"): m for i, m in enumerate(menus)}
        self.top = node_id(next(iter(self.menus)))
        self.draft = MenuDraft("FreeSWITCH", source)
        self.ends = False

    def run(self) -> Imported:
        for name, element in self.menus.items():
            self.menu(name, element)
        if self.ends:
            self.draft.nodes[END] = {"type": "hangup", "prompt": False}
            self.draft.comments[END] = "where the FreeSWITCH menu hangs up"
        return self.draft.result(self.top)

    def menu(self, name: str, element: ET.Element) -> None:
        me, where = node_id(name), f"menu {name!r}"
        draft = self.draft
        options: dict[str, str] = {}
        for entry in element.findall("entry"):
            action, digits, param = entry.get("action", ""), entry.get("digits", ""), entry.get("param", "")
            if len(digits) != 1 or digits not in "0123456789*#":
                draft.warn(where, f"the entry {digits!r} ({action}) is not one key (a pattern or a number): left out")
                continue
            target = self.entry(me, where, digits, action, param)
            if target is not None:
                options[digits] = target
        exit_sound = _prompt(draft, where, element.get("exit-sound"))
        goodbye = f"{me}_goodbye"
        draft.nodes[goodbye] = {"type": "hangup", "prompt": exit_sound}
        draft.comments[goodbye] = f"{where}: attempts used up (exit-sound)"
        spec: dict[str, Any] = {
            "type": "menu",
            "prompt": _prompt(draft, where, element.get("greet-long")) or "(no prompt)",
            "options": options,
            "timeout": _seconds(element.get("timeout"), 10.0),
            "max_no_match": _count(element.get("max-failures"), 3),
            "max_no_input": _count(element.get("max-timeouts"), 3),
            "on_exhausted": goodbye,
        }
        short = _prompt(draft, where, element.get("greet-short"))
        if short:
            spec["short_prompt"] = short
        if not options:
            spec = {"type": "message", "prompt": spec["prompt"], "next": goodbye}
            draft.warn(where, "has no one-key entries: said, then the call ends")
        draft.nodes = {me: spec, **draft.nodes} if me == self.top else {**draft.nodes, me: spec}
        draft.comments[me] = f"FreeSWITCH menu {name!r}"

    def entry(self, me: str, where: str, key: str, action: str, param: str) -> str | None:
        draft = self.draft
        if action == "menu-sub":
            if param in self.menus:
                return node_id(param)
            draft.warn(where, f"key {key}: the sub-menu {param!r} is not in this file: the call ends there")
            self.ends = True
            return END
        if action == "menu-top":
            return self.top
        if action == "menu-exit":
            self.ends = True
            return END
        if action in ("menu-play-sound", "menu-playback"):
            node = f"{me}_play_{_key_name(key)}"
            draft.nodes[node] = {"type": "message", "prompt": _prompt(draft, where, param) or "(a sound)", "next": me}
            draft.comments[node] = f"{where}: key {key} ({action})"
            return node
        if action in ("menu-exec-app", "menu-call-transfer"):
            verb, _, rest = param.partition(" ")
            node = f"{me}_{_key_name(key)}"
            if verb.isdigit():  # a bare extension: the dialplan's transfer
                verb, rest = "transfer", param
            if verb == "callcenter" and rest.strip():  # mod_callcenter: the caller joins the queue
                queue = node_id(rest.split()[0].split("@")[0])
                draft.queues.setdefault(queue, {"description": f"mod_callcenter queue {rest.split()[0]}"})
                draft.nodes[node] = {"type": "queue", "queue": queue}
            elif action == "menu-call-transfer" or verb in ("transfer", "bridge"):
                to = (rest if action == "menu-exec-app" else param).split(" ")[0] or "elsewhere"
                draft.nodes[node] = {"type": "transfer", "to": to}
            elif verb == "playback":
                draft.nodes[node] = {
                    "type": "message",
                    "prompt": _prompt(draft, where, rest) or "(a sound)",
                    "next": me,
                }
            else:
                draft.warn(where, f"key {key}: the application {verb!r} does not run in ivr: the call ends there")
                draft.nodes[node] = {"type": "hangup", "prompt": False}
            draft.comments[node] = f"{where}: key {key} ({action} {param})"
            return node
        draft.warn(where, f"key {key}: the action {action!r} has no ivr equivalent: left out")
        return None


def _key_name(key: str) -> str:
    return {"*": "star", "#": "hash"}.get(key, key)


def centre_file(root: ET.Element, source: str) -> Imported:
    """`callcenter.conf`: its queues (strategy as routing) and agents (their tiers as skills)."""
    draft = MenuDraft("FreeSWITCH", source)
    queues: dict[str, dict[str, Any]] = {}
    for queue in root.iter("queue"):
        name = node_id(queue.get("name", "queue").split("@")[0])
        params = {p.get("name"): p.get("value") for p in queue.findall("param")}
        strategy = params.get("strategy", "longest-idle-agent")
        routing = _STRATEGIES.get(str(strategy))
        if routing is None:
            draft.warn(f"queue {name!r}", f"the strategy {strategy!r} has no ivr routing: longest-idle instead")
            routing = "longest-idle"
        queues[name] = {"routing": routing}
    skills: dict[str, dict[str, int]] = {}
    for tier in root.iter("tier"):
        who, where = node_id(tier.get("agent", "").split("@")[0]), node_id(tier.get("queue", "").split("@")[0])
        if where in queues:
            skills.setdefault(who, {})[where] = _count(tier.get("level"), 1)
    agents: list[dict[str, Any]] = []
    for element in root.iter("agent"):
        name = str(element.get("name", "agent")).split("@")[0]
        agents.append({"name": name, "count": 1, "skills": skills.get(node_id(name), {})})
    agents = [a for a in agents if a["skills"]]
    if not agents:
        draft.warn("agents", "no agent has a tier on a queue: one representative per queue stands in")
        agents = [{"name": f"{q} agent", "count": 1, "skills": {q: 1}} for q in queues]
    if not queues:
        raise ImportProblem("callcenter.conf has no queues")
    body = yaml.safe_dump({"queues": queues, "agents": agents}, sort_keys=False, allow_unicode=True, width=110)
    text = f"# A centre file imported from the FreeSWITCH {source} by `ivr import`: name it in a menu's `centre:`.\n"
    return Imported(text + body, draft.warnings, 0)


def import_freeswitch(text: str, source: str) -> Imported:
    """The FreeSWITCH menus (or call centre) in ``text`` as an `ivr` menu (or centre file)."""
    root = parse_xml(text)
    menus = list(root.iter("menu"))
    if menus:
        return _Menus(menus, source).run()
    if root.get("name") == "callcenter.conf" or root.find(".//queues") is not None:
        return centre_file(root, source)
    raise ImportProblem("no <menu> and no call-centre <queues> in the file")
