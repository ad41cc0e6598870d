"""A record that misses nothing: every project docked is held by the programme-wide `docks`
chain of the ledger, and the escalation outbox by the `outbox` chain, each delivery naming the
entry that last wrote its endpoint, status and attempts (`proved_in`).

The projects and deliveries a database already holds are adopted as found, one by one: the
`docks` chain begins with `adopt` entries listing each project's id and identity, the `outbox`
chain with `held` entries listing each delivery's endpoint, status and attempts (10,000 a
entry), so that `verify` names any of them deleted or changed from now on, and a delivery is
posted only to the endpoint the record holds.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from accel666.models.types import UTCDateTime
from accel666.record import chain, proofs

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

DOCKS = "docks"
OUTBOX = "outbox"
PER_ENTRY = 10_000  # projects or deliveries one adoption entry lists


def upgrade() -> None:
    with op.batch_alter_table("accel666_delivery") as batch_op:
        batch_op.add_column(sa.Column("proved_in", sa.Integer(), nullable=True))
    _adopt(op.get_bind())


def _ledger() -> sa.Table:
    return sa.Table("accel666_ledger", sa.MetaData(), sa.Column("id", sa.Integer),
                    *(sa.Column(n) for n in ("chain", "seq", "kind", "actor", "role", "hash")),
                    sa.Column("at", UTCDateTime), sa.Column("body", sa.JSON))


def _adopt(conn: sa.Connection) -> None:
    """The `adopt` entries of the docks chain and the `held` entries of the outbox chain, over
    what the database holds; each delivery pointed at the entry that lists it."""
    meta = sa.MetaData()
    project = sa.Table("accel666_project", meta, autoload_with=conn)
    delivery = sa.Table("accel666_delivery", meta, autoload_with=conn)
    ledger = _ledger()
    now = datetime.now(UTC)

    def last(table: sa.Table) -> int:
        return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)))
                   .scalar_one())

    def append(name: str, seq: int, prev: str, kind: str, body: dict[str, Any]) -> str:
        entry = {"chain": name, "seq": seq, "kind": kind, "at": now, "actor": "accel666",
                 "role": "system", "body": {"schema": revision, **body}}
        digest = chain.entry_hash(entry, prev)
        conn.execute(ledger.insert().values(**entry, hash=digest))
        return digest

    prev = chain.GENESIS
    for seq, part in enumerate(proofs.held_projects(conn, last(project), PER_ENTRY), start=1):
        prev = append(DOCKS, seq, prev, "adopt", {"projects": part})
    prev = chain.GENESIS
    for seq, part in enumerate(proofs.held_deliveries(conn, last(delivery), PER_ENTRY),
                               start=1):
        prev = append(OUTBOX, seq, prev, "held", {"deliveries": part})
        conn.execute(delivery.update().where(delivery.c.id.between(part[0][0], part[-1][0]))
                     .values(proved_in=seq))


def downgrade() -> None:
    ledger = _ledger()
    op.get_bind().execute(ledger.delete().where(ledger.c.chain.in_((DOCKS, OUTBOX))))
    with op.batch_alter_table("accel666_delivery") as batch_op:
        batch_op.drop_column("proved_in")
