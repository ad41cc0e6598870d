"""Operators: who may act through the service, the role each acts in, and the SHA-256 of
its token; granted and revoked as acts of the `operators` chain of the ledger.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accel666_operator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(32), nullable=True),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(200), nullable=True),
        sa.Column("revoke_reason", sa.String(2000), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_accel666_operator"),
        sa.UniqueConstraint("name", name="uq_accel666_operator_name"),
        sa.UniqueConstraint("token_sha256", name="uq_accel666_operator_token_sha256"),
    )


def downgrade() -> None:
    op.drop_table("accel666_operator")
