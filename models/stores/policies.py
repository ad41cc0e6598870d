"""Stored policies: each policy put in force on the database, the latest in force."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from accel666.models.stores import CHUNK
from accel666.models.tables import policy_table

Y = policy_table.c


def latest(conn: Connection) -> Any | None:
    """The policy in force (the latest applied), or None before the first use."""
    return conn.execute(select(policy_table).order_by(Y.id.desc()).limit(1)).first()


def insert_one(conn: Connection, *, text: str, sha256: str, applied_at: datetime, actor: str,
               role: str, reason: str) -> int:
    """Record a policy put in force; its id."""
    return int(conn.execute(insert(policy_table).values(
        text=text, sha256=sha256, applied_at=applied_at, actor=actor, role=role, reason=reason)
        .returning(Y.id)).scalar_one())


def history(conn: Connection) -> list[Any]:
    """Every policy applied, oldest first."""
    return list(conn.execute(select(policy_table).order_by(Y.id)).all())


# Read by the record's check.

def every(conn: Connection, columns: Sequence[str]) -> Iterator[Any]:
    """The named columns of every stored policy, by id, fetched a chunk at a time."""
    return conn.execute(select(*(Y[c] for c in columns)).order_by(Y.id)
                        .execution_options(yield_per=CHUNK))
