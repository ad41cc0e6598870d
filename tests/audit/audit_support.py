"""Helpers for the audit tests: a database with history, and edits behind the engine's back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from accel666 import models
from accel666.models import schema


def empty_database(url: str) -> None:
    """Drop every table, the schema revision included: a database as a new user has it."""
    eng = create_engine(url)
    try:
        with eng.begin() as conn:
            if eng.dialect.name == "postgresql":
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            else:
                names = [r[0] for r in conn.execute(text(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"))]
                conn.execute(text("PRAGMA foreign_keys = OFF"))
                for name in names:
                    conn.execute(text(f'DROP TABLE "{name}"'))
    finally:
        eng.dispose()


def behind_the_back(url: str, *statements: str, **params: Any) -> None:
    """Run raw SQL on the database as an intruder would: no engine, no checks."""
    eng = create_engine(make_url(url))
    try:
        with eng.begin() as conn:
            for sql in statements:
                conn.execute(text(sql), params)
    finally:
        eng.dispose()


def at_revision(url: str, revision: str) -> None:
    """An empty database brought to `revision` by the migrations alone."""
    empty_database(url)
    eng = models.create(url)
    try:
        schema.upgrade(eng, revision)
    finally:
        eng.dispose()
