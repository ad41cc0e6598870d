"""A database that cannot serve now is `Unavailable` (exit 9, retry later), never a bug's exit 1:
locked past the retries, read-only, full, a PostgreSQL backend terminated or a server that does
not answer. A file that is not a database, or one made by a newer accel666, is invalid input
(exit 2) with advice that works."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, event, text, update

from accel666 import Actor, Engine, InvalidInput, Unavailable, models
from accel666.models import database
from tests.helpers import CODE_A, CODE_B
from tests.workflow.wf_support import dock


@pytest.fixture
def pauses(monkeypatch) -> list[float]:
    taken: list[float] = []
    monkeypatch.setattr(database.time, "sleep", taken.append)
    return taken


def test_a_lock_held_past_the_retries_is_unavailable(tmp_path, clock, monkeypatch, pauses):
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 5)
    path = tmp_path / "busy.db"
    with Engine(str(path), clock=clock) as engine:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(Unavailable) as caught:
                dock(engine)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert caught.value.reason == "locked by another process past the retries"
        assert len(pauses) == database.LOCK_RETRIES  # retried first, as before
        assert engine.projects() == []
        assert dock(engine).id == 1  # the lock gone, the same call works


def test_a_read_only_database_reads_and_refuses_writes_as_unavailable(tmp_path, clock):
    path = tmp_path / "ro.db"
    with Engine(str(path), clock=clock) as engine:
        project = dock(engine)
    with Engine(f"sqlite:///file:{path}?mode=ro&uri=true", clock=clock) as engine:
        assert [p.id for p in engine.projects()] == [project.id]
        with pytest.raises(Unavailable) as caught:
            dock(engine, code=CODE_B)
        assert caught.value.reason == "it is read-only"


def test_a_full_disk_is_unavailable_and_leaves_no_half_write(tmp_path, clock):
    path = tmp_path / "full.db"
    with Engine(str(path), clock=clock) as engine:
        dock(engine)
        pages = engine.db.connect().exec_driver_sql("PRAGMA page_count").scalar()
        engine.db.dispose()

        @event.listens_for(engine.db, "connect")
        def _no_room(dbapi_conn, _record):  # the file may not grow past its size now
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

        bureau = Actor("sz", "city", "suzhou")
        with pytest.raises(Unavailable) as caught:
            for _ in range(500):  # until a page more is needed
                project = engine.dock(bureau, title="云上工厂" * 40, enterprise="企业" * 40,
                                      credit_code=CODE_B, region="suzhou", category="demo")
                engine.withdraw(bureau, project.id, reason="满" * 500)
        assert caught.value.reason == "the disk is full"
        assert engine.verify().ok  # the failed transaction left nothing half-written


@pytest.mark.postgres
def test_a_terminated_postgresql_backend_is_unavailable_once(pg_url, clock):
    with Engine(pg_url, clock=clock) as engine:
        dock(engine)
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            killed = conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
        admin.dispose()
        assert killed >= 1
        with pytest.raises(Unavailable) as caught:
            engine.projects()
        assert caught.value.reason in ("the connection to the server was lost",
                                       "the server says AdminShutdown (57P01)")
        assert len(engine.projects()) == 1  # a new connection serves the next call


def test_a_postgresql_server_that_does_not_answer_is_unavailable(clock):
    with pytest.raises(Unavailable) as caught:
        Engine("postgresql://postgres@127.0.0.1:1/test", clock=clock)
    assert caught.value.reason == "the server cannot be reached"


def test_a_file_that_is_not_a_database_is_invalid_input(tmp_path, clock):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are not the pages of a database\n" * 200)
    with pytest.raises(InvalidInput) as caught:
        Engine(str(path), clock=clock)
    assert caught.value.field == "database"
    assert "file is not a database" in caught.value.reason


def test_a_database_from_a_newer_accel666_is_refused_with_advice_that_works(tmp_path, clock):
    path = tmp_path / "newer.db"
    with Engine(str(path), clock=clock) as engine, models.writing(engine.db) as conn:
        conn.execute(update(models.schema.version_table).values(version_num="0099"))
    with pytest.raises(InvalidInput) as opened:
        Engine(str(path), clock=clock)
    assert "made by a newer accel666" in opened.value.reason
    with Engine(str(path), clock=clock, create_schema=False) as engine, \
            pytest.raises(InvalidInput) as upgraded:
        engine.upgrade_schema()
    assert "made by a newer accel666" in upgraded.value.reason


def test_the_cli_exits_9_with_one_line_and_no_traceback(tmp_path, clock):
    from tests.helpers import Cli

    path = tmp_path / "ro.db"
    Engine(str(path), clock=clock).close()
    run = Cli(f"sqlite:///file:{path}?mode=ro&uri=true", tmp_path)
    result = run("dock", "--as", "city:suzhou", "--title", "云上工厂", "--enterprise", "某某",
                 "--credit-code", CODE_A, "--region", "suzhou", "--category", "demo")
    assert result.exit_code == 9
    assert result.stderr.startswith("accel666: the database is unavailable: it is read-only; "
                                    "retry later (")
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    as_json = run("dock", "--as", "city:suzhou", "--title", "云上工厂", "--enterprise", "某某",
                  "--credit-code", CODE_A, "--region", "suzhou", "--category", "demo", "--json")
    assert (as_json.exit_code, '"reason": "it is read-only"' in as_json.stderr) == (9, True)
    assert run("list", "--json").exit_code == 0  # reading still works


@pytest.mark.parametrize(("message", "reason"), [
    ("database is locked", "locked by another process past the retries"),
    ("attempt to write a readonly database", "it is read-only"),
    ("database or disk is full", "the disk is full"),
    ("disk I/O error", "a disk I/O error"),
    ("no such table: accel666_project", None),  # the statement's fault: a bug, exit 1
    ("near \"SELEC\": syntax error", None),
])
def test_only_the_databases_own_state_is_unavailable(message, reason):
    from sqlalchemy.exc import OperationalError

    error = OperationalError("SELECT 1", {}, sqlite3.OperationalError(message))
    assert models.unavailable_reason(error) == reason
