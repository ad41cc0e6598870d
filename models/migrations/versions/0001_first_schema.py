"""The first schema: projects, their transition log, documents, deadline extensions,
escalations and their deliveries.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accel666_extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accel666_extension")),
    )
    with op.batch_alter_table("accel666_extension", schema=None) as batch_op:
        batch_op.create_index("ix_accel666_extension_batch_phase", ["batch", "phase"], unique=False)

    op.create_table(
        "accel666_project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("enterprise", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("paper_copies", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accel666_project")),
    )
    with op.batch_alter_table("accel666_project", schema=None) as batch_op:
        batch_op.create_index("ix_accel666_project_batch_state", ["batch", "state"], unique=False)
        batch_op.create_index("ix_accel666_project_region_state", ["region", "state"], unique=False)
        batch_op.create_index(
            "uq_accel666_project_live",
            ["credit_code", "category", "batch"],
            unique=True,
            sqlite_where=sa.text("state NOT IN ('rejected', 'withdrawn')"),
            postgresql_where=sa.text("state NOT IN ('rejected', 'withdrawn')"),
        )

    op.create_table(
        "accel666_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["accel666_project.id"],
            name=op.f("fk_accel666_document_project_id_accel666_project"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accel666_document")),
    )
    with op.batch_alter_table("accel666_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accel666_document_project_id"), ["project_id"], unique=False)

    op.create_table(
        "accel666_escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lateness_seconds", sa.Integer(), nullable=False),
        sa.Column("target_role", sa.String(length=32), nullable=False),
        sa.Column("target_scope", sa.String(length=32), nullable=True),
        sa.Column("state_seen", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column("lapsed", sa.Boolean(), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acked_by", sa.String(length=200), nullable=True),
        sa.Column("ack_role", sa.String(length=32), nullable=True),
        sa.Column("ack_scope", sa.String(length=32), nullable=True),
        sa.Column("ack_note", sa.String(length=2000), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["accel666_project.id"],
            name=op.f("fk_accel666_escalation_project_id_accel666_project"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accel666_escalation")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_accel666_escalation_idempotency_key")),
        sa.UniqueConstraint(
            "project_id", "phase", "level", name=op.f("uq_accel666_escalation_project_id_phase_level")
        ),
    )
    with op.batch_alter_table("accel666_escalation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_accel666_escalation_phase_resolved_at", ["phase", "resolved_at"], unique=False
        )

    op.create_table(
        "accel666_transition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["accel666_project.id"],
            name=op.f("fk_accel666_transition_project_id_accel666_project"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accel666_transition")),
        sa.UniqueConstraint("project_id", "seq", name=op.f("uq_accel666_transition_project_id_seq")),
    )
    op.create_table(
        "accel666_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("notifier", sa.String(length=16), nullable=False),
        sa.Column("endpoint", sa.String(length=2000), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=2000), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=120), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["accel666_escalation.id"],
            name=op.f("fk_accel666_delivery_escalation_id_accel666_escalation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accel666_delivery")),
        sa.UniqueConstraint(
            "escalation_id", "notifier", name=op.f("uq_accel666_delivery_escalation_id_notifier")
        ),
    )
    with op.batch_alter_table("accel666_delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_accel666_delivery_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("accel666_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_accel666_delivery_status_next_attempt_at")

    op.drop_table("accel666_delivery")
    op.drop_table("accel666_transition")
    with op.batch_alter_table("accel666_escalation", schema=None) as batch_op:
        batch_op.drop_index("ix_accel666_escalation_phase_resolved_at")

    op.drop_table("accel666_escalation")
    with op.batch_alter_table("accel666_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accel666_document_project_id"))

    op.drop_table("accel666_document")
    with op.batch_alter_table("accel666_project", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_accel666_project_live",
            sqlite_where=sa.text("state NOT IN ('rejected', 'withdrawn')"),
            postgresql_where=sa.text("state NOT IN ('rejected', 'withdrawn')"),
        )
        batch_op.drop_index("ix_accel666_project_region_state")
        batch_op.drop_index("ix_accel666_project_batch_state")

    op.drop_table("accel666_project")
    with op.batch_alter_table("accel666_extension", schema=None) as batch_op:
        batch_op.drop_index("ix_accel666_extension_batch_phase")

    op.drop_table("accel666_extension")
