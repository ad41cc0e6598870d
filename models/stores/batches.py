"""Batches' deadline extensions: recording them, revoking them, and the latest day each phase
window of a batch is extended to (revoked extensions count no more)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from accel666.models.stores import CHUNK
from accel666.models.tables import extension_table

X = extension_table.c

_EXTENDED = select(func.max(X.until)).where(X.batch == bindparam("batch"),
                                            X.phase == bindparam("phase"),
                                            X.revoked_at.is_(None))


def extended_until(conn: Connection, batch: str, phase: str) -> date | None:
    """The day the `phase` window of `batch` is extended to, if it is."""
    return conn.execute(_EXTENDED, {"batch": batch, "phase": phase}).scalar()


def all_extensions(conn: Connection) -> dict[tuple[str, str], date]:
    """The day each extended window is extended to, by (batch, phase)."""
    rows = conn.execute(
        select(X.batch, X.phase, func.max(X.until)).where(X.revoked_at.is_(None))
        .group_by(X.batch, X.phase)
    ).all()
    return {(b, p): u for b, p, u in rows}


def insert_extension(conn: Connection, values: dict[str, Any]) -> int:
    """Record an extension; its id."""
    return int(conn.execute(insert(extension_table).values(**values).returning(X.id)).scalar_one())


def extensions(conn: Connection, batch: str | None = None,
               extension_id: int | None = None) -> list[Any]:
    """Extensions on record, oldest first, revoked ones included."""
    query = select(extension_table).order_by(X.id)
    if batch is not None:
        query = query.where(X.batch == batch)
    if extension_id is not None:
        query = query.where(X.id == extension_id)
    return list(conn.execute(query).all())


def revoke_extension(conn: Connection, extension_id: int, values: dict[str, Any]) -> list[int]:
    """Mark an extension, and those its act carried along, revoked; the ids, ascending."""
    return sorted(conn.execute(
        update(extension_table)
        .where((X.id == extension_id) | (X.follows == extension_id), X.revoked_at.is_(None))
        .values(**values).returning(X.id)
    ).scalars())


# Read by the record's check.

def every_extension(conn: Connection) -> Iterator[Any]:
    """Every extension, revoked ones included, by id, fetched a chunk at a time."""
    return conn.execute(select(extension_table).order_by(X.id)
                        .execution_options(yield_per=CHUNK))
