"""accel666: the lifecycle engine of the Jiangsu Industrial Internet Accelerator Project.

A host service imports only this package::

    from accel666 import Actor, Engine

    with Engine("sqlite:///accel666.db") as engine:
        project = engine.dock(Actor("li", "city", "suzhou"), title=..., enterprise=...,
                              credit_code=..., region="suzhou", category="demo")

The repository's top-level folders are this package's parts, each installed under its import
name: `workflow/` is `accel666.workflow` (the engine), `record/` the record that proves itself,
`models/` the tables, stores and migrations, `policies/` the programme as data and pure rules,
`views/` what people read, `service/` the HTTP service, `demo/` the demo and `cli/` the command
line (docs/architecture.md draws them). The names below load on first use, so that importing
`accel666.cli` for `accel666 --help` does not import the database stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

# Each public name and the module that defines it.
_WHERE = {
    "EVENTS": "accel666.lifecycle",
    "FINAL_STATES": "accel666.lifecycle",
    "STATES": "accel666.lifecycle",
    "Actor": "accel666.workflow.actor",
    "Anchor": "accel666.record.anchoring",
    "BatchStatus": "accel666.workflow.records",
    "Conflict": "accel666.errors",
    "Delivery": "accel666.workflow.deadlines.records",
    "DeliveryReport": "accel666.workflow.deadlines.records",
    "Document": "accel666.workflow.records",
    "Engine": "accel666.workflow.engine",
    "Escalation": "accel666.workflow.deadlines.records",
    "EscalationRun": "accel666.workflow.deadlines.records",
    "Expert": "accel666.workflow.experts",
    "Extension": "accel666.workflow.records",
    "ImportResult": "accel666.workflow.intake.bulk",
    "InvalidInput": "accel666.errors",
    "IssuedToken": "accel666.workflow.operators",
    "LevelCount": "accel666.workflow.deadlines.records",
    "LogNotifier": "accel666.workflow.notifiers.log",
    "NotFound": "accel666.errors",
    "Notice": "accel666.workflow.notice_records",
    "BatchNotice": "accel666.workflow.notice_records",
    "Objection": "accel666.workflow.notice_records",
    "PublicBatch": "accel666.workflow.notice_records",
    "NotPermitted": "accel666.errors",
    "Notifier": "accel666.workflow.deadlines.notifying",
    "Notifiers": "accel666.workflow.deadlines.notifying",
    "Operator": "accel666.workflow.operators",
    "OverdueProject": "accel666.workflow.deadlines.records",
    "Panel": "accel666.workflow.panels",
    "Policy": "accel666.policies.model",
    "PolicyError": "accel666.policies.loader",
    "Problem": "accel666.record.verify",
    "ProgrammeReport": "accel666.workflow.report",
    "Project": "accel666.workflow.records",
    "Refused": "accel666.errors",
    "Stale": "accel666.errors",
    "StoredPolicy": "accel666.workflow.stored_policy",
    "SweepResult": "accel666.workflow.deadlines.records",
    "Transition": "accel666.workflow.records",
    "Unauthenticated": "accel666.errors",
    "Unavailable": "accel666.errors",
    "VerifyReport": "accel666.record.verify",
    "WebhookNotifier": "accel666.workflow.notifiers.webhook",
    "WindowStatus": "accel666.workflow.records",
    "WorkflowError": "accel666.errors",
    "load_policy": "accel666.policies.loader",
}

if TYPE_CHECKING:
    from accel666.errors import Conflict as Conflict
    from accel666.errors import InvalidInput as InvalidInput
    from accel666.errors import NotFound as NotFound
    from accel666.errors import NotPermitted as NotPermitted
    from accel666.errors import Refused as Refused
    from accel666.errors import Stale as Stale
    from accel666.errors import Unauthenticated as Unauthenticated
    from accel666.errors import Unavailable as Unavailable
    from accel666.errors import WorkflowError as WorkflowError
    from accel666.lifecycle import EVENTS as EVENTS
    from accel666.lifecycle import FINAL_STATES as FINAL_STATES
    from accel666.lifecycle import STATES as STATES
    from accel666.policies.loader import PolicyError as PolicyError
    from accel666.policies.loader import load as load_policy
    from accel666.policies.model import Policy as Policy
    from accel666.record.anchoring import Anchor as Anchor
    from accel666.record.verify import Problem as Problem
    from accel666.record.verify import VerifyReport as VerifyReport
    from accel666.workflow.actor import Actor as Actor
    from accel666.workflow.deadlines.notifying import Notifier as Notifier
    from accel666.workflow.deadlines.notifying import Notifiers as Notifiers
    from accel666.workflow.deadlines.records import Delivery as Delivery
    from accel666.workflow.deadlines.records import DeliveryReport as DeliveryReport
    from accel666.workflow.deadlines.records import Escalation as Escalation
    from accel666.workflow.deadlines.records import EscalationRun as EscalationRun
    from accel666.workflow.deadlines.records import LevelCount as LevelCount
    from accel666.workflow.deadlines.records import OverdueProject as OverdueProject
    from accel666.workflow.deadlines.records import SweepResult as SweepResult
    from accel666.workflow.engine import Engine as Engine
    from accel666.workflow.experts import Expert as Expert
    from accel666.workflow.intake.bulk import ImportResult as ImportResult
    from accel666.workflow.notice_records import BatchNotice as BatchNotice
    from accel666.workflow.notice_records import Notice as Notice
    from accel666.workflow.notice_records import Objection as Objection
    from accel666.workflow.notice_records import PublicBatch as PublicBatch
    from accel666.workflow.notifiers.log import LogNotifier as LogNotifier
    from accel666.workflow.notifiers.webhook import WebhookNotifier as WebhookNotifier
    from accel666.workflow.operators import IssuedToken as IssuedToken
    from accel666.workflow.operators import Operator as Operator
    from accel666.workflow.panels import Panel as Panel
    from accel666.workflow.records import BatchStatus as BatchStatus
    from accel666.workflow.records import Document as Document
    from accel666.workflow.records import Extension as Extension
    from accel666.workflow.records import Project as Project
    from accel666.workflow.records import Transition as Transition
    from accel666.workflow.records import WindowStatus as WindowStatus
    from accel666.workflow.report import ProgrammeReport as ProgrammeReport
    from accel666.workflow.stored_policy import StoredPolicy as StoredPolicy

__all__ = [
    "EVENTS",
    "FINAL_STATES",
    "STATES",
    "Actor",
    "Anchor",
    "BatchNotice",
    "BatchStatus",
    "Conflict",
    "Delivery",
    "DeliveryReport",
    "Document",
    "Engine",
    "Escalation",
    "EscalationRun",
    "Expert",
    "Extension",
    "ImportResult",
    "InvalidInput",
    "IssuedToken",
    "LevelCount",
    "LogNotifier",
    "NotFound",
    "NotPermitted",
    "Notice",
    "Notifier",
    "Notifiers",
    "Objection",
    "Operator",
    "OverdueProject",
    "Panel",
    "Policy",
    "PolicyError",
    "Problem",
    "ProgrammeReport",
    "Project",
    "PublicBatch",
    "Refused",
    "Stale",
    "StoredPolicy",
    "SweepResult",
    "Transition",
    "Unauthenticated",
    "Unavailable",
    "VerifyReport",
    "WebhookNotifier",
    "WindowStatus",
    "WorkflowError",
    "__version__",
    "load_policy",
]


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562), then keep it here."""
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'accel666' has no attribute {name!r}")
    attribute = "load" if name == "load_policy" else name
    value = getattr(importlib.import_module(where), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
