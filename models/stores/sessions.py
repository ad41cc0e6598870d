"""Sessions: the dashboard's signed-in browsers, found by the SHA-256 of their random id with the
operator each acts for; ended one at a time (sign-out) or all of an operator's at once (its
revocation), and forgotten once past their end."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from accel666.models.stores.operators import COLUMNS as OPERATOR_COLUMNS
from accel666.models.tables import operator_table, session_table

S = session_table.c
OP = operator_table.c

# A session with its operator: the session's end, and every column of the operator but its
# token's digest.
_FIND = select(S.expires_at, S.ended_at, *(OP[c] for c in OPERATOR_COLUMNS)) \
    .join_from(session_table, operator_table, S.operator_id == OP.id) \
    .where(S.id_sha256 == bindparam("sha"))


def insert_one(conn: Connection, *, id_sha256: str, operator_id: int, created_at: datetime,
               expires_at: datetime) -> None:
    """Record a new session."""
    conn.execute(insert(session_table).values(
        id_sha256=id_sha256, operator_id=operator_id, created_at=created_at,
        expires_at=expires_at))


def find(conn: Connection, id_sha256: str) -> Any | None:
    """The session whose id has this SHA-256 (`expires_at`, `ended_at`) with its operator's
    columns, in one indexed query; None if there is none."""
    return conn.execute(_FIND, {"sha": id_sha256}).first()


def end(conn: Connection, id_sha256: str, now: datetime) -> int:
    """End the session (if it has not ended); how many were ended (0 or 1)."""
    return int(conn.execute(update(session_table)
                            .where(S.id_sha256 == id_sha256, S.ended_at.is_(None))
                            .values(ended_at=now)).rowcount)


def end_all_of(conn: Connection, operator_id: int, now: datetime) -> int:
    """End every session of the operator that has not ended; how many."""
    return int(conn.execute(update(session_table)
                            .where(S.operator_id == operator_id, S.ended_at.is_(None))
                            .values(ended_at=now)).rowcount)


def forget(conn: Connection, now: datetime) -> int:
    """Drop the sessions past their expiry, ended or not (an indexed delete); how many."""
    return int(conn.execute(delete(session_table).where(S.expires_at <= now)).rowcount)
