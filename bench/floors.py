"""The floors: the same writes as the engine, done with the bare driver on the same schema.

Per transition: BEGIN (IMMEDIATE on SQLite), SELECT the project row, UPDATE it with a version
check, INSERT its transition-log row (JSON payload, hash-chained) and, for apply, the document
row; COMMIT. Dock is INSERT project + INSERT log row + UPDATE the project's head hash (the
row's hash covers the new project's id), then its entry in the ledger's `docks` chain (on
PostgreSQL under the chain's advisory lock, taken first; the chain's head read, the entry
hashed and inserted). No validation, no guards, no state machine.
The rows are the engine's own, byte for byte: tests/test_bench_smoke.py compares them.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from bench import plan

if TYPE_CHECKING:
    pass

Who = tuple[str, str, str | None]  # actor name, role, canonical scope
CITY: Who = ("bench-city", "city", plan.REGION_CODE)
PROVINCE: Who = ("bench-province", "province", None)

_COLUMNS = ("id, title, enterprise, credit_code, region, category, batch, state, version, "
            "paper_copies, head_hash, created_at, updated_at")
_STATE, _VERSION, _HEAD = 7, 8, 10  # positions in _COLUMNS
# The identity the dock entry records (record/proofs.py; the floor test catches a drift).
IDENTITY = ("title", "enterprise", "credit_code", "region", "category", "batch")
# The `docks` chain of the ledger, as record/ledger.py and record/chain.py write it.
DOCKS = "docks"
DOCKS_LOCK = int.from_bytes(hashlib.sha256(DOCKS.encode()).digest()[:8], "big", signed=True)


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(seq: int, kind: str, at: datetime, who: Who, body: dict[str, Any],
               prev: str, chain: str = DOCKS) -> str:
    """A ledger entry's SHA-256 as record/chain.py takes it."""
    doc = {"chain": chain, "seq": seq, "kind": kind, "at": stamp(at), "actor": who[0],
           "role": who[1], "body": body, "prev": prev}
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_hash(pid: int, seq: int, event: str, source: str | None, dest: str, who: Who,
               at: datetime, payload: dict[str, Any], prev: str) -> str:
    """The log row's SHA-256 as record/chain.py takes it (re-done here: the floor is bare)."""
    doc = {"project_id": pid, "seq": seq, "event": event, "from_state": source, "to_state": dest,
           "actor": who[0], "role": who[1], "scope": who[2], "at": stamp(at), "payload": payload,
           "prev": prev}
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Floor(Protocol):
    def dock(self, code: str, at: datetime) -> int: ...

    def advance(self, pid: int, step: plan.Step, who: Who, apply: bool) -> None: ...

    def close(self) -> None: ...


def run_floor(floor: Floor, codes: Sequence[str]) -> int:
    """The bare-driver twin of `bench.drive.run_engine`: same order, same rows."""
    dock, *rest = plan.STEPS
    ids = [floor.dock(code, dock.at) for code in codes]
    for step in rest:
        for pid, code in zip(ids, codes, strict=True):
            if step.event == "apply":
                floor.advance(pid, step, ("bench-enterprise", "enterprise", code), True)
            else:
                floor.advance(pid, step, CITY if step.event == "recommend" else PROVINCE, False)
    return plan.PER_PROJECT * len(ids)


def _project(code: str, at: Any) -> tuple[Any, ...]:
    return (plan.title(code), plan.enterprise(code), code, plan.REGION_CODE, plan.CATEGORY,
            plan.BATCH, "docked", 1, None, "", at, at)


_INSERT_PROJECT = (
    "INSERT INTO accel666_project (title, enterprise, credit_code, region, category, batch, "
    "state, version, paper_copies, head_hash, created_at, updated_at) VALUES ({})")
_SET_HEAD = "UPDATE accel666_project SET head_hash = {p} WHERE id = {p}"
_SELECT = f"SELECT {_COLUMNS} FROM accel666_project WHERE id = {{p}}"
_UPDATE = ("UPDATE accel666_project SET state = {p}, version = version + 1, updated_at = {p}, "
           "head_hash = {p} WHERE id = {p} AND version = {p}")
_UPDATE_APPLY = ("UPDATE accel666_project SET state = {p}, paper_copies = {p}, "
                 "version = version + 1, updated_at = {p}, head_hash = {p} "
                 "WHERE id = {p} AND version = {p}")
_LOG = ("INSERT INTO accel666_transition (project_id, seq, event, from_state, to_state, actor, "
        "role, scope, at, payload, hash) VALUES ({})")
_DOCUMENT = ("INSERT INTO accel666_document (project_id, name, size, sha256, content, "
             "uploaded_at) VALUES ({})")
_LEDGER_HEAD = "SELECT seq, hash FROM accel666_ledger WHERE chain = {p} ORDER BY seq DESC LIMIT 1"
_LEDGER = "INSERT INTO accel666_ledger (chain, seq, kind, at, actor, role, body, hash) VALUES ({})"


def _sql(template: str, p: str, n: int = 0) -> str:
    """A statement in the driver's parameter style (`p`): {p} marks, or n of them for {}."""
    return template.format(", ".join([p] * n)) if n else template.format(p=p)


class _Floor:
    """The floor's writes, shared by both drivers; subclasses say how a driver begins, ends,
    stores a time and a JSON payload, and returns a new project's id."""

    INSERT_PROJECT = SET_HEAD = SELECT = UPDATE = UPDATE_APPLY = LOG = DOCUMENT = ""
    LEDGER_HEAD = LEDGER = ""
    conn: Any

    def _begin(self) -> None: ...
    def _commit(self) -> None: ...
    def _rollback(self) -> None: ...

    def _time(self, at: datetime) -> Any:
        return at

    def _json(self, payload: dict[str, Any]) -> Any:
        return json.dumps(payload)

    def _insert_project(self, row: tuple[Any, ...]) -> int:
        raise NotImplementedError

    def _lock(self, key: int) -> None:
        """Hold a chain's next append until the transaction ends (PostgreSQL)."""

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        self._begin()
        try:
            yield self.conn
            self._commit()
        except BaseException:
            self._rollback()
            raise

    def dock(self, code: str, at: datetime) -> int:
        with self._transaction():
            self._lock(DOCKS_LOCK)
            row = _project(code, self._time(at))
            pid = self.dock_row(row, at)
            self.docked([[pid, *row[:6]]], at)
            return pid

    def docked(self, projects: list[list[Any]], at: datetime) -> None:
        """The act's entry in the `docks` chain, holding each project's id and identity (the
        caller took the chain's lock before inserting them)."""
        head = self.conn.execute(self.LEDGER_HEAD, (DOCKS,)).fetchone()
        seq, prev = (head[0] + 1, head[1]) if head else (1, "")
        body = {"scope": CITY[2], "projects": projects}
        self.conn.execute(self.LEDGER, (DOCKS, seq, "dock", self._time(at), CITY[0], CITY[1],
                                        self._json(body),
                                        entry_hash(seq, "dock", at, CITY, body, prev)))

    def dock_row(self, row: tuple[Any, ...], at: datetime) -> int:
        """One project (a row as _project makes it), its dock log row and its chain head, in
        the caller's transaction (`docked` then records the act)."""
        pid = self._insert_project(row)
        payload = {"identity": dict(zip(IDENTITY, row[:6], strict=True))}
        head = chain_hash(pid, 1, "dock", None, "docked", CITY, at, payload, "")
        self.conn.execute(self.LOG, (pid, 1, "dock", None, "docked", *CITY, self._time(at),
                                     self._json(payload), head))
        self.conn.execute(self.SET_HEAD, (head, pid))
        return pid

    def advance(self, pid: int, step: plan.Step, who: Who, apply: bool) -> None:
        when = self._time(step.at)
        with self._transaction() as c:
            row = c.execute(self.SELECT, (pid,)).fetchone()
            assert row is not None
            state, version = row[_STATE], row[_VERSION]
            payload = plan.payload(step.event)
            head = chain_hash(pid, version + 1, step.event, state, step.dest, who, step.at,
                              payload, row[_HEAD])
            if apply:
                done = c.execute(self.UPDATE_APPLY, (step.dest, 2, when, head, pid,
                                                     version)).rowcount
            else:
                done = c.execute(self.UPDATE, (step.dest, when, head, pid, version)).rowcount
            if done != 1:
                raise RuntimeError(f"project {pid} moved on")
            c.execute(self.LOG, (pid, version + 1, step.event, state, step.dest, *who, when,
                                 self._json(payload), head))
            if apply:
                c.execute(self.DOCUMENT, (pid, plan.DOCUMENT_NAME, len(plan.DOCUMENT),
                                          plan.DOCUMENT_SHA256, plan.DOCUMENT, when))

    def close(self) -> None:
        self.conn.close()


class SqliteFloor(_Floor):
    """sqlite3 with the engine's pragmas, autocommit off, explicit BEGIN IMMEDIATE."""

    INSERT_PROJECT = _sql(_INSERT_PROJECT, "?", 12)
    SET_HEAD, SELECT = _sql(_SET_HEAD, "?"), _sql(_SELECT, "?")
    UPDATE, UPDATE_APPLY = _sql(_UPDATE, "?"), _sql(_UPDATE_APPLY, "?")
    LOG, DOCUMENT = _sql(_LOG, "?", 11), _sql(_DOCUMENT, "?", 6)
    LEDGER_HEAD, LEDGER = _sql(_LEDGER_HEAD, "?"), _sql(_LEDGER, "?", 8)

    def __init__(self, path: str, synchronous: str = "FULL") -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("busy_timeout = 10000", "journal_mode = WAL", "foreign_keys = ON",
                       f"synchronous = {synchronous}"):
            self.conn.execute(f"PRAGMA {pragma}")

    def _begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def _commit(self) -> None:
        self.conn.execute("COMMIT")

    def _rollback(self) -> None:
        self.conn.execute("ROLLBACK")

    def _time(self, at: datetime) -> str:
        # How SQLAlchemy stores the engine's UTCDateTime on SQLite: naive UTC text.
        return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def _insert_project(self, row: tuple[Any, ...]) -> int:
        pid = self.conn.execute(self.INSERT_PROJECT, row).lastrowid
        assert pid is not None
        return int(pid)


class PgFloor(_Floor):
    """psycopg 3 on one connection, its own implicit BEGIN, one commit per transition."""

    INSERT_PROJECT = _sql(_INSERT_PROJECT, "%s", 12) + " RETURNING id"
    SET_HEAD, SELECT = _sql(_SET_HEAD, "%s"), _sql(_SELECT, "%s")
    UPDATE, UPDATE_APPLY = _sql(_UPDATE, "%s"), _sql(_UPDATE_APPLY, "%s")
    LOG, DOCUMENT = _sql(_LOG, "%s", 11), _sql(_DOCUMENT, "%s", 6)
    LEDGER_HEAD, LEDGER = _sql(_LEDGER_HEAD, "%s"), _sql(_LEDGER, "%s", 8)

    def __init__(self, conninfo: str) -> None:
        import psycopg  # here, so that the SQLite floor's footprint is sqlite3's alone
        from psycopg.types.json import Json

        self.conn = psycopg.connect(conninfo)
        self.json = Json

    def _commit(self) -> None:
        self.conn.commit()

    def _rollback(self) -> None:
        self.conn.rollback()

    def _lock(self, key: int) -> None:
        self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))

    def _json(self, payload: dict[str, Any]) -> Any:
        return self.json(payload)

    def _insert_project(self, row: tuple[Any, ...]) -> int:
        found = self.conn.execute(self.INSERT_PROJECT, row).fetchone()
        assert found is not None
        return int(found[0])
