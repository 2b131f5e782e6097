"""The TUI used the way a person uses it: key presses and clicks through Pilot, and SVG snapshots."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import DataTable, RichLog, Select, Static

from ivr.menu import load_menu
from ivr.tui.app import CallEventMessage, IvrApp
from ivr.tui.panels import Keypad, MenuMap, PromptBox
from tests.conftest import MENUS, ROOT, run_ivr, toasts

pytest.importorskip("pytest_textual_snapshot")

OPEN = datetime(2026, 11, 24, 11, tzinfo=ZoneInfo("Asia/Karachi"))


def app(path: Path = MENUS / "customer-service.yaml", **options: object) -> IvrApp:
    settings: dict[str, object] = {"at": OPEN, "paused": True, "traffic": False, **options}
    return IvrApp(path, **settings)  # type: ignore[arg-type]


def prompt_text(tui: IvrApp) -> str:
    return tui.query_one("#prompt", PromptBox).shown_text()


def transcript(tui: IvrApp) -> str:
    """The transcript as one text: lines wrapped to the panel are joined back."""
    return " ".join(line.text.strip() for line in tui.query_one("#transcript", RichLog).lines)


def listen(tui: IvrApp) -> None:
    """Let simulated time pass (the app is paused) until the line has said what it has to say."""
    if tui.call is not None:
        tui.advance(max(0.0, tui.call.settled_at() - tui.clock.now()))


async def keys_heard(pilot: Any, tui: IvrApp, *keys: str) -> None:
    """Press ``keys``, then let the line say what it has to say."""
    await pilot.press(*keys)
    listen(tui)
    await pilot.pause()


async def command(pilot: Any, words: str) -> None:
    """Run the palette command that ``words`` picks out, as a person types it."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*words)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause()


async def until(pilot: object, condition: object, seconds: float = 5.0) -> None:
    """Let the app run (real time) until ``condition()`` holds; a busy machine only makes it slower."""
    import time

    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        await pilot.pause(0.05)  # type: ignore[attr-defined]


async def test_call_and_choose_with_the_keyboard() -> None:
    seen: list[str] = []
    tui = app()

    def hook(message: object) -> None:
        if isinstance(message, CallEventMessage):
            seen.append(message.event.name)

    async with tui.run_test(size=(100, 32), message_hook=hook) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert "Welcome to Roshan Telecom" in prompt_text(tui)
        await pilot.press("1")
        await pilot.pause()
        assert "Thank you for calling" in prompt_text(tui)  # the greeting first: prompts take their time
        listen(tui)
        await pilot.pause()
        assert "For a complaint, press 1" in prompt_text(tui)
        assert tui.query_one(MenuMap).current == "main"
        assert seen[0] == "call_started" and seen.count("key_pressed") == 1 and "prompt_played" in seen
        assert "⌨ 1" in transcript(tui)


@pytest.mark.slow
def drawn(urdu: str) -> str:
    """Urdu as a screen that does no shaping must be given it: joined letters, in display order."""
    import arabic_reshaper
    from bidi import get_display

    return str(get_display(arabic_reshaper.reshape(urdu), base_dir="R"))


async def test_urdu_is_shaped_reordered_and_right_aligned_unless_the_terminal_does_bidi(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Urdu was drawn in memory order, letter by letter in isolated forms, left-aligned."""
    tui = app()
    async with tui.run_test(size=(100, 32)) as pilot:
        await keys_heard(pilot, tui, "c", "2")
        shown = prompt_text(tui)
        first = shown.splitlines()[0]
        assert drawn("شکایت کے لیے 1 دبائیں") in first  # the beginning of the prompt is on the first line
        assert any("\ufe70" <= ch <= "\ufeff" or "\ufb50" <= ch <= "\ufdff" for ch in first)  # joined forms
        assert "شکایت" not in shown  # not in memory order

        assert tui.query_one("#prompt", PromptBox).content.justify == "right"  # type: ignore[union-attr]
        log = transcript(tui)
        assert drawn("شکایت کے لیے 1") in log  # wrapped to the narrow log in reading order
    monkeypatch.setenv("IVR_BIDI", "terminal")
    tui = app()
    async with tui.run_test(size=(100, 32)) as pilot:
        await keys_heard(pilot, tui, "c", "2")
        assert "شکایت کے لیے 1 دبائیں" in prompt_text(tui)  # left for the terminal to do


async def test_keypad_buttons_work_by_mouse() -> None:
    tui = app()
    async with tui.run_test(size=(100, 32)) as pilot:
        await pilot.click("#call")
        keypad = tui.query_one(Keypad)
        await pilot.click("#keypad", offset=keypad.offset_of("2"))  # Urdu
        listen(tui)
        await pilot.pause()
        assert drawn("شکایت کے لیے 1 دبائیں") in prompt_text(tui)  # shaped and right to left
        await pilot.click("#keypad", offset=keypad.offset_of("7"))
        await pilot.pause()
        assert "no match '7'" in transcript(tui)
        await pilot.click("#hangup")
        await pilot.pause()
        assert "Call ended (caller)" in prompt_text(tui)


@pytest.mark.slow
async def test_time_runs_faster_only_while_the_caller_has_nothing_to_do() -> None:
    tui = app()
    async with tui.run_test(size=(100, 32)) as pilot:
        await pilot.press("c")
        await pilot.press("f3")
        await pilot.pause(0.3)
        # At a menu the caller must choose: x60 falls back to x1, so the timeout is not lost to speed.
        assert tui.speed == 60 and tui.effective_speed() == 1
        assert "x60 (x1 while you choose)" in tui.sub_title
        assert tui.clock.now() < 2.0 and "no input" not in transcript(tui)
        await pilot.press("1", "0")  # English, then a representative: on hold, time runs at x60
        listen(tui)
        await pilot.pause(0.3)
        assert tui.call is not None and tui.call.status == "queued" and tui.effective_speed() == 60
        await pilot.press("p")
        await pilot.pause()
        assert "paused" in tui.sub_title
        frozen = tui.clock.now()
        await pilot.pause(0.3)
        assert tui.clock.now() == frozen


async def test_the_floor_shows_the_live_caller() -> None:
    tui = app()
    async with tui.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", "1", "4", "3")  # English, technical service, mobile
        await pilot.pause()
        listen(tui)  # "Connecting you to a mobile technician", then the caller joins the queue
        tui.advance(1)
        await pilot.pause()
        agents = tui.query_one("#agents", DataTable)
        rows = [agents.get_row_at(i) for i in range(agents.row_count)]
        with_column = [str(c.label) for c in agents.columns.values()].index("with")
        assert any(str(row[with_column]) == "you" for row in rows)
        assert "answers after" in transcript(tui)


async def test_the_transcript_keeps_the_order_the_caller_lived() -> None:
    """The floor's answer used to be written before the key that queued the caller (two paths)."""
    tui = app()
    async with tui.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", "1", "0")  # English, then a representative: answered at once
        listen(tui)
        tui.advance(1)
        await pilot.pause()
        log = transcript(tui)
        assert log.index("⌨ 0") < log.index("⇒ queued for 'general'") < log.index("answers after")
        assert "Talking to" in prompt_text(tui)


async def test_too_small_terminal_gets_a_message() -> None:
    tui = app()
    async with tui.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        message = tui.query_one("#too-small", Static)
        assert message.display and "needs at least 80x24" in str(message.render())
        assert not tui.query_one("#main").display


@pytest.mark.slow
async def test_live_reload_keeps_the_last_good_menu(tmp_path: Path) -> None:
    for name in ("customer-service.yaml", "account-number.yaml"):
        shutil.copy(MENUS / name, tmp_path / name)
    menu_file = tmp_path / "customer-service.yaml"
    tui = app(menu_file)
    async with tui.run_test(size=(100, 32)) as pilot:
        good = menu_file.read_text(encoding="utf-8")
        menu_file.write_text(good.replace("next: main", "next: mian", 1), encoding="utf-8")
        errors = tui.query_one("#errors", Static)
        await until(pilot, lambda: errors.display)
        assert errors.display and "unknown node 'mian'" in str(errors.render())
        assert "main" in tui.menu.nodes  # the last good menu still runs
        await pilot.press("c")
        await pilot.pause()
        assert "Welcome" in prompt_text(tui)
        menu_file.write_text(good.replace("Welcome to Roshan Telecom", "Welcome to Roshan Mobile"), encoding="utf-8")
        await until(pilot, lambda: not errors.display)
        assert not errors.display
        await pilot.press("c")
        await pilot.pause()
        assert "Welcome to Roshan Mobile" in prompt_text(tui)


@pytest.mark.slow
async def test_command_palette_offers_the_actions() -> None:
    tui = app()
    async with tui.run_test(size=(100, 32)) as pilot:
        await command(pilot, "Time x10")
        assert tui.speed == 10 and not tui.paused


async def test_a_trainer_stages_the_floor_from_the_keyboard_and_the_palette() -> None:
    """No surge, no representatives added or sent on a break: a trainer could not stage a busy floor."""
    tui = app()
    async with tui.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert "callers x2" in tui.sub_title
        await pilot.press("left_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert "callers x0.5" in tui.sub_title
        await pilot.press("equals_sign")
        await pilot.pause()
        assert "callers x" not in tui.sub_title
        before = [a.name for a in tui.line.floor().agents]  # type: ignore[union-attr]
        await command(pilot, "Add a representative to Accounts")
        after = [a.name for a in tui.line.floor().agents]  # type: ignore[union-attr]
        assert after == [*before, "Accounts 3"]
        assert any("Accounts 3 logged in" in shown.replace("\n", " ") for shown in toasts(tui))
        await command(pilot, "Send Care on a break")
        states = {a.name: a.state for a in tui.line.floor().agents}  # type: ignore[union-attr]
        assert [states[f"Care {i}"] for i in range(1, 6)] == ["break"] * 5


async def test_a_warm_up_opens_on_a_busy_floor_not_an_empty_one() -> None:
    """The floor always started empty: a class saw no queue until minutes of real time had passed."""
    tui = app(traffic=True, warm_up=1800.0)
    async with tui.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.pause()
        assert tui.clock.now() >= 1800
        floor = tui.line.floor()
        assert floor is not None and floor.totals[-1].offered > 20
        assert any("The floor ran 30 minutes" in shown.replace("\n", " ") for shown in toasts(tui))
        await pilot.press("c")
        await pilot.pause()
        before = tui.clock.now()
        tui.action_warm_up()  # not during a call: it would move the caller's clock on
        await pilot.pause()
        assert any("Hang up first" in shown.replace("\n", " ") for shown in toasts(tui))
        assert tui.clock.now() == before


def still_cursors(tui: Any) -> None:
    """A blinking cursor is drawn or not depending on the instant of the snapshot: hold it still."""
    from textual.widgets import Input

    for field in tui.screen.query(Input):
        field.cursor_blink = False


def keys_then_listen(*keys: str) -> object:
    """For snapshots: press ``keys``, then let the line say what it has to say."""

    async def run(pilot: object) -> None:
        await pilot.press(*keys)  # type: ignore[attr-defined]
        listen(pilot.app)  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        still_cursors(pilot.app)  # type: ignore[attr-defined]
        await pilot.wait_for_scheduled_animations()  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]  # the prompt's "more" hint follows its layout

    return run


def test_snapshot_80x24(snap_compare: object) -> None:
    assert snap_compare(app(), run_before=keys_then_listen("c", "1"), terminal_size=(80, 24))  # type: ignore[operator]


def test_snapshot_160x48(snap_compare: object) -> None:
    run = keys_then_listen("c", "1", "1")
    assert snap_compare(app(), run_before=run, terminal_size=(160, 48))  # type: ignore[operator]


@pytest.mark.slow
async def test_demo_plays_a_script_step_by_step_and_restarts() -> None:
    from ivr.replay.scripts import load_script
    from ivr.tui.demo import DemoApp

    script = load_script(MENUS.parent / "scripts" / "customer-service" / "complaints.call.yaml")
    tui = DemoApp(script, 2, autoplay=False)  # "faulty product": press 1 1 3, then expect the queue
    async with tui.run_test(size=(100, 32)) as pilot:
        for _ in range(len(script.file.calls[2].steps)):
            await pilot.press("n")
            await until(pilot, lambda: not tui.pending_keys)  # the keys of a step go one by one, visibly
        log = transcript(tui)
        assert "⌨ 3" in log and "✓ queued for 'complaints'" in log and "✗" not in log
        assert "end of script" in log
        await pilot.press("r")
        await pilot.pause()
        assert tui.step_index == 0 and tui.call is not None and tui.call.state == "language"
        await pilot.press("space")
        assert tui.autoplay


async def test_demo_waits_pass_visibly_with_captions_and_one_pause_for_steps_and_clock(tmp_path: Path) -> None:
    """A `silence: 60` jumped at once, steps paused while the clock ran, c and h broke the script, and
    steps had no captions."""
    from ivr.replay.scripts import load_script
    from ivr.tui.demo import DemoApp

    script_path = tmp_path / "wait.call.yaml"
    script_path.write_text(
        f"menu: {MENUS / 'customer-service.yaml'}\n"
        "defaults: { world: { at: 2026-11-24T10:00 } }\n"
        "calls:\n  - name: a long pause\n    steps:\n"
        "      - { silence: 60, note: The caller thinks it over for a minute }\n"
        "      - expect: { ended: false }\n"
    )
    script = load_script(script_path, root=MENUS.parent)
    tui = DemoApp(script, 0, autoplay=False)
    async with tui.run_test(size=(100, 32), notifications=True) as pilot:
        assert tui.paused  # one pause: the clock stops with the steps
        await pilot.press("c")  # the script makes the call: the caller's own keys do nothing here
        await pilot.pause()
        assert tui.step_index == 0 and any(
            "the script places the call" in shown.replace("\n", " ") for shown in toasts(tui)
        )
        await pilot.press("space")  # play: steps and clock
        assert tui.autoplay and not tui.paused
        start = tui.clock.now()
        tui.action_step()  # as the step timer does once the line is quiet
        await pilot.pause()
        assert "» The caller thinks it over for a minute" in transcript(tui)
        assert tui.clock.now() - start < 20  # not jumped over the minute (a real tick or two may pass)
        for _ in range(10):
            tui._tick()  # as the clock's timer does, ten times a second
        passed = tui.clock.now() - start
        assert 3 < passed < 45  # about 8 s of wall time for the whole minute: watchable, not a jump
        assert tui.busy_until is not None and tui.effective_speed() > 1


async def test_a_timer_that_fires_while_the_app_closes_does_nothing() -> None:
    """Textual removes the screens before it stops the app's timers: a tick in between found no floor."""
    from ivr.replay.scripts import load_script
    from ivr.tui.demo import DemoApp

    script = load_script(MENUS.parent / "scripts" / "customer-service" / "complaints.call.yaml")
    tui = DemoApp(script, 2, autoplay=True)
    async with tui.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert len(tui.periodic) == 4  # muted, so no speech watchdog: clock, reload, demo step, demo key
    moment, steps = tui.clock.now, tui.step_index
    for job in tui.periodic:
        job()  # what a late timer does between the screens going and the timers stopping
    assert (tui.clock.now, tui.step_index) == (moment, steps)


async def test_quitting_mid_call_hangs_up_and_keeps_the_record(tmp_path: Path) -> None:
    from ivr.records.store import RecordStore

    store = RecordStore(tmp_path / "quit.db")
    tui = app(store=store)
    async with tui.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", "1", "1")
        await pilot.pause()
        await pilot.press("ctrl+q")
    rows = list(store.rows("SELECT outcome, keys FROM calls"))
    assert rows == [{"outcome": "hung up in menu", "keys": "11"}]


async def test_a_call_that_ends_while_the_app_closes_is_still_stored(tmp_path: Path) -> None:
    from ivr.call.events import HungUp
    from ivr.records.store import RecordStore

    store = RecordStore(tmp_path / "closing.db")
    tui = app(store=store)
    async with tui.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", "1")
        await pilot.pause()
        assert tui.call is not None
        assert tui.recorder is not None
        tui.call.listeners[:] = [tui.recorder.on_call]  # the screen gets the end below, as if queued at closing
        tui.call.hang_up()
    [ended] = [event for event in tui.call.transcript if isinstance(event, HungUp)]
    tui.on_call_event_message(CallEventMessage(ended))
    assert [row["outcome"] for row in store.rows("SELECT outcome FROM calls")] == ["hung up in menu"]


@pytest.mark.slow
async def test_role_play_screen_pop_and_the_note_of_the_claim(tmp_path: Path) -> None:
    from ivr.records.store import RecordStore
    from ivr.tui.roleplay import ScreenPop

    store = RecordStore(tmp_path / "role.db")
    tui = app(role="representative", store=store)
    async with tui.run_test(size=(120, 40)) as pilot:
        agents = tui.query_one("#agents", DataTable)
        assert [str(cell) for cell in agents.get_row_at(0)[:2]] == ["you", "available"]  # the trainee's seat
        await pilot.press("c", "1", "2", "1", *"12345678", "1")  # order status, confirmed
        listen(tui)  # "connecting you...": then the call reaches the representative, the user
        await pilot.pause()
        assert isinstance(tui.screen, ScreenPop)
        details = str(tui.screen.query_one("#pop-details", Static).render()).replace("\n", " ")
        assert "order_id = 12345678" in details
        # the way the caller came, in the menu's words, not node ids ("main › doubt › order_number")
        assert "Chose English › a question about an order" in details and "order_number" not in details
        tui.action_speed(60)  # the trainer's x60 does not race a conversation a person is having
        assert tui.effective_speed() == 1 and "x60 (x1 while you talk)" in tui.sub_title
        tui.action_pause()
        tui.advance(75)  # the conversation goes on: the talk timer follows the simulated clock
        await pilot.pause(1.2)
        assert "Talking for 1:15" in str(tui.screen.query_one("#pop-talk", Static).render())
        assert [str(cell) for cell in agents.get_row_at(0)[:2]] == ["you", "talking"]
        await pilot.press(*"parcel is late")
        await pilot.click("#pop-resolved")  # not resolved
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(tui.screen, ScreenPop)
        assert "Your reference number is Y O U 0 0 0 0 0 1" in transcript(tui)
        (done,) = [e for e in tui.call.transcript if e.name == "representative_done"]  # type: ignore[union-attr]
        assert done.talk == pytest.approx(75.0, abs=1.0)  # the conversation's own length, not 0 s
        await pilot.press("2", "3", "4")
        listen(tui)
        await pilot.pause()
        assert tui.call is not None and tui.call.end_reason == "completed"
    [ticket] = list(store.rows("SELECT reference, category, resolved, note, representative FROM tickets"))
    assert ticket == {
        "reference": "YOU-000001",
        "category": "doubt",
        "resolved": 0,
        "note": "parcel is late",
        "representative": "you",
    }
    answers = {r["question"]: r["answer"] for r in store.rows("SELECT question, answer FROM survey_answers")}
    assert answers == {"resolved": "no", "service": "3", "representative": "4"}


async def test_role_play_hold_then_transfer_to_another_queue(tmp_path: Path) -> None:
    from ivr.tui.roleplay import ScreenPop

    tui = app(role="representative")
    async with tui.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", "1", "2", "1", *"12345678", "1")  # order status, confirmed
        listen(tui)
        await pilot.pause()
        assert isinstance(tui.screen, ScreenPop)
        await pilot.press("f5")  # hold: the caller is told, the pop says so
        await pilot.pause()
        assert "on hold" in str(tui.screen.query_one("#pop-talk", Static).render())
        listen(tui)
        await pilot.press("f5")  # back to the caller
        await pilot.pause()
        await pilot.click("#pop-to")  # choose the billing queue, the one after accounts
        await pilot.press("down", "enter")
        assert str(tui.screen.query_one("#pop-to", Select).value) == "billing"
        await pilot.press("f6")
        await pilot.pause()
        assert not isinstance(tui.screen, ScreenPop)
        for _ in range(120):  # the billing team answers and finishes within an hour of simulated time
            if tui.call is None or tui.call.state == "survey":
                break
            tui.advance(30)
            await pilot.pause()
        shown = transcript(tui)
        assert "Please hold for a moment while I check that for you." in shown
        assert "you transfer the caller from 'orders' to 'billing'" in shown
        assert tui.call is not None and tui.call.state == "survey"
        answered = [e.agent for e in tui.call.transcript if e.name == "answered"]
        assert answered[0] == "you" and answered[1] != "you"  # the floor's billing representative


async def test_hold_after_the_caller_hung_up_says_why_and_the_pop_stays() -> None:
    from ivr.tui.roleplay import ScreenPop

    tui = app(role="representative")
    async with tui.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("c", "1", "2", "1", *"12345678", "1")
        listen(tui)
        await pilot.pause()
        assert isinstance(tui.screen, ScreenPop) and tui.live is not None
        tui.live.hang_up()  # the caller puts the phone down mid-conversation
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(tui.screen, ScreenPop)  # no crash: the trainee still writes the note
        assert any("Cannot hold" in shown for shown in toasts(tui))


async def test_caller_briefs_on_the_phone_and_the_call_made_as_the_briefs_caller(tmp_path: Path) -> None:
    from ivr.replay.briefs import load_briefs

    menu = MENUS / "customer-service.yaml"
    briefs = load_briefs(ROOT / "briefs" / "customer-service.briefs.yaml", load_menu(menu)).briefs
    tui = app(briefs=briefs, record_dir=tmp_path)
    async with tui.run_test(size=(120, 40)) as pilot:
        shown = tui.query_one("#brief", PromptBox).shown_text()
        assert "Brief 1 of 4: The late parcel" in shown and "You have order number 12345678" in shown
        await pilot.press("b", "b")  # the third brief: an Urdu speaker
        assert "Brief 3 of 4: No signal at home" in tui.query_one("#brief", PromptBox).shown_text()
        await pilot.press("c")
        listen(tui)
        await pilot.pause()
        assert tui.call is not None
        assert (tui.call.caller.number, tui.call.language) == ("+924237778889", "ur")
        await pilot.press("b")  # not while on a call: the caller stays who they are
        assert "Brief 3 of 4" in tui.query_one("#brief", PromptBox).shown_text()
        await pilot.press("s")
        await pilot.pause()
    (saved,) = tui.saved_scripts
    assert "+924237778889" in saved.read_text(encoding="utf-8")  # the script keeps the brief's caller


@pytest.mark.slow
async def test_a_call_in_the_simulator_saves_as_a_script_that_replays(tmp_path: Path) -> None:
    from tests.conftest import ROOT, run_ivr

    folder = ROOT / "scripts"
    tui = app(record_dir=folder)
    try:
        async with tui.run_test(size=(100, 32)) as pilot:
            await pilot.press("c", "1")
            while "no input (1)" not in transcript(tui):  # the caller says nothing until a timeout fires
                tui.advance(1)
                await pilot.pause()
            await pilot.press("4", "3")  # technical service, mobile: queued, answered, then the survey
            for _ in range(60):  # at most half an hour of simulated time
                if tui.call is None or tui.call.state == "survey":
                    break
                tui.advance(30)
                await pilot.pause()
            assert tui.call is not None and tui.call.state == "survey"
            listen(tui)
            await pilot.press("1", "5", "4")
            listen(tui)
            await pilot.pause()
            assert tui.call is not None and tui.call.end_reason == "completed"
            await pilot.press("s")
            await pilot.pause()
            [saved] = tui.saved_scripts
        text = saved.read_text(encoding="utf-8")
        assert "no_input: 1" in text and "queued: tech_mobile" in text
        assert "answered: true" in text and "hung_up: completed" in text
        result = run_ivr("replay", str(saved))
        assert result.returncode == 0, result.stdout[-2000:]
    finally:
        for path in tui.saved_scripts:
            path.unlink(missing_ok=True)


@pytest.mark.slow
async def test_the_command_palette_with_nothing_found_and_page_up_does_not_crash() -> None:
    """Issue 12: Ctrl+P, text that matches nothing, PageUp used to end in `KeyError: 0` and exit 0."""
    tui = app()
    async with tui.run_test(size=(100, 32)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        for key in ("z", "q", "x", "j", "pageup", "pagedown", "up", "down", "escape"):
            await pilot.press(key)
            await pilot.pause()
        assert tui.is_running and tui.crash_message is None
    assert not tui.return_code


async def test_an_unexpected_error_is_logged_and_told_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))

    def broken(self: IvrApp) -> None:
        raise RuntimeError("a bug in ivr\nsecond line")

    monkeypatch.setattr(IvrApp, "action_pause", broken)
    tui = app()
    with pytest.raises(RuntimeError):
        async with tui.run_test(size=(100, 32)) as pilot:
            await pilot.press("p")
            await pilot.pause()
    assert tui.return_code == 1
    message = tui.crash_message or ""
    assert "\n" not in message and "RuntimeError: a bug in ivr" in message
    (log,) = (tmp_path / "ivr" / "log").glob("crash-*.log")
    assert str(log) in message
    assert "Traceback" in log.read_text() and "raise RuntimeError" in log.read_text()


def test_ivr_run_exits_non_zero_with_one_line_when_the_app_crashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ivr.cli import common as cli

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))

    def broken(self: IvrApp) -> None:
        raise KeyError(0)

    monkeypatch.setattr(IvrApp, "on_mount", broken)
    assert cli.run_tui(app(), headless=True) is True
    said = capsys.readouterr().err.strip()
    assert said.startswith("ivr stopped on an unexpected error (KeyError: 0)") and "\n" not in said
    assert "crash-" in said and "Traceback" not in said


async def test_a_long_prompt_says_there_is_more_and_a_short_one_does_not() -> None:
    """Issue 15: the prompt box was a fixed 4 lines; the main menu lost "press 0 ... press 9" with no hint."""
    for size, hinted in (((80, 24), True), ((160, 48), False)):
        tui = app()
        async with tui.run_test(size=size) as pilot:
            await pilot.press("c", "1")
            listen(tui)
            await pilot.pause()
            await pilot.pause()
            prompt = tui.query_one("#prompt", PromptBox)
            assert "To hear these options again, press 9" in prompt_text(tui)
            assert (prompt.border_subtitle == "more ↓ scroll") is hinted, size
            # and scrolling reaches its last line (it stopped two lines down, whatever the prompt's length)
            region = prompt.scrollable_content_region
            lines = prompt.query_one(Static).get_content_height(region.size, region.size, region.width)
            assert prompt.max_scroll_y == max(0, lines - region.height), size
            if hinted:  # scrolled to its end, the box says the rest is above
                prompt.scroll_end(animate=False)
                await pilot.pause()
                assert prompt.border_subtitle == "↑ scroll back"
                prompt.scroll_home(animate=False)
                await pilot.pause()
                assert prompt.border_subtitle == "more ↓ scroll"
            under_map = tui.query_one("#node-prompt", PromptBox)  # the same prompt, under the map: it scrolls too
            region = under_map.scrollable_content_region
            lines = under_map.query_one(Static).get_content_height(region.size, region.size, region.width)
            assert lines > region.height or not hinted  # at 80x24 it does not fit in its two rows
            assert under_map.max_scroll_y == max(0, lines - region.height), size
            log = tui.query_one("#transcript", RichLog)
            assert log.content_region.height >= 5, size  # the transcript keeps lines a class can read


async def test_a_long_urdu_prompt_keeps_its_shaped_lines_whole_beside_the_scrollbar() -> None:
    """Urdu is wrapped by ivr, in reading order, before it is reordered for display: a line the box wrapped
    again would read in the wrong order. The scrollbar a long prompt brings must not take a line's last
    column."""
    tui = app()
    async with tui.run_test(size=(80, 24)) as pilot:
        await pilot.press("c", "2")  # Urdu
        listen(tui)
        await pilot.pause()
        await pilot.pause()
        box = tui.query_one("#prompt", PromptBox)
        region = box.scrollable_content_region
        drawn = box.query_one(Static).get_content_height(region.size, region.size, region.width)
        assert box.max_scroll_y > 0  # long enough to scroll, with its scrollbar shown
        assert drawn == box.shown_text().count("\n") + 1  # each shaped line drawn as one line


async def test_the_floor_tables_keep_every_column_at_80x24() -> None:
    """Issue 15: at 80x24 "available" was cut to "availa" and the "with" column was gone."""
    tui = app()
    async with tui.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for table_id in ("#agents", "#waiting"):
            table = tui.query_one(table_id, DataTable)
            needed = sum(column.get_render_width(table) for column in table.columns.values())
            assert needed <= table.content_region.width, (table_id, needed, table.content_region.width)


async def test_the_footer_offers_the_palette_key_only_where_there_is_room_for_it() -> None:
    """Below 120 columns the palette's key gives way to the others; widening the window brought it back
    only after the next change of keys, and narrowing it left it there."""
    from textual.widgets._footer import FooterKey

    tui = app()
    async with tui.run_test(size=(100, 30)) as pilot:
        await pilot.pause()

        def keys() -> list[str]:
            return [key.key for key in tui.screen.query(FooterKey)]

        assert "ctrl+p" not in keys() and "c" in keys()
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert "ctrl+p" in keys() and "c" in keys()
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert "ctrl+p" not in keys() and "c" in keys()


async def test_projector_mode_shows_one_panel_at_a_time_and_capitals_work() -> None:
    tui = app()
    async with tui.run_test(size=(100, 32)) as pilot:
        await pilot.press("C")  # as the docs write it
        await pilot.pause()
        assert tui.call is not None
        shown = []
        for _ in range(4):
            await pilot.press("v")
            await pilot.pause()
            maximized = tui.screen.maximized
            shown.append(maximized.id if maximized is not None else None)
            if maximized is not None:
                assert f"{maximized.id} full screen (V: next)" in tui.sub_title
        assert shown == ["phone", "map", "floor", None]
        assert "full screen" not in tui.sub_title
        before = tui.paused
        await pilot.press("P")
        await pilot.pause()
        assert tui.paused is not before


async def test_the_floor_shows_each_queue_against_its_own_target() -> None:
    """Issue 15: the headline read "SL - of 95%", a call-weighted mix of targets with different thresholds,
    and a red "SL 0%" before anyone could be answered."""
    tui = app(traffic=True)
    async with tui.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        figures = str(tui.query_one("#figures", Static).render())
        assert "No calls offered yet" in figures and "0%" not in figures
        tui.advance(1800)
        await pilot.pause(0.3)
        figures = str(tui.query_one("#figures", Static).render())
        assert "billing" in figures and "(target 80% in 60 s)" in figures  # the menu: billing is 80/60
        assert "(target 90% in 120 s)" in figures  # other queues keep their own target
        assert "of 95%" not in figures


async def test_the_map_shows_a_prompt_with_its_variables_by_name_or_filled() -> None:
    """Issue 15: the prompt under the map showed raw `{account_number|digits}`."""
    from ivr.tui.panels import MenuMap

    tui = app()
    async with tui.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        menu_map = tui.query_one(MenuMap)
        menu_map.move_cursor(menu_map.nodes_by_id["billing_queue"][0])  # the cursor on the node, as by arrow keys
        await pilot.pause()
        shown = tui.query_one("#node-prompt", PromptBox).shown_text()
        assert "‹account_number›" in shown and "{" not in shown
        filled = menu_map.prompt_of("billing_queue", "en", {"account_number": "1234567897"})
        assert "account 1 2 3 4 5 6 7 8 9 7 with you" in filled  # during a call: the call's value


async def test_the_screenshot_goes_to_a_named_folder_and_says_where(tmp_path: Path) -> None:
    """Issue 15: the palette's Screenshot failed when ~/Downloads was missing and said no path."""
    tui = app(record_dir=tmp_path)
    async with tui.run_test(size=(100, 32), notifications=True) as pilot:
        await pilot.press("f12")
        await pilot.pause()
        (svg,) = (tmp_path / "screenshots").glob("*.svg")
        assert "<svg" in svg.read_text(encoding="utf-8")
        shown = toasts(tui)
        assert any(str(svg) in t.replace("\n", "") for t in shown), shown


async def test_agents_show_how_long_they_have_been_in_their_state() -> None:
    tui = app(traffic=True)
    async with tui.run_test(size=(160, 48)) as pilot:
        tui.advance(600)
        await pilot.pause(0.3)
        table = tui.query_one("#agents", DataTable)
        assert [str(c.label) for c in table.columns.values()] == ["agent", "state", "for", "with"]
        spans = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        assert spans and all(s.endswith((" s", " m", " h")) for s in spans)
        assert any(s.endswith(" m") for s in spans)  # someone has been idle or busy for minutes by now


@pytest.mark.slow
async def test_a_watched_demo_presses_each_key_only_after_its_prompt_has_been_said() -> None:
    """Issue 15: a call finished in ~3 s with steps every 1.5 s whatever the prompt's length. Watched at
    the default speed (the demo's own timers, driven here tick by tick), each press step's first key
    comes after the prompt before it has been said to the end (the rest of an entry is typed on), and
    every prompt has its whole reading time before the next one starts."""
    from ivr.replay.scripts import load_script
    from ivr.tui.demo import KEY_SECONDS, STEP_SECONDS, DemoApp

    script = load_script(MENUS.parent / "scripts" / "customer-service" / "complaints.call.yaml")
    tui = DemoApp(script, 0, autoplay=True)  # overcharge: five press steps, an account number among them
    async with tui.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert tui.speed == 1
        for tick in range(1, 6000):  # up to 600 s of watching, the queue wait included
            tui._tick()
            if tick % round(STEP_SECONDS / 0.1) == 0:
                tui._auto_step()
                await pilot.pause()
            if tick % round(KEY_SECONDS / 0.1) == 0 and tui.pending_keys:
                tui._next_key()
                await pilot.pause()
            if tui.step_index >= len(tui.call_spec.steps) and not tui.pending_keys and tui.busy_until is None:
                break
    assert_each_step_heard_before_its_keys(tui, every_prompt_whole=True)


async def test_stepping_a_paused_demo_by_hand_hears_each_prompt_before_the_keys() -> None:
    """N pressed a step's keys at once, cutting into the prompt, where the script (and `ivr replay`) listens
    to the point of choice first: a trainer stepping through the call saw another call than the script's."""
    from ivr.replay.scripts import load_script
    from ivr.tui.demo import DemoApp

    script = load_script(MENUS.parent / "scripts" / "customer-service" / "complaints.call.yaml")
    tui = DemoApp(script, 2, autoplay=False)  # "faulty product": press 1 1 3 as its first step
    async with tui.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(len(tui.call_spec.steps)):
            await pilot.press("n")
            await until(pilot, lambda: not tui.pending_keys)
        assert "✗" not in transcript(tui)
    # the step's keys after the first are typed on, as `ivr replay` types them: they may cut prompts short
    assert_each_step_heard_before_its_keys(tui, every_prompt_whole=False)


def assert_each_step_heard_before_its_keys(tui: Any, every_prompt_whole: bool) -> None:
    """Every press step's keys were pressed, each step's first key after the prompt before it was said to
    the end, and (``every_prompt_whole``) every prompt had its whole reading time before the next one."""
    from ivr.call.events import KeyPressed, PromptPlayed
    from ivr.call.pacing import READING

    presses = [step.press.keys for step in tui.call_spec.steps if step.press is not None]
    events = list(tui.call.transcript)
    keys = [e for e in events if isinstance(e, KeyPressed)]
    assert [e.key for e in keys] == [key for keys_ in presses for key in keys_], "the script's keys were not pressed"
    first_keys = {id(keys[sum(len(k) for k in presses[:i])]) for i in range(len(presses))}
    last_prompt: PromptPlayed | None = None
    checked = 0
    for event in events:
        if isinstance(event, PromptPlayed):
            if last_prompt is not None and every_prompt_whole:
                said = READING(last_prompt.text, last_prompt.language)
                assert event.at >= last_prompt.at + said - 0.01, (last_prompt.text, event.text)
            last_prompt = event
        elif isinstance(event, KeyPressed) and id(event) in first_keys and last_prompt is not None:
            said = READING(last_prompt.text, last_prompt.language)
            assert event.at >= last_prompt.at + said - 0.01, f"{event.key} cut into {last_prompt.text!r}"
            checked += 1
            last_prompt = None  # the keys typed on after it are the same step's
    assert checked == len(presses)


async def test_a_trainer_stages_a_scenario_from_the_palette() -> None:
    """Issue 15: no scenario presets. The bundled line's lunch: Care and Billing on a 45-minute break and
    ten minutes run at once, staged from the palette; R brings the menu's own floor back."""
    tui = app(traffic=True)
    async with tui.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.pause()
        start = tui.clock.now()
        await command(pilot, "Scenario: Lunch")
        states = {a.name: a.state for a in tui.line.floor().agents}  # type: ignore[union-attr]
        assert {states[f"Care {i}"] for i in range(1, 6)} == {"break"}
        assert {states[f"Billing {i}"] for i in range(1, 5)} == {"break"}
        assert states["Tech 1"] != "break" and tui.clock.now() - start >= 600
        shown = " ".join(t.replace("\n", " ") for t in toasts(tui))
        assert "5 of Care on a break; 4 of Billing on a break; the floor ran 10 minutes" in shown, shown


async def test_ivr_run_opens_on_a_scenario_and_refuses_a_wrong_one(tmp_path: Path) -> None:
    """`ivr run --scenario monday_rush`: callers x2, two of Care fewer, half an hour run before the class
    looks. A scenario file naming a team the line lacks is refused at its line, exit 2, before any screen."""
    from ivr.menu import load_menu
    from ivr.menu.scenarios import find_scenario

    menu = load_menu(MENUS / "customer-service.yaml")
    tui = app(traffic=True)
    tui.opening = find_scenario(menu, "monday_rush")
    async with tui.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert tui.line.pace == 2.0 and "callers x2" in tui.sub_title
        assert tui.clock.now() >= 1800
        care = [a for a in tui.line.floor().agents if a.name.startswith("Care")]  # type: ignore[union-attr]
        assert sum(a.state != "logged out" for a in care) == 3  # shown as "gone home"
    bad = tmp_path / "rush.yaml"
    bad.write_text("pace: 3\nstaffing: { Cara: 2 }\n", encoding="utf-8")
    result = run_ivr("run", str(MENUS / "customer-service.yaml"), "--scenario", str(bad))
    assert result.returncode == 2 and f"{bad}:2:13: error: unknown team 'Cara' (did you mean 'Care'?)" in result.stderr


async def test_the_floor_tables_follow_the_floor_as_it_moves() -> None:
    """The tables change only their changed cells ten times a second: after minutes of a busy floor,
    every row on screen still says what the floor says (state, who with, who waits and for how long)."""
    tui = app(traffic=True)
    async with tui.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await command(pilot, "Surge x2")
        for _ in range(8):
            tui.advance(60)
            await pilot.pause()
            floor = tui.line.floor()
            assert floor is not None
            agents = tui.query_one("#agents", DataTable)
            shown = [[str(cell) for cell in agents.get_row_at(i)] for i in range(agents.row_count)]
            expected_states = [{"logged out": "gone home"}.get(a.state, a.state) for a in floor.agents]
            assert [row[1] for row in shown] == expected_states
            assert [row[3] for row in shown] == ["" if a.contact is None else f"#{a.contact}" for a in floor.agents]
            waiting = tui.query_one("#waiting", DataTable)
            rows = [[str(cell) for cell in waiting.get_row_at(i)] for i in range(waiting.row_count)]
            ordered = sorted(floor.waiting, key=lambda w: -w.wait)
            assert rows == [[f"#{w.contact}", w.queue, f"{w.wait:.0f} s"] for w in ordered]
        assert any(a.contact is not None for a in floor.agents), "the floor never got busy"


def test_snapshot_200x60(snap_compare: object) -> None:
    """The room of a large screen used: a caller queued for billing, with the floor busy around them."""
    run = keys_then_listen("c", "1", "1", "1")
    assert snap_compare(app(traffic=True, warm_up=900.0), run_before=run, terminal_size=(200, 60))  # type: ignore[operator]


@pytest.mark.parametrize("menu", ["customer-service", "it-helpdesk", "bank-balance"])
async def test_the_map_draws_every_node_once_and_every_way_out(menu: str) -> None:
    """The map lost the `agent` node (reached by key 0 and by attempts used up), never drew `*` or the
    repeat key, and a caller queued through 0 stayed highlighted on `main`."""
    tui = app(MENUS / f"{menu}.yaml")
    async with tui.run_test(size=(160, 48)) as pilot:
        menu_map = tui.query_one(MenuMap)
        drawn: list[str] = []

        def walk(item: Any) -> None:
            for child in item.children:
                drawn.append(child.label.plain)
                walk(child)

        walk(menu_map.root)
        placed = [line for line in drawn if not line.endswith("↺")]
        names = [line.split(" → ")[-1].rsplit(" ", 1)[0] for line in placed]
        assert sorted(names) == sorted(tui.menu.nodes)  # every node, once
        if menu == "customer-service":
            ways = {line.split(" → ")[0] for line in drawn if " → " in line}
            assert {"0 representative", "attempts used up", "* back", "9 again", "queue busy"} <= ways
            await pilot.press("c", "1")
            listen(tui)
            await pilot.press("0")
            listen(tui)
            assert menu_map.current == "agent" and menu_map.cursor_node is not None
            assert menu_map.cursor_node.data == "agent"  # the highlight follows the caller into the queue


@pytest.mark.parametrize("focused", [False, True])
async def test_the_map_repaints_every_line_that_changed_as_the_caller_moves(focused: bool) -> None:
    """The map repaints only the lines of the nodes whose mark or cursor changed, not whole branches (a
    key press repainted most of the map). What it shows after each press must be what a full repaint
    shows: no line left with an old mark, an old cursor or an old guide, focused or not, under the mouse."""
    from textual.geometry import Region

    tui = app()
    async with tui.run_test(size=(120, 40)) as pilot:
        menu_map = tui.query_one(MenuMap)
        if focused:  # the guides below the cursor are drawn in their own colour only when the map has focus
            menu_map.focus()

        def lines() -> list[list[tuple[str, str]]]:
            strips = menu_map.render_lines(Region(0, 0, *menu_map.outer_size))
            return [[(part.text, str(part.style)) for part in strip] for strip in strips]

        async def shown_then_repainted() -> tuple[object, object]:
            await pilot.pause()
            shown = lines()
            menu_map.refresh()  # every line of the map drawn again
            await pilot.pause()
            return shown, lines()

        for keys in [("c",), ("1",), ("1",), ("1",), ("asterisk",), ("2",), ("asterisk",), ("asterisk",)]:
            await pilot.press(*keys)
            listen(tui)
            shown, repainted = await shown_then_repainted()
            assert shown == repainted, f"stale lines on the map after {keys}"
        for offset in ((10, 3), (10, 6), (20, 9), (10, 4)):  # the mouse over the map, from line to line
            await pilot.hover(MenuMap, offset=offset)
            shown, repainted = await shown_then_repainted()
            assert shown == repainted, f"stale lines on the map with the mouse at {offset}"
        assert menu_map.current == "treatment"  # the caller went down, back up and down another branch


def desk_with_a_caller() -> object:
    """A representative's desk (two-seat role play), told by the room what a class would see: two
    trainees seated, and a caller from another tab in front of this one."""
    from ivr.tui.desk import DeskApp
    from ivr.tui.seating import RoomMessage

    card = {
        "number": "+923001112223",
        "tier": "gold",
        "language": "en",
        "queue": "orders",
        "journey": ["English", "a question about an order, your account or our offices", "the orders queue"],
        "collected": {"topic": "order_status", "order_id": "12345678"},
        "category": "doubt",
        "queues": ["accounts", "billing", "complaints"],
    }
    said = [
        {"type": "welcome", "name": "Trainee 1"},
        {"type": "incoming", "caller": "Caller 1", "card": card},
        {
            "type": "roster",
            "representatives": [
                {"name": "Trainee 1", "state": "talking", "for": 0, "with": "Caller 1"},
                {"name": "Trainee 2", "state": "available", "for": 65, "with": ""},
            ],
            "waiting": 1,
        },
    ]

    async def run(pilot: Any) -> None:
        await pilot.pause(0.2)  # the desk finds no room here, and says so; then the room's messages
        for data in said:
            pilot.app.post_message(RoomMessage(data))
            await pilot.pause()
        still_cursors(pilot.app)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    return DeskApp("/nonexistent/room.sock", "customer-service", clock=lambda: 100.0), run  # a still clock


@pytest.mark.parametrize("size", [(80, 24), (160, 48), (200, 60)])
def test_snapshot_desk(snap_compare: Any, size: tuple[int, int]) -> None:
    desk, run = desk_with_a_caller()  # type: ignore[misc]
    assert snap_compare(desk, run_before=run, terminal_size=size)


def test_snapshot_caller_with_a_brief_80x24(snap_compare: Any) -> None:
    from ivr.replay.briefs import load_briefs

    briefs = load_briefs(ROOT / "briefs" / "customer-service.briefs.yaml", load_menu(MENUS / "customer-service.yaml"))
    assert snap_compare(app(briefs=briefs.briefs), run_before=keys_then_listen("c", "1"), terminal_size=(80, 24))


SIZES = [(80, 24), (160, 48), (200, 60)]


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_demo(snap_compare: Any, size: tuple[int, int]) -> None:
    """A demo two steps in ("faulty product": 1 1 3 pressed, the queue expected), captions and ticks shown."""
    from ivr.replay.scripts import load_script
    from ivr.tui.demo import DemoApp

    script = load_script(MENUS.parent / "scripts" / "customer-service" / "complaints.call.yaml")
    demo = DemoApp(script, 2, autoplay=False)

    async def run(pilot: Any) -> None:
        for _ in range(len(script.file.calls[2].steps)):
            await pilot.press("n")
            await until(pilot, lambda: not demo.pending_keys)  # each key of a step is shown being pressed
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    assert snap_compare(demo, run_before=run, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_role_play_screen_pop(snap_compare: Any, size: tuple[int, int]) -> None:
    """The user as the representative: the screen pop over the simulator, a caller on the orders queue."""
    assert snap_compare(
        app(role="representative"),
        run_before=keys_then_listen("c", "1", "2", "1", *"12345678", "1"),
        terminal_size=size,
    )


async def test_the_callers_seat_waits_in_the_room_then_the_trainees_note_ends_the_conversation(tmp_path: Path) -> None:
    """Two-seat role play from the caller's tab, with the representative's tab played by a plain socket: the
    queued call waits in the room (and the caller hears they are held), then a trainee answers and notes
    the claim, and the caller's call goes on to the reference."""
    import asyncio
    import json

    from ivr.records.store import RecordStore
    from ivr.tui.room import Room

    room = Room(str(tmp_path / "room.sock"))
    await room.start()
    store = RecordStore(tmp_path / "class.db")
    tui = app(room=room.path, store=store)
    try:
        async with tui.run_test(size=(120, 40)) as pilot:
            await pilot.press("c", "1", "2", "1", *"12345678", "1")  # order status, confirmed: the orders queue
            listen(tui)
            # nobody is seated yet: the caller waits in the room, and hears the comfort message
            await until(pilot, lambda: "Thank you for holding" in transcript(tui))
            assert "Thank you for holding" in transcript(tui)
            assert not room.seats[0].partner and room.waiting[0] is room.seats[0]
            reader, writer = await asyncio.open_unix_connection(room.path)
            writer.write(b'{"type": "hello", "seat": "representative"}\n')
            incoming: dict[str, object] = {}
            while incoming.get("type") != "incoming":
                incoming = json.loads(await asyncio.wait_for(reader.readline(), 5))
            card = incoming["card"]
            assert isinstance(card, dict) and card["collected"]["order_id"] == "12345678"
            await until(pilot, lambda: "Trainee 1 answers" in transcript(tui))
            note = {"type": "note", "category": "doubt", "resolved": False, "text": "lost in transit"}
            writer.write((json.dumps(note) + "\n").encode())
            await until(pilot, lambda: tui.call is not None and tui.call.status == "active")
            listen(tui)
            await pilot.pause()
            assert "Your reference number is T R N 0 0 0 0 0 1" in transcript(tui)
            await pilot.press("h")
            await pilot.pause()
            writer.close()
    finally:
        await room.stop()
    [ticket] = list(store.rows("SELECT reference, note, representative, resolved FROM tickets"))
    expected = {"reference": "TRN-000001", "note": "lost in transit", "representative": "Trainee 1", "resolved": 0}
    assert ticket == expected


async def test_the_desks_roster_counts_each_trainees_time_in_state_on() -> None:
    from ivr.tui.desk import DeskApp
    from ivr.tui.seating import RoomMessage

    now = [100.0]
    desk = DeskApp("/nonexistent/room.sock", "customer-service", clock=lambda: now[0])
    async with desk.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        roster = {"name": "Trainee 2", "state": "available", "for": 5, "with": ""}
        desk.post_message(RoomMessage({"type": "roster", "representatives": [roster], "waiting": 0}))
        await pilot.pause()
        table = desk.query_one("#representatives", DataTable)
        assert [str(cell) for cell in table.get_row_at(0)] == ["Trainee 2", "available", "0:05", ""]
        now[0] += 60  # a minute on, with no news from the room
        await pilot.pause(1.2)
        assert str(table.get_row_at(0)[2]) == "1:05"
