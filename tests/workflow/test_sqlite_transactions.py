"""SQLite transaction modes: writes take the lock at BEGIN, reads do not, and any begin is real."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from accel666 import models


@pytest.fixture
def db(tmp_path: Path):
    eng = models.create(str(tmp_path / "t.db"))
    models.create_schema(eng)
    yield eng
    eng.dispose()


def other_writer(path: str) -> sqlite3.Connection:
    raw = sqlite3.connect(path, isolation_level=None, timeout=0)
    raw.execute("PRAGMA busy_timeout = 0")
    return raw


def test_writing_holds_the_write_lock_before_its_first_statement(db) -> None:
    with models.writing(db) as conn:
        assert conn.connection.driver_connection.in_transaction
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other_writer(db.url.database).execute("BEGIN IMMEDIATE")
    other = other_writer(db.url.database)
    other.execute("BEGIN IMMEDIATE")  # released at commit
    other.execute("ROLLBACK")


def test_reading_begins_a_deferred_transaction(db) -> None:
    with models.reading(db) as conn:
        conn.execute(text("SELECT count(*) FROM accel666_project")).scalar()
        assert conn.connection.driver_connection.in_transaction
        other = other_writer(db.url.database)
        other.execute("BEGIN IMMEDIATE")  # a reader does not hold the write lock
        other.execute("ROLLBACK")


def test_a_plain_sqlalchemy_begin_is_a_real_transaction(db) -> None:
    """A host using the engine directly gets BEGIN too: its rollback undoes its writes."""
    with db.connect() as conn:
        tx = conn.begin()
        assert conn.connection.driver_connection.in_transaction
        conn.execute(text("DELETE FROM accel666_alembic_version"))
        tx.rollback()
    with models.reading(db) as conn:
        assert conn.execute(text("SELECT count(*) FROM accel666_alembic_version")).scalar() == 1


def test_the_engine_dispatches_no_per_statement_events(db) -> None:
    """The transaction set-up must not switch on SQLAlchemy's event dispatch on every
    statement (it costs about 30 µs a transaction)."""
    assert not db._has_events
