"""models.compiled: statements run on the driver give what Connection.execute gives."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from accel666 import models
from accel666.models import compiled, project_table, transition_table

P = project_table.c
AT = datetime(2020, 7, 15, 15, 59, 59, 999999, tzinfo=UTC)  # 23:59:59.999999 in China
PROJECT = {"title": "云平台", "enterprise": "某某科技", "credit_code": "914403001922038216",
           "region": "320500", "category": "platform", "batch": "2020-1", "state": "docked",
           "version": 1, "paper_copies": None, "head_hash": "", "created_at": AT,
           "updated_at": AT}
INSERT = insert(project_table).returning(P.id)
LOAD = select(project_table).where(P.id == bindparam("pid"))
CAS = update(project_table).where(P.id == bindparam("pid"), P.version == bindparam("expected"))
LOG = insert(transition_table)


@pytest.fixture
def db(db_url: str):
    eng = models.create(db_url)
    models.create_schema(eng)
    yield eng
    eng.dispose()


def test_rows_match_connection_execute(db) -> None:
    with models.writing(db) as conn:
        pid = compiled.one(conn, INSERT, PROJECT).id
        compiled.execute(conn, LOG, {
            "project_id": pid, "seq": 1, "event": "dock", "from_state": None,
            "to_state": "docked", "actor": "a", "role": "city", "scope": "320500", "at": AT,
            "payload": {"意见": "同意", "n": [1, 2]}, "hash": "h"})
    with models.reading(db) as conn:
        ours = compiled.first(conn, LOAD, {"pid": pid})
        theirs = conn.execute(LOAD, {"pid": pid}).first()
        log_row = conn.execute(select(transition_table)).one()
    assert ours is not None and theirs is not None
    assert ours._asdict() == theirs._asdict()
    assert ours.created_at == AT and ours.created_at.tzinfo is not None
    assert log_row.payload == {"意见": "同意", "n": [1, 2]} and log_row.at == AT


def test_update_reports_the_rows_it_changed(db) -> None:
    with models.writing(db) as conn:
        pid = compiled.one(conn, INSERT, PROJECT).id
        moved = compiled.execute(conn, CAS, {"pid": pid, "expected": 1, "version": 2,
                                             "state": "applied", "paper_copies": 2})
        stale = compiled.execute(conn, CAS, {"pid": pid, "expected": 1, "version": 2,
                                             "state": "rejected"})
    assert (moved, stale) == (1, 0)
    with models.reading(db) as conn:
        row = conn.execute(LOAD, {"pid": pid}).one()
    assert (row.state, row.version, row.paper_copies) == ("applied", 2, 2)


def test_missing_row_is_none(db) -> None:
    with models.reading(db) as conn:
        assert compiled.first(conn, LOAD, {"pid": 12345}) is None
        with pytest.raises(LookupError):
            compiled.one(conn, LOAD, {"pid": 12345})


def test_driver_errors_come_wrapped_as_sqlalchemy_raises_them(db) -> None:
    with pytest.raises(IntegrityError) as caught, models.writing(db) as conn:
        compiled.one(conn, INSERT, PROJECT)
        compiled.one(conn, INSERT, PROJECT)  # the same enterprise's second live project
    assert "uq_accel666_project_live" in str(caught.value.orig) or "credit_code" in str(
        caught.value.orig)
    with models.reading(db) as conn:  # the whole transaction rolled back
        assert conn.execute(select(P.id)).first() is None


def test_statements_needing_render_time_expansion_are_refused(db) -> None:
    expanding = select(P.id).where(P.state.in_(bindparam("states", expanding=True)))
    with models.reading(db) as conn, pytest.raises(ValueError, match=r"Connection\.execute"):
        compiled.first(conn, expanding, {"states": ["docked"]})


def test_a_connection_the_server_dropped_is_invalidated(pg_url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    eng = models.create(pg_url)
    models.create_schema(eng)
    try:
        with pytest.raises(OperationalError) as caught, models.writing(eng) as conn:
            backend = conn.execute(text("SELECT pg_backend_pid()")).scalar()
            with eng.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": backend})
                other.commit()
            compiled.first(conn, LOAD, {"pid": 1})
        assert caught.value.connection_invalidated
        with models.reading(eng) as conn:  # the pool hands out a live connection again
            assert compiled.first(conn, LOAD, {"pid": 1}) is None
    finally:
        eng.dispose()
