"""Throw-away databases for the benchmarks, and the SQLAlchemy engines the library runs on."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine as SAEngine
from sqlalchemy import event
from sqlalchemy.engine import make_url

from accel666 import models

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def fresh_sqlite(path: Path) -> Path:
    """An empty SQLite file at `path` holding the engine's schema."""
    remove_sqlite(path)
    db = models.create(sqlite_url(path))
    try:
        models.create_schema(db)
    finally:
        db.dispose()
    return path


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def sa_engine(kind: str, url: str) -> SAEngine:
    """The SQLAlchemy engine a host would pass to `Engine(bind=...)` for this benchmark case.

    `sqlite_full` is the library's own configuration; `sqlite_normal` adds a connect listener
    (run after the library's) that lowers synchronous to NORMAL; `pg` is one pooled connection.
    """
    if kind == "pg":
        return models.create(url, pool_size=1, max_overflow=0)
    db = models.create(url)
    if kind == "sqlite_normal":
        @event.listens_for(db, "connect")
        def _normal(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.execute("PRAGMA synchronous = NORMAL")
    return db


def conninfo(url: str) -> str:
    """The libpq URI psycopg takes for a SQLAlchemy PostgreSQL URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def pg_unreachable(admin_url: str) -> str | None:
    """None if a PostgreSQL server answers at `admin_url`, else why not."""
    try:
        with psycopg.connect(conninfo(admin_url), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except (psycopg.Error, OSError) as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


@contextmanager
def pg_database(admin_url: str) -> Iterator[str]:
    """A throw-away database `accel666_bench_<random>` with the schema; dropped afterwards."""
    name = f"accel666_bench_{uuid.uuid4().hex[:10]}"
    admin = conninfo(admin_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
    text = url.render_as_string(hide_password=False)
    try:
        db = models.create(text)
        try:
            models.create_schema(db)
        finally:
            db.dispose()
        yield text
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def truncate_pg(url: str) -> None:
    """Empty every table of the engine's schema and restart the ids."""
    names = ", ".join(t.name for t in models.metadata.sorted_tables)
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        conn.execute("CHECKPOINT")
