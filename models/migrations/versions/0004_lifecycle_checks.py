"""The database refuses a state, event or phase the lifecycle does not know: CHECK constraints
on the project's state, each log row's event and states, an escalation's phase and the state it
saw, and an extension's phase.

The lists are written out here as they stood at this revision (a migration is history); the
models derive theirs from accel666.lifecycle, and a test keeps the two equal.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STATES = ("docked", "applied", "recommended", "reviewed", "signed", "published", "rejected",
          "withdrawn")
EVENTS = ("dock", "apply", "recommend", "review", "sign", "publish", "reject", "withdraw")
PHASES = ("docking", "application", "recommendation", "review", "signing", "publication")


def one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


CHECKS = {
    "accel666_project": {"state": one_of("state", STATES)},
    "accel666_transition": {
        "event": one_of("event", EVENTS),
        "from_state": f"from_state IS NULL OR {one_of('from_state', STATES)}",
        "to_state": one_of("to_state", STATES),
    },
    "accel666_escalation": {"phase": one_of("phase", PHASES),
                            "state_seen": one_of("state_seen", STATES)},
    "accel666_extension": {"phase": one_of("phase", PHASES)},
}


def upgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name, condition in checks.items():
                batch.create_check_constraint(f"ck_{table}_{name}", condition)


def downgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name in checks:
                batch.drop_constraint(f"ck_{table}_{name}", type_="check")
