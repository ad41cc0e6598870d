"""Index the outbox the way a delivery round claims it: a notifier's pending deliveries in id
order. The old index on (status, next_attempt_at) made each claim read and sort every pending
delivery, so a backlog took time quadratic in its size to deliver.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_accel666_delivery_status_next_attempt_at", table_name="accel666_delivery")
    op.create_index("ix_accel666_delivery_claim", "accel666_delivery",
                    ["notifier", "status", "id"])


def downgrade() -> None:
    op.drop_index("ix_accel666_delivery_claim", table_name="accel666_delivery")
    op.create_index("ix_accel666_delivery_status_next_attempt_at", "accel666_delivery",
                    ["status", "next_attempt_at"])
