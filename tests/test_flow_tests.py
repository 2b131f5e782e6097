"""The tests other platforms' flows make (an Asterisk `GotoIf` or `ExecIfTime`, a VoiceXML `<if cond>`),
imported as ivr conditions a call really takes, and only what ivr cannot work out as caller data."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from ivr.menu import load_menu

DIALPLAN = """
[from-outside]
exten => s,1,Answer()
same => n,Set(OPEN=0)
same => n,ExecIfTime(09:00-16:59,mon-fri,*,*,Europe/London?Set(OPEN=1))
same => n,ExecIfTime(*,*,25,dec,Europe/London?Set(OPEN=0))
same => n,GotoIf($["${OPEN}" = "1" & !("${TIER}" = "gold")]?open,s,1)
same => n,GotoIf($["${TIER}" = "gold"]?gold,s,1)
same => n,Playback(closed)
same => n,Hangup()

[open]
exten => s,1,Playback(welcome)
same => n,Queue(sales)

[gold]
exten => s,1,Playback(gold-line)
same => n,Queue(gold)
"""


def ended(flow: Path, at: str, variables: dict[str, object] | None = None) -> tuple[str, str]:
    """Where a call made at ``at`` (local time) with caller data ``variables`` ends: (kind, where)."""
    from ivr.call import Caller, SimClock
    from ivr.call.events import HungUp, Queued, Transferred
    from ivr.call.line import Line

    menu = load_menu(flow)
    events: list[object] = []
    clock = SimClock(datetime.fromisoformat(at).replace(tzinfo=menu.timezone))
    live = Line(menu, clock, seed=1, background=False).dial(Caller(variables=dict(variables or {})), [events.append])
    live.listen()
    for event in events:
        if isinstance(event, Queued):
            return "queued", event.queue
        if isinstance(event, Transferred):
            return "transferred", event.destination
        if isinstance(event, HungUp):
            return "hung up", event.node
    raise AssertionError(f"the call did not end: {events}")


@pytest.mark.parametrize(
    ("at", "tier", "where"),
    [
        ("2026-11-24T10:00", "", ("queued", "sales")),  # a Tuesday morning
        ("2026-11-24T16:59", "", ("queued", "sales")),  # Asterisk's 16:59 is the whole last minute
        ("2026-11-24T17:00", "", ("hung up", "")),
        ("2026-11-28T10:00", "", ("hung up", "")),  # a Saturday
        ("2026-12-25T10:00", "", ("hung up", "")),  # a Friday, but 25 December every year
        ("2026-11-24T21:00", "gold", ("queued", "gold")),  # the channel variable the dialplan reads
    ],
)
def test_a_dialplans_time_and_expression_tests_run_as_conditions(
    at: str, tier: str, where: tuple[str, str], tmp_path: Path
) -> None:
    flow = tmp_path / "extensions.conf"
    flow.write_text(DIALPLAN, encoding="utf-8")
    menu = load_menu(flow)
    assert str(menu.timezone) == "Europe/London"  # the time zone its ExecIfTime names
    assert "tier" in menu.inputs  # read but never set: the caller's data
    assert not [name for name in menu.inputs if name.startswith("condition_")]  # every test was read
    kind, place = ended(flow, at, {"tier": tier} if tier else {})
    assert kind == where[0] and place == (where[1] or place)  # a hang-up anywhere: the closed message


VOICEXML = """<?xml version="1.0"?>
<vxml version="2.1" xmlns="http://www.w3.org/2001/vxml">
  <var name="tries" expr="0"/>
  <form id="route">
    <block>
      <if cond="session.ivr_holiday">
        <goto next="#closed"/>
      <elseif cond="caller_tier == 'gold' &amp;&amp; typeof account != 'undefined'"/>
        <goto next="#gold"/>
      <elseif cond="Math.random() &gt; 0.5"/>
        <goto next="#gold"/>
      <else/>
        <goto next="#desk"/>
      </if>
    </block>
  </form>
  <form id="closed"><block><prompt>We are closed.</prompt><exit/></block></form>
  <form id="gold"><transfer dest="tel:+15550100"/></form>
  <form id="desk"><transfer dest="tel:+15550199"/></form>
</vxml>
"""


@pytest.mark.parametrize(
    ("variables", "where"),
    [
        ({}, ("transferred", "tel:+15550199")),
        ({"ivr_holiday": True}, ("hung up", "closed")),
        ({"ivr_holiday": "false", "caller_tier": "gold", "account": "12"}, ("transferred", "tel:+15550100")),
        ({"caller_tier": "gold"}, ("transferred", "tel:+15550199")),  # no account: typeof is undefined
    ],
)
def test_a_voicexml_cond_runs_as_a_condition_and_script_stays_caller_data(
    variables: dict[str, object], where: tuple[str, str], tmp_path: Path
) -> None:
    flow = tmp_path / "route.vxml"
    flow.write_text(VOICEXML, encoding="utf-8")
    menu = load_menu(flow)
    assert {"ivr_holiday", "caller_tier", "account"} <= set(menu.inputs)
    (kept,) = [name for name in menu.inputs if name.startswith("condition_")]  # Math.random() is not read
    assert "Math.random()" in (menu.inputs[kept].description or "")
    assert ended(flow, "2026-11-24T10:00", variables) == where


@pytest.mark.parametrize(
    ("dialect", "test", "condition"),
    [
        ("asterisk", '$["${X}" = "true"]', {"var": "x", "eq": "true"}),  # Asterisk compares text
        ("asterisk", "$[${N} >= 3 | !${Y}]", None),  # a bare ${Y} under ! reads; >= with a number too
        ("asterisk", '$["${FILTER(0-9,${S})}" = ""]', None),  # a function: caller data instead
        ("ecmascript", "flag === true", {"var": "flag", "eq": True}),  # ECMAScript has booleans
        ("ecmascript", "session.connection.remote.uri == 'x'", None),  # an object's property
        ("ecmascript", "a == 'b' || (c != 'd' && !e)", "any"),
    ],
)
def test_only_comparisons_of_variables_are_read_as_conditions(
    dialect: str, test: str, condition: dict[str, object] | str | None
) -> None:
    from ivr.menu.expressions import ecmascript_condition, expression_condition

    read = expression_condition if dialect == "asterisk" else ecmascript_condition
    got = read(test, str.lower)
    if condition == "any":
        assert got is not None and list(got) == ["any"]
    elif test.startswith("$[${N}"):
        assert got is not None and got["any"][0] == {"var": "n", "ge": 3.0}
    else:
        assert got == condition
