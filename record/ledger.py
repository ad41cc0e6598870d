"""Appending acts to the ledger's chains (models.ledger), inside the caller's transaction.

Appends to one chain queue up: SQLite's write transaction admits one writer, and on
PostgreSQL a transaction-level advisory lock keyed by the chain's name holds the next append
until this one commits, so each act reads the true head.

What a database's first change must carry with it (the binding of its policy,
workflow.stored_policy) is registered with `before_first_append`: every append runs it, in
the appending transaction, until it says it is done.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine

from accel666.models.stores import ledger as ledger_store
from accel666.record import chain


def batch_chain(batch: str) -> str:
    return f"batch:{batch}"


def escalation_chain(escalation_id: int) -> str:
    return f"escalation:{escalation_id}"


SWEEPS = "sweeps"
POLICY = "policy"
OPERATORS = "operators"
# Every project docked, programme-wide: one entry per dock, one per import (record.proofs.DOCKED).
DOCKS = "docks"
# The escalation outbox: each delivery's queueing and each change of its endpoint, status or
# attempts (record.proofs.DELIVERY).
OUTBOX = "outbox"
# Public notices and objections: each notice started with the projects it announced, each
# objection received and each resolution (record.notices).
NOTICES = "notices"
# The expert review: the registry of experts (kind `add`), and the panels (kinds `assign`,
# `recuse`, `score`), proved by record.review.
EXPERTS = "experts"
PANELS = "panels"

# What runs before an append, by database: called with the connection and the act's moment;
# True once it has nothing left to do on that database.
FirstAppend = Callable[[Connection, datetime], bool]
_first: weakref.WeakKeyDictionary[SAEngine, FirstAppend] = weakref.WeakKeyDictionary()


def before_first_append(db: SAEngine, write: FirstAppend) -> None:
    """Run `write` in the transaction of each append to a chain of `db` until it returns
    True (it is done once what it writes is committed: it checks, and says so)."""
    _first[db] = write


def pending_first_append(db: SAEngine) -> FirstAppend | None:
    """What `before_first_append` registered for `db` and is not done yet."""
    return _first.get(db)


def first_append(conn: Connection, at: datetime) -> None:
    """Run what must go before the first append on this database, if anything is left."""
    write = _first.get(conn.engine)
    if write is not None and write(conn, at):
        _first.pop(conn.engine, None)


def lock(conn: Connection, name: str) -> None:
    """Hold the next append to chain `name` until this transaction ends (PostgreSQL)."""
    ledger_store.lock(conn, name)


def head(conn: Connection, name: str) -> tuple[int, str]:
    """The seq and hash of the chain's last entry; (0, GENESIS) for a chain not begun."""
    return ledger_store.head(conn, name) or (0, chain.GENESIS)


def append(conn: Connection, name: str, kind: str, at: datetime, actor: str, role: str,
           body: dict[str, Any], *, locked: bool = False) -> int:
    """Chain one act to `name`; its seq. `body` holds JSON values only (see chain.plain).
    `locked`: this transaction holds the chain's lock already (`lock`)."""
    first_append(conn, at)
    if not locked:
        lock(conn, name)
    seq, prev = head(conn, name)
    entry = {"chain": name, "seq": seq + 1, "kind": kind, "at": at, "actor": actor,
             "role": role, "body": body}
    ledger_store.append(conn, {**entry, "hash": chain.entry_hash(entry, prev)})
    return seq + 1
