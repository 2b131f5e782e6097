"""An `ivr` menu as FreeSWITCH IVR menus (`ivr_menus/<name>.xml`, for `ivr.conf`) and, with a floor,
`callcenter.conf.xml` (mod_callcenter queues, agents and tiers).

FreeSWITCH menus hold only menus: each `ivr` menu node is a `<menu>` whose prompts are said with
`say:` through its TTS engine. An option leads to another menu (`menu-sub`), or, through any messages on
the way, to a queue (`menu-exec-app callcenter`), a transfer, or the end (`menu-exit`); what else a menu
has (digit entry, branches, surveys) is handed to the dialplan by extension, as the report says."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ivr.menu.compiled import CompiledNode, Menu
from ivr.menu.export_common import Exported, Exporter
from ivr.menu.model import HangupNode, MenuNode, MessageNode, QueueNode, SubmenuNode, TransferNode

_STRATEGIES = {
    "longest-idle": "longest-idle-agent",
    "round-robin": "round-robin",
    "random": "random",
    "fewest-calls": "agent-with-fewest-calls",
    "skill-level": "top-down",
}
PASSING = (MessageNode, SubmenuNode)  # nodes a call passes through on its way to where an option leads


def name_of(node: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", node)


class _Menus(Exporter):
    platform = "FreeSWITCH"

    def run(self) -> Exported:
        menu = self.menu
        root = ET.Element("include")
        root.append(ET.Comment(f" {menu.name}: exported from ivr; the dialplan starts with ivr {self.first()} "))
        for node in menu.nodes.values():
            if isinstance(node.spec, MenuNode):
                self.menu_element(root, node, node.spec)
            elif not isinstance(node.spec, (*PASSING, QueueNode, TransferNode, HangupNode)):
                self.lose(node.id, f"a {node.kind} node", f"handed to the dialplan as extension {name_of(node.id)}")
        ET.indent(root)
        files = {f"ivr_menus/{name_of(menu.name)}.xml": ET.tostring(root, encoding="unicode") + "\n"}
        if menu.centre is not None and menu.queues:
            files["callcenter.conf.xml"] = self.callcenter()
        return Exported(self.platform, files, self.lossy)

    def first(self) -> str:
        """The first menu a caller meets (a branch before it is for the dialplan to make)."""
        start = self.menu.nodes[self.menu.start]
        if not isinstance(start.spec, MenuNode):
            self.lose(start.id, f"the {start.kind} the call starts at", "the dialplan routes to the first menu")
        for node in self.menu.nodes.values():
            if isinstance(node.spec, MenuNode):
                return name_of(node.id)
        self.lose("(menu)", "no menu node", "FreeSWITCH's IVR holds menus only: the file has none")
        return "none"

    def say(self, node: str, text: object) -> str:
        sound = self.played(node, text, "freeswitch", ("phrase",))
        if sound is not None:
            return sound
        said = self.text(node, text)  # type: ignore[arg-type]
        return f"say:{said}" if said else ""

    def menu_element(self, root: ET.Element, node: CompiledNode, spec: MenuNode) -> None:
        settings = node.settings
        assert settings is not None
        attrs = {
            "name": name_of(node.id),
            "greet-long": self.say(node.id, spec.prompt),
            "greet-short": self.say(node.id, spec.short_prompt or spec.prompt),
            "invalid-sound": self.say(node.id, settings.no_match_reprompts[0]),
            "exit-sound": self.say(node.id, settings.exhausted_prompt),
            "timeout": str(int(settings.timeout * 1000)),
            "inter-digit-timeout": str(int(settings.inter_digit_timeout * 1000)),
            "max-failures": str(settings.max_no_match),
            "max-timeouts": str(settings.max_no_input),
            "digit-len": "1",
            "tts-engine": "flite",
            "tts-voice": "kal",
        }
        element = ET.SubElement(root, "menu", attrs)
        if settings.on_exhausted:
            self.lose(node.id, "where attempts lead", "the menu says its exit-sound and the call leaves it")
        for edge in self.menu.edges.get(node.id, ()):
            if edge.kind in ("option", "key") and edge.key is not None:
                option = spec.options.get(edge.key)
                if option is not None and option.set:
                    self.lose(node.id, f"what option {edge.key} sets", "not set (a menu entry cannot set variables)")
                ET.SubElement(element, "entry", self.entry(node.id, edge.key, edge.target))
        if settings.keys.repeat:
            ET.SubElement(
                element,
                "entry",
                {
                    "action": "menu-top" if node.id == self.menu.start else "menu-sub",
                    "digits": settings.keys.repeat,
                    "param": name_of(node.id),
                },
            )

    def entry(self, menu: str, key: str, target: str) -> dict[str, str]:
        """The entry for a key: where the call ends up, through any messages on the way."""
        passed: list[str] = []
        node = self.menu.nodes[target]
        while isinstance(node.spec, PASSING) and (onward := self.next_of(node)) and onward not in passed:
            passed.append(node.id)
            node = self.menu.nodes[onward]
        if passed and any(isinstance(self.menu.nodes[n].spec, MessageNode) for n in passed):
            self.lose(menu, f"the message(s) after key {key} ({', '.join(passed)})", "not said on the way")
        spec, base = node.spec, {"digits": key}
        match spec:
            case MenuNode():
                return {"action": "menu-sub", **base, "param": name_of(node.id)}
            case QueueNode():
                return {"action": "menu-exec-app", **base, "param": f"callcenter {spec.queue}"}
            case TransferNode():
                return {"action": "menu-exec-app", **base, "param": f"transfer {spec.to} XML default"}
            case HangupNode():
                if spec.prompt:
                    self.lose(menu, f"the goodbye after key {key} ({node.id})", "not said: menu-exit hangs up")
                return {"action": "menu-exit", **base}
        return {"action": "menu-exec-app", **base, "param": f"transfer {name_of(node.id)} XML ivr"}

    def callcenter(self) -> str:
        centre = self.menu.centre
        assert centre is not None
        root = ET.Element("configuration", {"name": "callcenter.conf", "description": f"{self.menu.name} (ivr)"})
        queues, agents, tiers = (ET.SubElement(root, tag) for tag in ("queues", "agents", "tiers"))
        for name, queue in self.menu.queues.items():
            element = ET.SubElement(queues, "queue", {"name": f"{name}@default"})
            strategy = _STRATEGIES.get(queue.routing, "longest-idle-agent")
            ET.SubElement(element, "param", {"name": "strategy", "value": strategy})
            ET.SubElement(element, "param", {"name": "moh-sound", "value": "$${hold_music}"})
        for team in centre.agents:
            for i in range(1, team.count + 1):
                who = name_of(f"{team.name}_{i}" if team.count > 1 else team.name)
                ET.SubElement(
                    agents,
                    "agent",
                    {
                        "name": f"{who}@default",
                        "type": "callback",
                        "contact": f"[call_timeout=10]user/{who}",
                        "status": "Available",
                    },
                )
                for name, queue in self.menu.queues.items():
                    level = team.skills.get(queue.skill or name)
                    if level is not None:
                        ET.SubElement(
                            tiers,
                            "tier",
                            {
                                "agent": f"{who}@default",
                                "queue": f"{name}@default",
                                "level": str(level),
                                "position": "1",
                            },
                        )
        self.lose("(centre)", "handle times, patience, breaks and traffic", "left out: the floor is real people")
        ET.indent(root)
        return ET.tostring(root, encoding="unicode") + "\n"


def export_freeswitch(menu: Menu) -> Exported:
    return _Menus(menu).run()
