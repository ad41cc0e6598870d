"""The database holds its policy: each applied policy as canonical TOML with its SHA-256, who
applied it, when and why; the latest is in force.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accel666_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accel666_policy"),
    )


def downgrade() -> None:
    op.drop_table("accel666_policy")
