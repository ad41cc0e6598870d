"""Persistence: the tables, their column types and how a database is opened."""

from models import chain, schema
from models.database import create, reading, retry_when_busy, url_for, writing
from models.escalations import (
    DELIVERY_STATUSES,
    NOTIFIERS,
    DeliveryRow,
    EscalationRow,
    delivery_table,
    escalation_table,
)
from models.schema import HEAD as SCHEMA_HEAD
from models.schema import SchemaOutdated, upgrade
from models.schema import ensure as create_schema
from models.tables import (
    ENDED_STATES,
    LIVE,
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
    "LIVE",
    "NOTIFIERS",
    "SCHEMA_HEAD",
    "DeliveryRow",
    "DocumentRow",
    "EscalationRow",
    "ExtensionRow",
    "ProjectRow",
    "SchemaOutdated",
    "TransitionRow",
    "chain",
    "create",
    "create_schema",
    "delivery_table",
    "document_table",
    "escalation_table",
    "extension_table",
    "metadata",
    "project_table",
    "reading",
    "retry_when_busy",
    "schema",
    "transition_table",
    "upgrade",
    "url_for",
    "writing",
]
