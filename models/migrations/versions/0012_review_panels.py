"""The expert review: the province's registry of experts and the panels' seats (each expert's
assignment, recusal and score), acts of the ledger's `experts` and `panels` chains.

Nothing held before is touched: a project reviewed before panels existed keeps its one score
in its log and shows as reviewed without a panel.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accel666_expert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(200), nullable=True),
        sa.Column("avoid", sa.JSON(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accel666_expert"),
        sa.UniqueConstraint("key", name="uq_accel666_expert_key"),
    )
    op.create_table(
        "accel666_panel_seat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("expert", sa.String(32), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(200), nullable=False),
        sa.Column("recused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recuse_reason", sa.String(2000), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.String(2000), nullable=True),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)",
                           name="ck_accel666_panel_seat_score"),
        sa.ForeignKeyConstraint(["project_id"], ["accel666_project.id"],
                                name="fk_accel666_panel_seat_project_id_accel666_project"),
        sa.PrimaryKeyConstraint("id", name="pk_accel666_panel_seat"),
        sa.UniqueConstraint("project_id", "expert",
                            name="uq_accel666_panel_seat_project_id_expert"),
    )
    op.create_index("ix_accel666_panel_seat_expert", "accel666_panel_seat", ["expert"])


def downgrade() -> None:
    op.drop_index("ix_accel666_panel_seat_expert", table_name="accel666_panel_seat")
    op.drop_table("accel666_panel_seat")
    op.drop_table("accel666_expert")
