"""Public notices (公示) and objections (异议): each notice of a batch's reviewed projects, the
projects it announced, and the objections received while it was open with their resolutions;
all acts of the ledger's `notices` chain.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accel666_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("contact", sa.String(2000), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accel666_notice"),
    )
    op.create_index("ix_accel666_notice_batch", "accel666_notice", ["batch"])
    op.create_table(
        "accel666_notice_project",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", name="pk_accel666_notice_project"),
        sa.ForeignKeyConstraint(["project_id"], ["accel666_project.id"],
                                name="fk_accel666_notice_project_project_id_accel666_project"),
        sa.ForeignKeyConstraint(["notice_id"], ["accel666_notice.id"],
                                name="fk_accel666_notice_project_notice_id_accel666_notice"),
    )
    op.create_index("ix_accel666_notice_project_notice_id", "accel666_notice_project",
                    ["notice_id"])
    op.create_table(
        "accel666_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(200), nullable=True),
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("reason", sa.String(2000), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_accel666_objection"),
        sa.ForeignKeyConstraint(["project_id"], ["accel666_project.id"],
                                name="fk_accel666_objection_project_id_accel666_project"),
        sa.ForeignKeyConstraint(["notice_id"], ["accel666_notice.id"],
                                name="fk_accel666_objection_notice_id_accel666_notice"),
        sa.CheckConstraint("outcome IS NULL OR outcome IN ('upheld', 'dismissed')",
                           name="ck_accel666_objection_outcome"),
    )
    op.create_index("ix_accel666_objection_project_id", "accel666_objection", ["project_id"])
    op.create_index("ix_accel666_objection_notice_id", "accel666_objection", ["notice_id"])


def downgrade() -> None:
    op.drop_index("ix_accel666_objection_notice_id", "accel666_objection")
    op.drop_index("ix_accel666_objection_project_id", "accel666_objection")
    op.drop_table("accel666_objection")
    op.drop_index("ix_accel666_notice_project_notice_id", "accel666_notice_project")
    op.drop_table("accel666_notice_project")
    op.drop_index("ix_accel666_notice_batch", "accel666_notice")
    op.drop_table("accel666_notice")
