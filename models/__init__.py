"""Persistence: the tables, their column types and how a database is opened."""

from models.database import create, create_schema, reading, url_for, writing
from models.escalations import (
    DELIVERY_STATUSES,
    NOTIFIERS,
    DeliveryRow,
    EscalationRow,
    delivery_table,
    escalation_table,
)
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
    "DELIVERY_STATUSES",
    "ENDED_STATES",
    "NOTIFIERS",
    "DeliveryRow",
    "DocumentRow",
    "EscalationRow",
    "ExtensionRow",
    "ProjectRow",
    "TransitionRow",
    "create",
    "create_schema",
    "delivery_table",
    "document_table",
    "escalation_table",
    "extension_table",
    "metadata",
    "project_table",
    "reading",
    "transition_table",
    "url_for",
    "writing",
]
