"""Expectations in call scripts: does the call match them, and the words for what it did instead."""

from __future__ import annotations

from typing import Any

from ivr.call.events import (
    Answered,
    CallbackOffered,
    CallbackTaken,
    CallEvent,
    LookupAnswered,
    NoInput,
    NoMatch,
    PromptPlayed,
    QueueBusy,
    Queued,
    QueuePosition,
    Transferred,
)
from ivr.call.session import Call, CallStatus
from ivr.replay import model as m
from ivr.source import patterns


def check(expect: m.Expect, driver: Any, recent: list[CallEvent]) -> str | None:
    """None when every part of ``expect`` holds, else what was seen instead of each part that did not
    (all of them, so one run shows every field to fix). ``driver`` has the ``call`` and its ``live``
    driver; everything checked is on the call's event stream or its state."""
    found = mismatches(expect, driver, recent)
    return "; ".join(dict.fromkeys(found)) if found else None


def mismatches(expect: m.Expect, driver: Any, recent: list[CallEvent]) -> list[str]:
    """What was seen instead, for each part of ``expect`` that does not hold."""
    found: list[str] = []
    call = driver.call
    if expect.node is not None and call.state != expect.node:
        found.append(f"the call is at node {call.state!r}")
    if expect.prompt is not None and not any(_heard(expect.prompt, e) for e in recent if isinstance(e, PromptPlayed)):
        heard = [
            f"{e.prompt_id}: {e.text!r}" + (f" [recording {e.audio}]" if e.audio else "")
            for e in recent
            if isinstance(e, PromptPlayed)
        ]
        found.append("prompts heard since the last action: " + ("; ".join(heard) if heard else "none"))
    for name, value in (expect.variables or {}).items():
        actual = call.variables.get(name)
        if not _same(actual, value):
            found.append(f"variable {name!r} is {actual!r}")
    if expect.queued is not None:
        problem = _check_queued(expect.queued, driver)
        if problem:
            found.append(problem)
    if expect.position is not None:
        place = driver.live.position()
        if place is None:
            found.append(f"the caller is not waiting in a queue ({_status(call)})")
        elif not expect.position.holds(place[0]):
            found.append(f"position {place[0]} in the queue")
    if expect.answered is not None:
        answered = next((e for e in call.transcript if isinstance(e, Answered)), None)
        if (answered is not None) != expect.answered:
            found.append(f"{answered.agent} answered" if answered else f"no agent has answered ({_status(call)})")
    if expect.callback_offered is not None:
        offered = any(isinstance(e, CallbackOffered) for e in call.transcript)
        if offered != expect.callback_offered:
            found.append("a callback was offered" if offered else "no callback was offered")
    if expect.callback_taken is not None:
        taken = any(isinstance(e, CallbackTaken) for e in call.transcript)
        if taken != expect.callback_taken:
            found.append("the caller took a callback" if taken else "no callback was taken")
    if expect.busy is not None:
        busy = next((e.why for e in call.transcript if isinstance(e, QueueBusy)), None)
        if busy != expect.busy:
            found.append(f"the queue was {busy}" if busy else "no queue turned the caller away")
    if expect.transferred is not None:
        where = next((e.destination for e in call.transcript if isinstance(e, Transferred)), None)
        if where != expect.transferred:
            found.append(f"transferred to {where!r}" if where else f"not transferred ({_status(call)})")
    if expect.looked_up is not None or expect.lookup_failed is not None:
        found += _lookup_mismatches(expect, [e for e in recent if isinstance(e, LookupAnswered)])
    if expect.hung_up is not None and not (call.status == CallStatus.ENDED and call.end_reason == expect.hung_up):
        found.append(_status(call))
    if expect.ended is not None and (call.status != CallStatus.ACTIVE) != expect.ended:
        found.append(_status(call))
    if expect.no_input is not None and not any(isinstance(e, NoInput) and e.count == expect.no_input for e in recent):
        counts = [e.count for e in recent if isinstance(e, NoInput)]
        found.append(f"no-input counts since the last action: {counts or 'none'}")
    if expect.no_match is not None and not any(isinstance(e, NoMatch) and e.count == expect.no_match for e in recent):
        counts = [e.count for e in recent if isinstance(e, NoMatch)]
        found.append(f"no-match counts since the last action: {counts or 'none'}")
    if expect.within is not None and call.elapsed > expect.within:
        found.append(f"{call.elapsed:g} s have passed")
    return found


def _lookup_mismatches(expect: m.Expect, answered: list[LookupAnswered]) -> list[str]:
    asked = ", ".join(f"{e.node} ({'failed' if e.failed else 'answered'})" for e in answered) or "none"
    found = []
    if expect.looked_up is not None and not any(e.node == expect.looked_up and not e.failed for e in answered):
        found.append(f"lookups since the last action: {asked}")
    if expect.lookup_failed is not None and any(e.failed for e in answered) != expect.lookup_failed:
        found.append(f"lookups since the last action: {asked}")
    return found


def _check_queued(test: m.QueuedTest, driver: Any) -> str | None:
    call = driver.call
    queued = [e for e in call.transcript if isinstance(e, Queued)]
    queue = queued[-1].queue if queued else None
    if queue != test.queue:
        return f"queued for {queue!r}" if queue else f"not queued ({_status(call)})"
    if test.position is None and test.wait is None:
        return None
    if driver.line.centre is None:
        return "position and wait need a `centre` section in the menu"
    after = call.transcript[call.transcript.index(queued[-1]) :]
    told = next((e for e in after if isinstance(e, QueuePosition)), None)
    if told is None:  # answered at once, or not yet joined: position 0, no wait
        position, wait = 0, 0.0
    else:
        position, wait = told.position, told.estimated_wait
    if test.position is not None and not test.position.holds(position):
        return f"position {position} when queued"
    if test.wait is not None and not test.wait.holds(wait):
        return f"estimated wait {wait:.0f} s when queued"
    return None


def _heard(test: m.TextTest, event: PromptPlayed) -> bool:
    if test.id is not None and event.prompt_id != test.id:
        return False
    if test.audio is not None and event.audio != test.audio:
        return False
    text = event.text
    fold = str.casefold if test.ignore_case else str
    if test.contains is not None and fold(test.contains) not in fold(text):
        return False
    if test.equals is not None and fold(test.equals) != fold(text):
        return False
    return test.matches is None or patterns.search(test.matches, text, test.ignore_case)


def _same(actual: Any, expected: Any) -> bool:
    if expected is None or actual is None:
        return actual is expected
    return str(actual) == str(expected) if not isinstance(expected, bool) else actual == expected


def _status(call: Call) -> str:
    if call.status == CallStatus.ENDED:
        return f"the call ended ({call.end_reason}) at {call.state!r}"
    if call.status == CallStatus.QUEUED:
        return f"the call is queued for {call.queue!r}"
    if call.status == CallStatus.TRANSFERRED:
        return "the call was transferred"
    return f"the call is at node {call.state!r}"


def describe_expectation(expect: m.Expect) -> str:
    """An expectation in words, for failure messages."""
    parts = []
    for name in expect.model_fields_set:
        value = getattr(expect, name)
        if name == "limit":
            continue
        if name == "prompt":
            parts.append(value.describe())
        elif name == "queued":
            text = f"queued for {value.queue!r}"
            if value.position:
                text += f", position {value.position.describe()}"
            if value.wait:
                text += f", wait {value.wait.describe()} s"
            parts.append(text)
        elif name == "position":
            parts.append(f"position {value.describe()}")
        elif name == "within":
            parts.append(f"within {value:g} s")
        else:
            parts.append(f"{name.replace('_', ' ')} {value!r}")
    return "; ".join(sorted(parts))
