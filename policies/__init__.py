"""The 666 programme as data, and pure functions of (policy, facts, now).

Standard library only: no database, no clock reads, no I/O beyond loading the policy file.
"""

from policies.credit_code import CreditCodeError
from policies.document import as_document
from policies.loader import PolicyError, load, parse
from policies.model import (
    EVENTS,
    PHASE_OF_EVENT,
    PHASES,
    STATES,
    Batch,
    Category,
    Grant,
    Materials,
    Policy,
    Region,
    Role,
    Window,
)
from policies.rules import Denial, LookupFailed

__all__ = [
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
    "Role",
    "Window",
    "as_document",
    "load",
    "parse",
]
