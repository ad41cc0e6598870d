"""Appending acts to the ledger's chains (models.ledger), inside the caller's transaction.

Appends to one chain queue up: SQLite's write transaction admits one writer, and on
PostgreSQL a transaction-level advisory lock keyed by the chain's name holds the next append
until this one commits, so each act reads the true head.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select

from accel666.models import ledger_table
from accel666.record import chain

L = ledger_table.c
_HEAD = select(L.seq, L.hash).where(L.chain == bindparam("chain")).order_by(L.seq.desc()).limit(1)
_APPEND = insert(ledger_table)


def batch_chain(batch: str) -> str:
    return f"batch:{batch}"


def escalation_chain(escalation_id: int) -> str:
    return f"escalation:{escalation_id}"


SWEEPS = "sweeps"
POLICY = "policy"
OPERATORS = "operators"


def lock(conn: Connection, name: str) -> None:
    """Hold the next append to chain `name` until this transaction ends (PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        conn.execute(select(func.pg_advisory_xact_lock(key)))


def head(conn: Connection, name: str) -> tuple[int, str]:
    """The seq and hash of the chain's last entry; (0, GENESIS) for a chain not begun."""
    found = conn.execute(_HEAD, {"chain": name}).first()
    return (found.seq, found.hash) if found is not None else (0, chain.GENESIS)


def append(conn: Connection, name: str, kind: str, at: datetime, actor: str, role: str,
           body: dict[str, Any]) -> int:
    """Chain one act to `name`; its seq. `body` holds JSON values only (see chain.plain)."""
    lock(conn, name)
    seq, prev = head(conn, name)
    entry = {"chain": name, "seq": seq + 1, "kind": kind, "at": at, "actor": actor,
             "role": role, "body": body}
    conn.execute(_APPEND, {**entry, "hash": chain.entry_hash(entry, prev)})
    return seq + 1
