"""The ledger and the anchors: a chain's lock, head and next entry; every entry in chain order;
one chain's entries, or a few of them; the chains' heads; the anchors recorded; and the rows a
table held when the ledger began.

Every function runs inside the caller's transaction; the reads of a whole table stream it a
chunk at a time, so that memory stays flat in the size of the record. The head and the append,
which every dock runs, go through `models.compiled`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, Table, bindparam, func, insert, select

from accel666.models import compiled
from accel666.models.ledger import anchor_table, ledger_table
from accel666.models.stores import CHUNK

L = ledger_table.c
A = anchor_table.c
_HEAD = select(L.seq, L.hash).where(L.chain == bindparam("chain")).order_by(L.seq.desc()).limit(1)
_APPEND = insert(ledger_table)
_LOCK = select(func.pg_advisory_xact_lock(bindparam("key", type_=BigInteger)).label("locked"))


def lock(conn: Connection, name: str) -> None:
    """Hold the next append to chain `name` until this transaction ends (PostgreSQL: a
    transaction-level advisory lock keyed by the name; SQLite's write transaction admits one
    writer already)."""
    if conn.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        compiled.first(conn, _LOCK, {"key": key})


def head(conn: Connection, name: str) -> tuple[int, str] | None:
    """The seq and hash of the chain's last entry; None for a chain not begun."""
    found = compiled.first(conn, _HEAD, {"chain": name})
    return None if found is None else (found.seq, found.hash)


def append(conn: Connection, entry: dict[str, Any]) -> None:
    """Insert one entry (chain, seq, kind, at, actor, role, body, hash)."""
    compiled.execute(conn, _APPEND, entry)


def entries(conn: Connection, *, excluding: Sequence[str] = ()) -> Iterator[Any]:
    """Every entry, chain by chain (by name), each chain in seq order; but the chains named
    in `excluding`."""
    query = select(ledger_table).order_by(L.chain, L.seq)
    if excluding:
        query = query.where(L.chain.not_in(excluding))
    return conn.execute(query.execution_options(yield_per=CHUNK))


def chain_entries(conn: Connection, name: str) -> Iterator[Any]:
    """The entries of chain `name`, in seq order, a few at a time (their bodies may be large:
    an import's holds every project it docked)."""
    return conn.execute(select(ledger_table).where(L.chain == name).order_by(L.seq)
                        .execution_options(yield_per=16))


def some(conn: Connection, name: str, seqs: Sequence[int]) -> list[Any]:
    """The entries of chain `name` with the given seqs that are on record, in seq order."""
    return list(conn.execute(select(ledger_table)
                             .where(L.chain == name, L.seq.in_(sorted(set(seqs))))
                             .order_by(L.seq)).all())


def entry_hash(conn: Connection, name: str, seq: int) -> str | None:
    """The hash of entry `seq` of chain `name`, if it is on record."""
    found: str | None = conn.execute(select(L.hash).where(L.chain == name,
                                                          L.seq == seq)).scalar()
    return found


def heads(conn: Connection) -> Iterator[Any]:
    """The last entry of every chain (chain, seq, hash), by chain name."""
    last = select(L.chain, func.max(L.seq).label("seq")).group_by(L.chain).subquery()
    return conn.execute(
        select(L.chain, L.seq, L.hash)
        .join(last, (L.chain == last.c.chain) & (L.seq == last.c.seq)).order_by(L.chain))


def add_anchor(conn: Connection, digest: str, at: datetime, projects: int, heads: str) -> int:
    """Record an anchor; its id."""
    return int(conn.execute(insert(anchor_table).values(
        digest=digest, at=at, projects=projects, heads=heads,
    ).returning(A.id)).scalar_one())


def anchor(conn: Connection, digest: str) -> Any | None:
    """The first anchor recorded with this digest, if there is one."""
    return conn.execute(select(anchor_table).where(A.digest == digest)
                        .order_by(A.id).limit(1)).first()


def held(conn: Connection, table: Table, columns: Sequence[str],
         through: int) -> Iterator[Any]:
    """The named columns of `table`'s rows with ids up to `through`, in id order, fetched a
    chunk at a time: what the ledger's adoption digests are taken over. Only the columns
    named are read (a migration reads them under the schema of its revision)."""
    return conn.execute(select(*(table.c[n] for n in columns)).where(table.c.id <= through)
                        .order_by(table.c.id).execution_options(yield_per=CHUNK))
