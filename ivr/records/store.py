"""Call detail records, tickets and survey answers in SQLite.

WAL journal, one transaction per call (a call is in the database whole or not at all), and a schema
version kept in ``PRAGMA user_version`` with numbered migrations, so an older database is brought up to
date when opened. A process killed mid-run loses only the call it was writing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ivr.source.diagnostics import Diagnostic, IvrError

MIGRATIONS: list[list[str]] = [
    [  # 1: calls, tickets, survey answers
        """CREATE TABLE calls (
            call_id TEXT PRIMARY KEY,
            menu TEXT NOT NULL,
            source TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT NOT NULL,
            language TEXT,
            caller TEXT,
            path TEXT NOT NULL,
            keys TEXT NOT NULL,
            time_in_menu REAL NOT NULL,
            time_in_queue REAL,
            queue TEXT,
            outcome TEXT NOT NULL,
            agent TEXT,
            reference TEXT,
            hangup_reason TEXT,
            last_node TEXT
        )""",
        """CREATE TABLE tickets (
            reference TEXT PRIMARY KEY,
            call_id TEXT NOT NULL REFERENCES calls(call_id),
            category TEXT NOT NULL,
            data TEXT NOT NULL,
            representative TEXT,
            resolved INTEGER,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE survey_answers (
            call_id TEXT NOT NULL REFERENCES calls(call_id),
            question TEXT NOT NULL,
            answer TEXT,
            PRIMARY KEY (call_id, question)
        )""",
    ],
    [  # 2: service-level target per call, and indexes for the report
        "ALTER TABLE calls ADD COLUMN sl_seconds REAL",
        "CREATE INDEX calls_by_queue ON calls(queue)",
        "CREATE INDEX calls_by_outcome ON calls(outcome)",
    ],
    [  # 3: the representative's own words on the ticket (role play)
        "ALTER TABLE tickets ADD COLUMN note TEXT",
    ],
    [  # 4: reference numbers handed out per prefix, so runs and processes never give one twice
        "CREATE TABLE reference_counters (prefix TEXT PRIMARY KEY, last INTEGER NOT NULL)",
        """INSERT INTO reference_counters (prefix, last)
            SELECT substr(reference, 1, instr(reference, '-') - 1),
                   max(CAST(substr(reference, instr(reference, '-') + 1) AS INTEGER))
            FROM tickets
            WHERE instr(reference, '-') > 1 AND substr(reference, instr(reference, '-') + 1) GLOB '[0-9]*'
            GROUP BY 1""",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass
class Ticket:
    """The representative's note of the claim or order."""

    reference: str
    category: str  # complaint, doubt, suggestion, technical, other
    data: dict[str, Any]
    representative: str | None
    resolved: bool | None
    note: str | None = None


@dataclass
class CallRecord:
    """One call from start to end: the call detail record."""

    call_id: str
    menu: str
    source: str  # live, simulated, load
    started_at: datetime
    ended_at: datetime
    language: str | None
    caller: str | None
    path: list[str]
    keys: str
    time_in_menu: float
    outcome: str  # answered, abandoned, blocked, transferred, ended in menu, hung up in menu, dropped
    time_in_queue: float | None = None
    queue: str | None = None
    agent: str | None = None
    hangup_reason: str | None = None
    last_node: str | None = None
    sl_seconds: float | None = None
    ticket: Ticket | None = None
    survey: dict[str, Any] = field(default_factory=dict)


class RecordsError(IvrError):
    """The records database cannot be used."""


def default_path() -> Path:
    """Where records go unless ``--db`` says otherwise: the user's data folder."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("ivr", appauthor=False)) / "records.sqlite3"


def _fail(path: Path, action: str, exc: BaseException) -> RecordsError:
    text = str(exc)
    hint = None
    if "locked" in text:
        hint = "another program holds the database; close it or choose another --db"
    elif "readonly" in text or "read-only" in text:
        hint = "the file or its folder is read-only; choose another --db"
    elif "disk" in text and ("full" in text or "I/O" in text):
        hint = "free some disk space (or check the disk) or choose another --db"
    elif "not a database" in text:
        hint = "this file is not an ivr records database; choose another --db"
    return RecordsError([Diagnostic(str(path), 1, 1, f"cannot {action} the records database: {text}", hint=hint)])


class RecordStore:
    """An open records database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pending: list[CallRecord] = []
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path), timeout=5.0, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a killed process loses nothing committed
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise _fail(path, "open", exc) from None

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RecordsError(
                [
                    Diagnostic(
                        str(self.path),
                        1,
                        1,
                        f"the records database has schema version {version}; this ivr knows up to {SCHEMA_VERSION}",
                        hint="upgrade ivr, or choose another --db",
                    )
                ]
            )
        for number in range(version, SCHEMA_VERSION):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                # Another process may have migrated between our read and our lock: read again, under it.
                if self.db.execute("PRAGMA user_version").fetchone()[0] > number:
                    self.db.execute("COMMIT")
                    continue
                for statement in MIGRATIONS[number]:
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")
                self.db.execute("COMMIT")
            except sqlite3.Error:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def reserve_references(self, prefix: str, count: int) -> int:
        """Reserve ``count`` reference numbers for ``prefix`` (e.g. REF); return the first. The counter is
        read and moved in one locked transaction, so two runs or two processes never get the same one."""
        try:
            with self._locked():
                row = self.db.execute("SELECT last FROM reference_counters WHERE prefix = ?", (prefix,)).fetchone()
                last = int(row[0]) if row else 0
                self.db.execute(
                    "INSERT INTO reference_counters (prefix, last) VALUES (?, ?)"
                    " ON CONFLICT(prefix) DO UPDATE SET last = excluded.last",
                    (prefix, last + count),
                )
        except sqlite3.Error as exc:
            raise _fail(self.path, "write to", exc) from None
        return last + 1

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One write transaction holding the write lock from its start; rolled back on any failure."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def references(self, block: int = 100) -> ReferenceBook:
        """A source of reference numbers unique in this database, taken ``block`` at a time."""
        return ReferenceBook(self, block)

    def patience(self, seconds: float) -> None:
        """How long a write waits for another program's lock before it fails (5 s unless set)."""
        self.db.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    def add(self, record: CallRecord) -> None:
        """Store one call, its ticket and its survey answers in one transaction.

        A record that cannot be written (database locked, read-only, disk full) stays in ``pending``
        and is written first by the next ``add`` or ``flush``, so a passing problem loses nothing.
        """
        self.pending.append(record)
        self.flush()

    def flush(self) -> None:
        """Write every pending record, oldest first; raise :class:`RecordsError` if any is left."""
        while self.pending:
            try:
                with self._locked():
                    self._insert(self.pending[0])
            except sqlite3.Error as exc:
                error = _fail(self.path, "write to", exc)
                waiting = len(self.pending)
                note = f"{waiting} call record{'s' if waiting > 1 else ''} kept in memory, to be written when it can"
                problem = error.diagnostics[0]
                error.diagnostics[0] = dataclasses.replace(problem, message=f"{problem.message} ({note})")
                raise error from None
            self.pending.pop(0)

    def _insert(self, r: CallRecord) -> None:
        self.db.execute(
            "INSERT INTO calls (call_id, menu, source, started_at, ended_at, language, caller, path, keys,"
            " time_in_menu, time_in_queue, queue, outcome, agent, reference, hangup_reason, last_node, sl_seconds)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                r.call_id,
                r.menu,
                r.source,
                r.started_at.isoformat(),
                r.ended_at.isoformat(),
                r.language,
                r.caller,
                json.dumps(r.path),
                r.keys,
                r.time_in_menu,
                r.time_in_queue,
                r.queue,
                r.outcome,
                r.agent,
                r.ticket.reference if r.ticket else None,
                r.hangup_reason,
                r.last_node,
                r.sl_seconds,
            ),
        )
        if r.ticket is not None:
            t = r.ticket
            self.db.execute(
                "INSERT INTO tickets (reference, call_id, category, data, representative, resolved, created_at, note)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    t.reference,
                    r.call_id,
                    t.category,
                    json.dumps(t.data, ensure_ascii=False, default=str),
                    t.representative,
                    None if t.resolved is None else int(t.resolved),
                    r.ended_at.isoformat(),
                    t.note,
                ),
            )
        for question, answer in r.survey.items():
            self.db.execute(
                "INSERT INTO survey_answers (call_id, question, answer) VALUES (?, ?, ?)",
                (r.call_id, question, None if answer is None else str(answer)),
            )

    def rows(self, query: str, *args: Any) -> Iterator[dict[str, Any]]:
        try:
            cursor = self.db.execute(query, args)
        except sqlite3.Error as exc:
            raise _fail(self.path, "read", exc) from None
        columns = [c[0] for c in cursor.description]
        for values in cursor:
            yield dict(zip(columns, values, strict=True))

    def close(self) -> None:
        self.db.close()


class ReferenceBook:
    """Reference numbers (``REF-000143``) unique in one records database, across runs and processes.

    Numbers are reserved in blocks (one short transaction per block), so a simulated day does not pay a
    transaction per call; numbers reserved and not used are skipped, never given twice."""

    def __init__(self, store: RecordStore, block: int = 100) -> None:
        self.store = store
        self.block = block
        self._next: dict[str, tuple[int, int]] = {}  # prefix -> (next number, end of the block)

    def __call__(self, prefix: str) -> str:
        number, end = self._next.get(prefix, (0, 0))
        if number >= end:
            number = self.store.reserve_references(prefix, self.block)
            end = number + self.block
        self._next[prefix] = (number + 1, end)
        return f"{prefix}-{number:06d}"
