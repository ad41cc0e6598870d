"""A record that proves itself: the ledger (hash chains of extensions, acknowledgements, sweeps
and policies), the anchors, and the sweep that resolved each escalation.

Rows already held cannot be proved one by one (their acts were never chained): they are adopted
as found, one digest per table in the `adopted` chain, which `verify` recomputes; their
project's dock entries do not record the identity, which `verify` reports as unproven.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from accel666.models.types import UTCDateTime
from accel666.record import chain, proofs

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accel666_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain", sa.String(80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accel666_ledger"),
        sa.UniqueConstraint("chain", "seq", name="uq_accel666_ledger_chain_seq"),
    )
    op.create_table(
        "accel666_anchor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("projects", sa.Integer(), nullable=False),
        sa.Column("heads", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accel666_anchor"),
    )
    op.create_index("ix_accel666_anchor_digest", "accel666_anchor", ["digest"])
    with op.batch_alter_table("accel666_escalation") as batch_op:
        batch_op.add_column(sa.Column("resolved_in", sa.Integer(), nullable=True))
        batch_op.create_index("ix_accel666_escalation_resolved_in", ["resolved_in"])
    _adopt(op.get_bind())


def _adopt(conn: sa.Connection) -> None:
    """One `adopt` entry over what the database holds, if it holds anything."""
    meta = sa.MetaData()
    tables = {key: sa.Table(f"accel666_{name}", meta, autoload_with=conn) for key, name in (
        ("projects", "project"), ("extensions", "extension"), ("escalations", "escalation"),
        ("policies", "policy"))}
    through = {key: conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0)))
               .scalar_one() for key, t in tables.items()}
    if not any(through.values()):
        return
    body = proofs.adoption(conn, through)
    entry = {"chain": proofs.ADOPTED_CHAIN, "seq": 1, "kind": "adopt",
             "at": datetime.now(UTC), "actor": "accel666", "role": "system",
             "body": {"schema": revision, **body}}
    ledger = sa.Table("accel666_ledger", sa.MetaData(), sa.Column("id", sa.Integer),
                      *(sa.Column(n) for n in ("chain", "seq", "kind", "actor", "role", "hash")),
                      sa.Column("at", UTCDateTime), sa.Column("body", sa.JSON))
    conn.execute(ledger.insert().values(**entry, hash=chain.entry_hash(entry, chain.GENESIS)))


def downgrade() -> None:
    with op.batch_alter_table("accel666_escalation") as batch_op:
        batch_op.drop_index("ix_accel666_escalation_resolved_in")
        batch_op.drop_column("resolved_in")
    op.drop_index("ix_accel666_anchor_digest", "accel666_anchor")
    op.drop_table("accel666_anchor")
    op.drop_table("accel666_ledger")
