"""Operators: who may act through the service, found by name or by the SHA-256 of their token.

The token itself is never stored; the columns read here never include its digest but for
`by_digest`, which compares it, and the record's check (`every`), which compares it with the
operators' chain.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from accel666.models.stores import CHUNK
from accel666.models.tables import operator_table

OP = operator_table.c
# An operator as it is read: every column but its token's digest.
COLUMNS = ("id", "name", "role", "scope", "granted_at", "granted_by", "revoked_at",
           "revoked_by", "revoke_reason")

_BY_DIGEST = select(*(OP[c] for c in (*COLUMNS, "token_sha256"))) \
    .where(OP.token_sha256 == bindparam("sha"))
_BY_NAME = select(*(OP[c] for c in COLUMNS)).where(OP.name == bindparam("name"))


def by_digest(conn: Connection, sha256: str) -> Any | None:
    """The operator whose token has this SHA-256, with the digest (one indexed query)."""
    return conn.execute(_BY_DIGEST, {"sha": sha256}).first()


def by_name(conn: Connection, name: str) -> Any | None:
    """The operator named `name`, revoked or not."""
    return conn.execute(_BY_NAME, {"name": name}).first()


def listed(conn: Connection, include_revoked: bool) -> list[Any]:
    """The operators, oldest first: those not revoked, or all with `include_revoked`."""
    query = select(*(OP[c] for c in COLUMNS)).order_by(OP.id)
    if not include_revoked:
        query = query.where(OP.revoked_at.is_(None))
    return list(conn.execute(query).all())


def insert_one(conn: Connection, values: dict[str, Any]) -> int:
    """Record a new operator (its token's digest among `values`); its id."""
    return int(conn.execute(insert(operator_table).values(**values)
                            .returning(OP.id)).scalar_one())


def revoke(conn: Connection, operator_id: int, values: dict[str, Any]) -> None:
    """Mark the operator revoked (who, when, why in `values`)."""
    conn.execute(update(operator_table).where(OP.id == operator_id).values(**values))


# Read by the record's check.

def every(conn: Connection, columns: Sequence[str]) -> Iterator[Any]:
    """The named columns of every operator, revoked ones included, by id, fetched a chunk at
    a time: the check compares them, its token's digest among them, with the operators'
    chain."""
    return conn.execute(select(*(OP[c] for c in columns)).order_by(OP.id)
                        .execution_options(yield_per=CHUNK))
