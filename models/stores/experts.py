"""Experts: the province's registry, found by key."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, insert, select

from accel666.models.stores import CHUNK
from accel666.models.tables import expert_table

X = expert_table.c
COLUMNS = ("id", "key", "name", "unit", "avoid", "added_at", "added_by")


def by_key(conn: Connection, key: str) -> Any | None:
    """The expert with this key, or None."""
    return conn.execute(select(*(X[c] for c in COLUMNS)).where(X.key == key)).first()


def by_keys(conn: Connection, keys: Sequence[str]) -> dict[str, Any]:
    """The experts with these keys that exist, by key."""
    rows = conn.execute(select(*(X[c] for c in COLUMNS)).where(X.key.in_(list(keys))))
    return {r.key: r for r in rows}


def listed(conn: Connection) -> list[Any]:
    """Every expert, in the order they were added."""
    return list(conn.execute(select(*(X[c] for c in COLUMNS)).order_by(X.id)).all())


def insert_one(conn: Connection, values: dict[str, Any]) -> int:
    """Record a new expert; its id."""
    return int(conn.execute(insert(expert_table).values(**values).returning(X.id)).scalar_one())


# Read by the record's check.

def every(conn: Connection) -> Iterator[Any]:
    """Every expert, by id, fetched a chunk at a time."""
    return conn.execute(select(*(X[c] for c in COLUMNS)).order_by(X.id)
                        .execution_options(yield_per=CHUNK))
