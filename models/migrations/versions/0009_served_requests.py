"""Served requests: the answer to each request that carried an Idempotency-Key, kept so that a
retry gets the same answer and changes nothing.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accel666_served_request",
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("headers", sa.Text(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key", name="pk_accel666_served_request"),
    )
    op.create_index("ix_accel666_served_request_claimed_at", "accel666_served_request",
                    ["claimed_at"])


def downgrade() -> None:
    op.drop_index("ix_accel666_served_request_claimed_at", "accel666_served_request")
    op.drop_table("accel666_served_request")
