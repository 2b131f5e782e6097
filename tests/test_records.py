"""Records: the store, survey answers, tickets, `ivr report`, and nothing lost when a run is killed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.records.store import SCHEMA_VERSION, CallRecord, RecordsError, RecordStore, Ticket
from tests.conftest import ROOT, run_ivr

CS = "menus/customer-service.yaml"


def record(call_id: str, **changes: object) -> CallRecord:
    now = datetime(2026, 11, 24, 10, tzinfo=UTC)
    base = CallRecord(call_id, "m", "live", now, now, "en", "+92", ["main", "q"], "1", 3.0, "answered")
    for name, value in changes.items():
        setattr(base, name, value)
    return base


def test_store_writes_a_call_with_its_ticket_and_survey(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "r.db")
    assert store.version == SCHEMA_VERSION
    ticket = Ticket("REF-1", "complaint", {"order_id": "12345678"}, "Ayesha", True)
    store.add(record("a", queue="billing", ticket=ticket, survey={"resolved": "yes", "service": 5}))
    rows = list(store.rows("SELECT c.call_id, t.category, t.data FROM calls c JOIN tickets t USING (call_id)"))
    assert rows == [{"call_id": "a", "category": "complaint", "data": '{"order_id": "12345678"}'}]
    answers = {r["question"]: r["answer"] for r in store.rows("SELECT question, answer FROM survey_answers")}
    assert answers == {"resolved": "yes", "service": "5"}
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_failed_write_leaves_nothing_half_written(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "r.db")
    store.add(record("a", ticket=Ticket("REF-1", "other", {}, None, None)))
    with pytest.raises(RecordsError, match="cannot write to the records database"):
        store.add(record("b", ticket=Ticket("REF-1", "other", {}, None, None)))  # duplicate reference
    assert [r["call_id"] for r in store.rows("SELECT call_id FROM calls")] == ["a"]


def test_old_databases_are_migrated(tmp_path: Path) -> None:
    from ivr.records.store import MIGRATIONS

    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        db.execute(statement)
    db.execute(
        "INSERT INTO calls VALUES ('x','m','live','t','t',NULL,NULL,'[]','',0,NULL,NULL,'answered',NULL,NULL,NULL,NULL)"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    store = RecordStore(path)
    assert store.version == SCHEMA_VERSION
    assert [r["sl_seconds"] for r in store.rows("SELECT sl_seconds FROM calls")] == [None]


def test_unusable_databases_get_a_clear_message(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(RecordsError) as info:
        RecordStore(junk)
    assert "not an ivr records database" in str(info.value)
    newer = tmp_path / "newer.db"
    db = sqlite3.connect(newer)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    with pytest.raises(RecordsError, match="upgrade ivr"):
        RecordStore(newer)


def test_live_call_is_recorded_with_ticket_reference_and_survey(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    result = run_ivr(
        "call", CS, "--at", "2026-11-24T11:00", "--no-traffic", "--keys", "1 2 1 12345678 1 1 4 5", "--db", str(db)
    )
    assert result.returncode == 0, result.stderr
    assert "Your reference number is R E F 0 0 0 0 0 1" in result.stdout
    assert "✎" in result.stdout and "☺" in result.stdout
    store = RecordStore(db)
    [call] = list(store.rows("SELECT * FROM calls"))
    assert call["outcome"] == "answered" and call["queue"] == "orders" and call["reference"] == "REF-000001"
    assert json.loads(call["path"])[-3:] == ["after_call", "survey", "goodbye"]
    [ticket] = list(store.rows("SELECT * FROM tickets"))
    assert ticket["category"] == "doubt" and json.loads(ticket["data"]) == {
        "topic": "order_status",
        "order_id": "12345678",
    }
    answers = {r["question"]: r["answer"] for r in store.rows("SELECT question, answer FROM survey_answers")}
    assert answers == {"resolved": "yes", "service": "4", "representative": "5"}


def test_a_second_live_call_into_a_used_database_gets_the_next_reference(tmp_path: Path) -> None:
    """Every run used to start at REF-000001: the second call failed on `UNIQUE tickets.reference`."""
    db = tmp_path / "twice.db"
    keys = ["call", CS, "--at", "2026-11-24T11:00", "--no-traffic", "--keys", "1 2 1 12345678 1 1 4 5", "--db"]
    first, second = run_ivr(*keys, str(db)), run_ivr(*keys, str(db))
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert "R E F 0 0 0 0 0 1" in first.stdout and "R E F 0 0 0 0 0 2" in second.stdout  # as heard, as stored
    references = [r["reference"] for r in RecordStore(db).rows("SELECT reference FROM tickets ORDER BY 1")]
    assert references == ["REF-000001", "REF-000002"]


def test_two_simulated_days_into_one_database_keep_every_call(tmp_path: Path) -> None:
    db = tmp_path / "days.db"
    stored = 0
    for day, seed in (("2026-11-24", "1"), ("2026-11-25", "2")):
        result = run_ivr("simulate", CS, "--hours", "1", "--start", f"{day}T09:00", "--seed", seed, "--db", str(db))
        assert result.returncode == 0, result.stderr
        assert "error" not in result.stderr
        stored += int(result.stderr.split("stored ")[1].split(" ")[0].replace(",", ""))
    store = RecordStore(db)
    assert stored > 250 and next(store.rows("SELECT count(*) AS n FROM calls"))["n"] == stored
    counts = next(store.rows("SELECT count(*) AS n, count(DISTINCT reference) AS d FROM tickets"))
    assert counts["n"] == counts["d"] > 200


def _write_from_another_process(path: str, name: str, start: float) -> None:
    """Wait for the agreed moment, open the (new) database and write 40 calls with tickets."""
    while time.time() < start:
        time.sleep(0.001)
    store = RecordStore(Path(path))
    book = store.references(block=7)
    for i in range(40):
        store.add(record(f"{name}-{i}", ticket=Ticket(book("REF"), "other", {}, None, None)))


@pytest.mark.slow
def test_two_processes_opening_a_new_database_at_once_lose_nothing(tmp_path: Path) -> None:
    """Both used to read schema version 0 and create the tables: one failed and lost its whole run."""
    import multiprocessing

    for attempt in range(3):
        path = tmp_path / f"race{attempt}.db"
        start = time.time() + 0.5
        context = multiprocessing.get_context("spawn")
        writers = [context.Process(target=_write_from_another_process, args=(str(path), n, start)) for n in "ab"]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(60)
        assert [w.exitcode for w in writers] == [0, 0]
        store = RecordStore(path)
        assert next(store.rows("SELECT count(*) AS n FROM calls"))["n"] == 80
        assert next(store.rows("SELECT count(DISTINCT reference) AS n FROM tickets"))["n"] == 80


def test_report_skips_rows_it_cannot_read_and_sums_the_rest(tmp_path: Path) -> None:
    """A path that is not JSON or a wait of 'abc' (a database edited by hand) gave a traceback."""
    db = tmp_path / "edited.db"
    store = RecordStore(db)
    for name in ("good", "bad-path", "bad-wait", "good-2"):
        store.add(record(name, queue="billing", time_in_queue=10.0))
    store.db.execute("UPDATE calls SET path = 'not json' WHERE call_id = 'bad-path'")
    store.db.execute("UPDATE calls SET time_in_queue = 'abc' WHERE call_id = 'bad-wait'")
    store.db.execute("INSERT INTO survey_answers VALUES ('good', 'service', 5)")  # a number, not text
    result = run_ivr("report", "--db", str(db), "--json")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "skipped call 'bad-path': path 'not json' is not a list of nodes" in result.stderr
    assert "skipped call 'bad-wait': time_in_queue 'abc' is not a number of seconds" in result.stderr
    payload = json.loads(result.stdout)
    assert payload["calls"] == 2 and len(payload["skipped"]) == 2
    assert payload["queues"][0]["offered"] == 2


def test_suggestions_left_as_messages_become_tickets(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    run_ivr("call", CS, "--at", "2026-11-24T11:00", "--keys", "1 3", "--db", str(db))
    [ticket] = list(RecordStore(db).rows("SELECT * FROM tickets"))
    assert ticket["category"] == "suggestion" and ticket["representative"] == "voicemail"


def test_db_flag_alone_uses_the_data_folder(tmp_path: Path) -> None:
    env_home = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "ivr", "call", CS, "--at", "2026-11-24T11:00", "--keys", "1 3", "--db"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "XDG_DATA_HOME": str(env_home)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (env_home / "ivr" / "records.sqlite3").exists()


def test_report_from_a_simulated_day(tmp_path: Path) -> None:
    db = tmp_path / "day.db"
    sim = run_ivr("simulate", CS, "--hours", "4", "--start", "2026-11-24T09:00", "--db", str(db), "--json")
    assert sim.returncode == 0, sim.stderr
    calls = json.loads(sim.stdout)["calls"]
    payload = json.loads(run_ivr("report", "--db", str(db), "--json").stdout)
    assert payload["calls"] >= calls  # retried callers are calls too
    assert 0.5 < payload["first_contact_resolution"] < 0.9 and 0 < payload["csat"] <= 1
    assert {q["queue"] for q in payload["queues"]} >= {"billing", "orders", "tech_internet"}
    assert payload["paths"][0]["calls"] >= payload["paths"][-1]["calls"]
    assert all(0 < d["rate"] <= 1 for d in payload["drop_off"])
    assert {s["question"] for s in payload["survey"]} == {"resolved", "service", "representative"}
    text = run_ivr("report", "--db", str(db))
    assert "first-contact resolution" in text.stdout and "Drop-off per node" in text.stdout
    rows = run_ivr("report", "--db", str(db), "--csv").stdout.splitlines()
    assert rows[0] == "section,name,figure,value" and any(r.startswith("queue,billing,service_level,") for r in rows)
    missing = run_ivr("report", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and "no records database" in missing.stderr


@pytest.mark.slow
def test_killing_a_run_loses_no_finished_call(tmp_path: Path) -> None:
    """A simulation killed mid-run keeps every call it reported as stored, and the database is sound."""
    db = tmp_path / "killed.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "ivr", "simulate", CS, "--hours", "1000", "--db", str(db), "--verbose", "--json"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    stored = 0
    deadline = time.monotonic() + 60
    while stored < 3000 and time.monotonic() < deadline:
        line = process.stderr.readline()
        if line.startswith("stored "):
            stored = int(line.split()[1])
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert stored >= 3000
    store = RecordStore(db)
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    count = store.db.execute("SELECT count(*) FROM calls").fetchone()[0]
    assert count >= stored
    orphans = store.db.execute("SELECT count(*) FROM tickets WHERE call_id NOT IN (SELECT call_id FROM calls)")
    assert orphans.fetchone()[0] == 0


def test_ticket_categories_are_the_menus_own_words_and_the_report_groups_by_them(tmp_path: Path) -> None:
    """`set: {category: appointment}` landed every ticket in `other`: categories were fixed to five."""
    menu = tmp_path / "hospital.yaml"
    menu.write_text(
        """\
name: hospital
start: main
queues:
  bookings: {}
nodes:
  main:
    type: menu
    prompt: "To book an appointment, press 1. For a prescription refill, press 2."
    options:
      "1": { goto: desk, set: { category: appointment } }
      "2": { goto: desk, set: { category: "Prescription  Refill" } }
  desk: { type: queue, queue: bookings }
centre:
  agents: [ { name: Clerk, count: 3, skills: { bookings: 1 } } ]
  traffic: { calls_per_hour: 120, choices: { main: { "1": 3, "2": 1 } } }
""",
        encoding="utf-8",
    )
    db = tmp_path / "day.db"
    result = run_ivr("simulate", str(menu), "--hours", "2", "--db", str(db))
    assert result.returncode == 0, result.stderr
    store = RecordStore(db)
    counts = {r["category"]: r["n"] for r in store.rows("SELECT category, COUNT(*) AS n FROM tickets GROUP BY 1")}
    assert set(counts) == {"appointment", "prescription refill"}
    assert counts["appointment"] > counts["prescription refill"] > 10
    report = run_ivr("report", "--db", str(db), "--json")
    assert report.returncode == 0, report.stderr
    assert set(json.loads(report.stdout)["tickets_by_category"]) == {"appointment", "prescription refill"}


RECORDING = """\
name: suggestions
start: main
queues:
  general: {}
nodes:
  main:
    type: menu
    prompt: "To leave a suggestion, press 1."
    options: { "1": { goto: leave, set: { category: suggestion } } }
    on_exhausted: bye
  leave:
    type: record
    prompt: "After the tone, tell us your idea, then press hash."
    max_length: 60s
    next: thanks
  thanks: { type: hangup, prompt: Thank you. }
  bye: { type: hangup, prompt: Goodbye. }
centre:
  agents: [ { name: A, count: 1, skills: { general: 1 } } ]
  traffic: { calls_per_hour: 200, choices: { main: { "1": 1 } } }
"""


def test_a_message_left_is_its_length_and_is_stored_with_a_voicemail_ticket(tmp_path: Path) -> None:
    """There was no voicemail / leave-a-message node."""
    from ivr.call import Engine
    from ivr.menu import load_menu

    menu_path = tmp_path / "suggestions.yaml"
    menu_path.write_text(RECORDING, encoding="utf-8")
    engine = Engine(load_menu(menu_path))
    call = engine.start_call()
    call.press("1")
    call.wait(20)
    call.press("#")
    assert call.state == "thanks" and call.variables["message_seconds"] == 20.0
    silent = engine.start_call()
    silent.press("1")
    silent.wait()  # says nothing, or goes on talking: the message stops at its longest
    assert silent.variables["message_seconds"] == 60.0
    db = tmp_path / "day.db"
    result = run_ivr("simulate", str(menu_path), "--hours", "1", "--db", str(db))
    assert result.returncode == 0, result.stderr
    tickets = list(RecordStore(db).rows("SELECT * FROM tickets"))
    assert len(tickets) > 100
    assert {t["representative"] for t in tickets} == {"voicemail"} and {t["category"] for t in tickets} == {
        "suggestion"
    }
    lengths = [json.loads(t["data"])["message_seconds"] for t in tickets]
    assert min(lengths) >= 0.2 * 60 and max(lengths) <= 0.9 * 60  # simulated callers talk a while
