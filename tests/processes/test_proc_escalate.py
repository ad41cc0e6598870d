"""Four `accel666 escalate` processes at once over 20,000 overdue projects."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from accel666 import Engine, models
from tests.processes.proc_support import bulk_docked, overdue_policy, race, receiver, today_in_china

SWEEPERS = 4
PROJECTS = 20_000
LEVELS_DUE = 1  # the application window closed yesterday: level 1 only (level 2 is 3 days on)


@pytest.mark.slow
def test_four_escalate_processes_record_and_post_each_escalation_once(
        db_url: str, tmp_path: Path) -> None:
    """Each escalation is recorded once (one row per project, phase and level); the webhook
    receives every delivery exactly once, never two POSTs of one Idempotency-Key at a time, and
    no delivery is attempted by two processes."""
    policy = overdue_policy(tmp_path, today_in_china())  # the CLI reads the wall clock
    with Engine(db_url, policy=policy) as engine:
        bulk_docked(engine.db, PROJECTS)
        with engine.db.connect() as conn:
            ids = list(conn.execute(select(models.project_table.c.id)).scalars())
    expected = {f"accel666-escalation:{pid}:application:L1" for pid in ids}

    with receiver() as hook:
        children = race(tmp_path, "cli", [
            {"argv": ["escalate", "--webhook", hook.url, "--json"]} for _ in range(SWEEPERS)
        ], env={"ACCEL666_DB": db_url, "ACCEL666_POLICY": str(policy)})
    for child in children:
        assert child.returncode == 0, child.stderr[-3000:]
    runs = [child.document() for child in children]
    escalations = PROJECTS * LEVELS_DUE
    assert sum(r["total"] for r in runs) == escalations
    # Two notifiers (the log and the webhook): each delivery attempted by one process only.
    assert sum(r["delivery"]["attempted"] for r in runs) == 2 * escalations
    assert sum(r["delivery"]["delivered"] for r in runs) == 2 * escalations

    e, d = models.escalation_table.c, models.delivery_table.c
    with Engine(db_url, policy=policy, create_schema=False) as engine, \
            models.reading(engine.db) as conn:
        keys = conn.execute(select(e.phase, e.level, func.count(), func.count(e.project_id.distinct()))
                            .group_by(e.phase, e.level)).all()
        deliveries = conn.execute(select(d.notifier, d.status, d.attempts, func.count())
                                  .group_by(d.notifier, d.status, d.attempts)
                                  .order_by(d.notifier)).all()
        leased = conn.execute(select(func.count()).where(d.lease_owner.is_not(None))).scalar_one()
    assert [tuple(k) for k in keys] == [("application", 1, escalations, escalations)]
    assert [tuple(r) for r in deliveries] == [("log", "delivered", 1, escalations),
                                             ("webhook", "delivered", 1, escalations)]
    assert leased == 0
    assert set(hook.accepted) == expected
    assert set(hook.accepted.values()) == {1}
    assert hook.overlapping() == [] and hook.bad == [] and hook.held == []
