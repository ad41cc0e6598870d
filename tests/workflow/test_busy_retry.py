"""A SQLite write lock held past the busy timeout: the whole transaction is tried again, boundedly."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from accel666 import Unavailable, models
from accel666.models import database
from accel666.models.stores import projects
from tests.workflow.wf_support import dock


def locked(message: str = "database is locked") -> OperationalError:
    return OperationalError("UPDATE accel666_project ...", {}, sqlite3.OperationalError(message))


@pytest.fixture
def pauses(monkeypatch) -> list[float]:
    """The pauses between attempts, recorded instead of slept."""
    taken: list[float] = []
    monkeypatch.setattr(database.time, "sleep", taken.append)
    return taken


def failing(monkeypatch, times: int, error: OperationalError) -> list[int]:
    """Make the compare-and-set fail `times` times with `error`, then work."""
    real, calls = projects.compare_and_set, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(projects, "compare_and_set", flaky)
    return calls


def test_a_busy_transaction_is_tried_again_and_recorded_once(engine, actors, monkeypatch, pauses):
    project = dock(engine)
    calls = failing(monkeypatch, 2, locked())
    done = engine.withdraw(actors.ent_a, project.id, reason="撤回")
    assert (done.state, done.version, len(calls), len(pauses)) == ("withdrawn", 2, 3, 2)
    assert [h.event for h in engine.history(project.id)] == ["dock", "withdraw"]


def test_retries_are_bounded(engine, actors, monkeypatch, pauses):
    project = dock(engine)
    calls = failing(monkeypatch, 99, locked())
    with pytest.raises(Unavailable) as caught:  # the last busy error, named for the caller
        engine.withdraw(actors.ent_a, project.id, reason="撤回")
    assert isinstance(caught.value.__cause__, OperationalError)
    assert len(calls) == models.database.LOCK_RETRIES + 1
    assert engine.get(project.id).version == 1


def test_other_database_errors_are_not_retried(engine, actors, monkeypatch, pauses):
    project = dock(engine)
    calls = failing(monkeypatch, 1, locked("disk I/O error"))
    with pytest.raises(Unavailable, match="a disk I/O error"):
        engine.withdraw(actors.ent_a, project.id, reason="撤回")
    assert (len(calls), pauses) == (1, [])


def test_a_lock_held_by_another_process_is_a_wrapped_busy_error_and_retried(
        tmp_path, monkeypatch, pauses):
    """The real path: BEGIN IMMEDIATE waits out the busy timeout, SQLAlchemy wraps the error,
    the transaction is tried again, and the last error reaches the caller; nothing is written."""
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 5)
    path = tmp_path / "busy.db"
    db = models.create(str(path))
    models.create_schema(db)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with (pytest.raises(OperationalError, match="database is locked"),
              models.writing(db) as conn):
            conn.execute(models.project_table.delete())
        attempts = []

        @models.retry_when_busy
        def write() -> None:
            attempts.append(1)
            with models.writing(db) as conn:
                conn.execute(models.project_table.delete())

        with pytest.raises(OperationalError):
            write()
        assert len(attempts) == models.database.LOCK_RETRIES + 1
        assert len(pauses) == models.database.LOCK_RETRIES
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.dispose()


@pytest.mark.parametrize("act", ["extend", "import"])
def test_batch_acts_are_retried_boundedly_too(engine, actors, monkeypatch, pauses, act,
                                              tmp_path):
    """Each writing act is tried at most LOCK_RETRIES + 1 times (never retries of retries)."""
    from accel666.record import ledger
    from accel666.workflow.intake import bulk

    calls: list[int] = []

    def busy(*args, **kwargs):
        calls.append(1)
        raise locked()

    if act == "extend":
        monkeypatch.setattr(ledger, "append", busy)
        call = lambda: engine.extend(actors.province, "2020-1", phase="review",  # noqa: E731
                                     until="2020-10-09", reason="延期")
    else:
        monkeypatch.setattr(bulk, "_refusals", busy)
        sheet = tmp_path / "rows.csv"
        sheet.write_text("title,enterprise,credit_code,region,category\r\n"
                         "T,E,914403001922038216,suzhou,demo\r\n", encoding="utf-8")
        call = lambda: engine.import_projects(actors.tencent, sheet)  # noqa: E731
    with pytest.raises(Unavailable):
        call()
    assert len(calls) == models.database.LOCK_RETRIES + 1
