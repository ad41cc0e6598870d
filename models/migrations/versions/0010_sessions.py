"""Sessions: the dashboard's signed-in browsers, each a random id stored as its SHA-256, the
operator it acts for, and when it ends (12 hours after sign-in, at sign-out, or when its
operator is revoked).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accel666_session",
        sa.Column("id_sha256", sa.String(64), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id_sha256", name="pk_accel666_session"),
        sa.ForeignKeyConstraint(["operator_id"], ["accel666_operator.id"],
                                name="fk_accel666_session_operator_id_accel666_operator"),
    )
    op.create_index("ix_accel666_session_operator_id", "accel666_session", ["operator_id"])
    op.create_index("ix_accel666_session_expires_at", "accel666_session", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_accel666_session_expires_at", "accel666_session")
    op.drop_index("ix_accel666_session_operator_id", "accel666_session")
    op.drop_table("accel666_session")
