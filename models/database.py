"""Opening a database: URL rules, SQLite pragmas and transaction mode, schema creation."""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

F = TypeVar("F", bound=Callable[..., Any])

# How long a SQLite writer waits for the lock before giving up (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 10_000
_IMMEDIATE = "accel666_begin_immediate"  # connection info flag: the next BEGIN is IMMEDIATE


def url_for(text: str) -> str:
    """A SQLAlchemy URL for what a user typed: a URL as is, a bare path as a SQLite file.

    `postgresql://` and `postgres://` select the psycopg (v3) driver.
    """
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser()}"
    for prefix in ("postgresql://", "postgres://"):
        if text.startswith(prefix):
            return "postgresql+psycopg://" + text[len(prefix):]
    return text


def create(url: str, **kwargs: Any) -> Engine:
    """A SQLAlchemy engine for `url`, configured for the engine's transaction rules."""
    u = make_url(url_for(url))
    if u.get_backend_name() == "sqlite":
        engine = create_engine(u, **kwargs)
        configure_sqlite(engine)
        return engine
    # No ping before each checkout (a round trip per transaction): connections older than an
    # hour are replaced, and one that died with its server is dropped with its pool on error.
    kwargs.setdefault("pool_recycle", 3600)
    return create_engine(u, **kwargs)


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, synchronous=FULL, and explicit BEGINs.

    pysqlite's own transaction handling is switched off so that a write transaction can begin
    with BEGIN IMMEDIATE (taking the write lock up front, so two writers never deadlock on a
    lock upgrade) while readers begin a plain deferred transaction.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA synchronous = FULL")
        finally:
            cur.close()

    # pysqlite's transactions are switched off above, so the dialect's BEGIN (a no-op by default)
    # is the driver's own. Overriding the dialect method rather than listening to the "begin"
    # event keeps SQLAlchemy's per-statement event dispatch switched off (see bench/README.md),
    # and SQLAlchemy still wraps its errors (a busy lock is an OperationalError, retried).
    def _do_begin(dbapi_conn: Any) -> None:
        immediate = dbapi_conn.info.pop(_IMMEDIATE, False)
        dbapi_conn.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    engine.dialect.do_begin = _do_begin  # type: ignore[method-assign,assignment]


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction: committed when the block ends, rolled back on any error."""
    with engine.connect() as conn, write_transaction(conn):
        yield conn


@contextmanager
def write_transaction(conn: Connection) -> Iterator[Connection]:
    """Begin a write transaction on `conn`: BEGIN IMMEDIATE on SQLite, so that the write lock
    is taken up front (two writers never deadlock on a lock upgrade), a plain BEGIN elsewhere."""
    if conn.dialect.name == "sqlite":
        conn.connection.info[_IMMEDIATE] = True  # taken by the dialect's BEGIN (configure_sqlite)
    with conn.begin():
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One read transaction, so that every query in the block sees the same snapshot."""
    with engine.connect() as conn, conn.begin():
        yield conn


_BUSY = ("database is locked", "database table is locked", "database is busy")
LOCK_RETRIES = 3  # attempts after the first, each after the busy timeout ran out


def is_busy(exc: OperationalError) -> bool:
    """Did SQLite give up waiting for its write lock (after the busy timeout)?"""
    return any(text in str(exc.orig).lower() for text in _BUSY)


def retry_when_busy(fn: F) -> F:
    """Run `fn` again, a bounded number of times with a short jittered pause, when SQLite's
    write lock stayed taken past the busy timeout. `fn` must be one whole transaction, so that
    running it again is safe; any other error, and the last busy one, goes to the caller."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(LOCK_RETRIES + 1):
            try:
                return fn(*args, **kwargs)
            except OperationalError as exc:
                if attempt == LOCK_RETRIES or not is_busy(exc):
                    raise
                time.sleep(random.uniform(0.05, 0.25) * (attempt + 1))
        raise AssertionError("unreachable")

    return cast(F, wrapper)


# What SQLite says when the database, not the statement, is at fault; each with its reason.
_SQLITE_UNAVAILABLE = (
    (_BUSY, "locked by another process past the retries"),
    (("readonly database",), "it is read-only"),
    (("database or disk is full",), "the disk is full"),
    (("disk i/o error",), "a disk I/O error"),
)
# PostgreSQL's SQLSTATE classes and codes of the same kind: connection exceptions, insufficient
# resources (disk full, out of memory, too many connections), operator intervention (server
# shutting down, backend terminated, statement cancelled), lock not available, read-only
# transaction (a standby).
_PG_UNAVAILABLE_CLASSES = ("08", "53", "57")
_PG_UNAVAILABLE_CODES = ("55P03", "25006")
# Refusals at connection time that a retry would not cure: the URL names the wrong thing.
_PG_WRONG_URL = ("does not exist", "authentication failed", "no password supplied",
                 "role", "could not translate host name")


def unavailable_reason(exc: DBAPIError) -> str | None:
    """Why the database cannot serve now, if that is what `exc` says; None for any other
    error (a statement's own fault: a bug, or input that should have been refused earlier)."""
    if exc.connection_invalidated:
        return "the connection to the server was lost"
    orig = exc.orig
    if type(orig).__module__.startswith("psycopg"):
        state = getattr(orig, "sqlstate", None)
        if state is None:  # refused before any statement: unreachable, or the URL is wrong
            said = str(orig).lower()
            if not isinstance(exc, OperationalError) or any(
                    text in said for text in _PG_WRONG_URL):
                return None
            return "the server cannot be reached"
        if state[:2] in _PG_UNAVAILABLE_CLASSES or state in _PG_UNAVAILABLE_CODES:
            return f"the server says {type(orig).__name__} ({state})"
        return None
    message = str(orig).lower()
    for texts, reason in _SQLITE_UNAVAILABLE:
        if any(text in message for text in texts):
            return reason
    return None
