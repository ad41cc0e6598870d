"""Persistence: the tables, their column types and how a database is opened."""

from models.database import create, create_schema, reading, url_for, writing
from models.tables import (
    ENDED_STATES,
    DocumentRow,
    ExtensionRow,
    ProjectRow,
    TransitionRow,
    document_table,
    extension_table,
    metadata,
    project_table,
    transition_table,
)

__all__ = [
    "ENDED_STATES",
    "DocumentRow",
    "ExtensionRow",
    "ProjectRow",
    "TransitionRow",
    "create",
    "create_schema",
    "document_table",
    "extension_table",
    "metadata",
    "project_table",
    "reading",
    "transition_table",
    "url_for",
    "writing",
]
