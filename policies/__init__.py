"""The 666 programme as data, and pure functions of (policy, facts, now).

Standard library only: no database, no clock reads, no I/O beyond loading the policy file.
"""

from accel666.lifecycle import ACTS, EVENTS, PHASE_OF_EVENT, PHASES, STATES
from accel666.policies.credit_code import CreditCodeError
from accel666.policies.document import as_document
from accel666.policies.loader import PolicyError, load, parse
from accel666.policies.model import (
    Batch,
    Category,
    Grant,
    Materials,
    Policy,
    Region,
    Review,
    Role,
    Window,
)
from accel666.policies.rules import Denial, LookupFailed

__all__ = [
    "ACTS",
    "EVENTS",
    "PHASES",
    "PHASE_OF_EVENT",
    "STATES",
    "Batch",
    "Category",
    "CreditCodeError",
    "Denial",
    "Grant",
    "LookupFailed",
    "Materials",
    "Policy",
    "PolicyError",
    "Region",
    "Review",
    "Role",
    "Window",
    "as_document",
    "load",
    "parse",
]
