"""Persistence: the tables, their column types and how a database is opened."""

from accel666.models import schema
from accel666.models.database import (
    create,
    reading,
    retry_when_busy,
    unavailable_reason,
    url_for,
    writing,
)
from accel666.models.escalations import (
    DELIVERY_STATUSES,
    NOTIFIERS,
    DeliveryRow,
    EscalationRow,
    delivery_table,
    escalation_table,
)
from accel666.models.ledger import AnchorRow, LedgerRow, anchor_table, ledger_table
from accel666.models.schema import HEAD as SCHEMA_HEAD
from accel666.models.schema import SchemaNewer, SchemaOutdated, SchemaUnrecorded, upgrade
from accel666.models.schema import ensure as create_schema
from accel666.models.tables import (
    LIVE,
    DocumentRow,
    ExtensionRow,
    OperatorRow,
    PolicyRow,
    ProjectRow,
    TransitionRow,
    document_table,
    extension_table,
    metadata,
    operator_table,
    policy_table,
    project_table,
    served_request_table,
    transition_table,
)

__all__ = [
    "DELIVERY_STATUSES",
    "LIVE",
    "NOTIFIERS",
    "SCHEMA_HEAD",
    "AnchorRow",
    "DeliveryRow",
    "DocumentRow",
    "EscalationRow",
    "ExtensionRow",
    "LedgerRow",
    "OperatorRow",
    "PolicyRow",
    "ProjectRow",
    "SchemaNewer",
    "SchemaOutdated",
    "SchemaUnrecorded",
    "TransitionRow",
    "anchor_table",
    "create",
    "create_schema",
    "delivery_table",
    "document_table",
    "escalation_table",
    "extension_table",
    "ledger_table",
    "metadata",
    "operator_table",
    "policy_table",
    "project_table",
    "reading",
    "retry_when_busy",
    "schema",
    "served_request_table",
    "transition_table",
    "unavailable_reason",
    "upgrade",
    "url_for",
    "writing",
]
