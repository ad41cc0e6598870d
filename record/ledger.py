"""Appending acts to the ledger's chains (models.ledger), inside the caller's transaction.

Appends to one chain queue up: SQLite's write transaction admits one writer, and on
PostgreSQL a transaction-level advisory lock keyed by the chain's name holds the next append
until this one commits, so each act reads the true head.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from accel666.models.stores import ledger as ledger_store
from accel666.record import chain


def batch_chain(batch: str) -> str:
    return f"batch:{batch}"


def escalation_chain(escalation_id: int) -> str:
    return f"escalation:{escalation_id}"


SWEEPS = "sweeps"
POLICY = "policy"
OPERATORS = "operators"


def lock(conn: Connection, name: str) -> None:
    """Hold the next append to chain `name` until this transaction ends (PostgreSQL)."""
    ledger_store.lock(conn, name)


def head(conn: Connection, name: str) -> tuple[int, str]:
    """The seq and hash of the chain's last entry; (0, GENESIS) for a chain not begun."""
    return ledger_store.head(conn, name) or (0, chain.GENESIS)


def append(conn: Connection, name: str, kind: str, at: datetime, actor: str, role: str,
           body: dict[str, Any]) -> int:
    """Chain one act to `name`; its seq. `body` holds JSON values only (see chain.plain)."""
    lock(conn, name)
    seq, prev = head(conn, name)
    entry = {"chain": name, "seq": seq + 1, "kind": kind, "at": at, "actor": actor,
             "role": role, "body": body}
    ledger_store.append(conn, {**entry, "hash": chain.entry_hash(entry, prev)})
    return seq + 1
