"""Hash-chain the transition log: each row's SHA-256 over the row and the previous row's hash;
each project keeps the hash of its latest row. Existing rows are chained in order.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa
from alembic import op

from accel666.record import chain

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("accel666_transition") as batch_op:
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("accel666_project") as batch_op:
        batch_op.add_column(sa.Column("head_hash", sa.String(length=64), nullable=True))
    _chain_existing_rows(op.get_bind())
    with op.batch_alter_table("accel666_transition") as batch_op:
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
    with op.batch_alter_table("accel666_project") as batch_op:
        batch_op.alter_column("head_hash", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("accel666_project") as batch_op:
        batch_op.drop_column("head_hash")
    with op.batch_alter_table("accel666_transition") as batch_op:
        batch_op.drop_column("hash")


def _chain_existing_rows(conn: sa.Connection) -> None:
    """Hash every log row in (project, seq) order and record each project's head."""
    meta = sa.MetaData()
    log = sa.Table("accel666_transition", meta, autoload_with=conn)
    project = sa.Table("accel666_project", meta, autoload_with=conn)
    set_hash = log.update().where(log.c.id == sa.bindparam("row_id")).values(
        hash=sa.bindparam("row_hash"))
    set_head = project.update().where(project.c.id == sa.bindparam("pid")).values(
        head_hash=sa.bindparam("head"))
    rows = conn.execute(sa.select(log).order_by(log.c.project_id, log.c.seq)).mappings().all()
    hashes, heads = [], {}
    prev_project, prev = None, chain.GENESIS
    for row in rows:
        if row["project_id"] != prev_project:
            prev_project, prev = row["project_id"], chain.GENESIS
        at = row["at"]
        if at.tzinfo is None:  # SQLite keeps naive UTC
            at = at.replace(tzinfo=UTC)
        prev = chain.row_hash({**row, "at": at, "payload": row["payload"] or {}}, prev)
        hashes.append({"row_id": row["id"], "row_hash": prev})
        heads[row["project_id"]] = prev
    for start in range(0, len(hashes), _BATCH):
        conn.execute(set_hash, hashes[start:start + _BATCH])
    if heads:
        conn.execute(set_head, [{"pid": pid, "head": h} for pid, h in heads.items()])

