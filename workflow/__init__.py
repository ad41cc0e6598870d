"""accel666: the lifecycle engine of the Jiangsu Industrial Internet Accelerator Project.

A host service needs only this module::

    from workflow import Actor, Engine

    with Engine("sqlite:///accel666.db") as engine:
        project = engine.dock(Actor("li", "city", "suzhou"), title=..., enterprise=...,
                              credit_code=..., region="suzhou", category="demo")
"""

from policies import Policy, PolicyError
from policies import as_document as policy_document
from policies import load as load_policy
from workflow.actor import Actor
from workflow.engine import Engine
from workflow.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    NotPermitted,
    Refused,
    WorkflowError,
)
from workflow.escalation_records import (
    Delivery,
    DeliveryReport,
    Escalation,
    EscalationRun,
    LevelCount,
    OverdueProject,
    SweepResult,
)
from workflow.machine import EVENTS, FINAL_STATES, STATES
from workflow.records import (
    BatchStatus,
    Document,
    Extension,
    Project,
    Transition,
    WindowStatus,
)
from workflow.verify import Problem, VerifyReport

__all__ = [
    "EVENTS",
    "FINAL_STATES",
    "STATES",
    "Actor",
    "BatchStatus",
    "Conflict",
    "Delivery",
    "DeliveryReport",
    "Document",
    "Engine",
    "Escalation",
    "EscalationRun",
    "Extension",
    "InvalidInput",
    "LevelCount",
    "NotFound",
    "NotPermitted",
    "OverdueProject",
    "Policy",
    "PolicyError",
    "Problem",
    "Project",
    "Refused",
    "SweepResult",
    "Transition",
    "VerifyReport",
    "WindowStatus",
    "WorkflowError",
    "load_policy",
    "policy_document",
]
