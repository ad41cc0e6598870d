"""Alembic's environment for accel666: run with a connection handed over by models.schema."""

from __future__ import annotations

from alembic import context

from accel666.models.schema import VERSION_TABLE
from accel666.models.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `accel666 db upgrade` (models.schema.upgrade)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
