"""Extensions as acts: the extension that carried a later phase along (`follows`), an override
of the reopening limit, and a revocation (who, when, why) recorded on the row it undoes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLE = "accel666_extension"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("follows", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("override", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("revoked_role", sa.String(32), nullable=True))
        batch.add_column(sa.Column("revoke_reason", sa.String(2000), nullable=True))
        batch.create_foreign_key("fk_accel666_extension_follows", TABLE, ["follows"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint("fk_accel666_extension_follows", type_="foreignkey")
        for column in ("revoke_reason", "revoked_role", "revoked_by", "revoked_at", "override",
                       "follows"):
            batch.drop_column(column)
