"""The database knows the lifecycle: its CHECK constraints admit exactly the lifecycle's states,
events and phases, whether the schema was created new or reached by the migrations, and the
live-project key still ignores ended projects after the migrations rebuilt the table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from accel666 import lifecycle, models
from accel666.models import schema
from tests.audit.audit_support import at_revision, empty_database

AT = datetime(2020, 7, 1, 4, 0, tzinfo=UTC)


@pytest.fixture(params=["created", "migrated"])
def db(request: pytest.FixtureRequest, db_url: str) -> Any:
    """An empty database at the head: made by create_all, or by every migration from 0001."""
    empty_database(db_url)
    if request.param == "migrated":
        at_revision(db_url, "0001")
    eng = models.create(db_url)
    if request.param == "migrated":
        schema.upgrade(eng)
    else:
        models.create_schema(eng)
    try:
        yield eng
    finally:
        eng.dispose()


def _project(n: int, state: str, code: str = "914403001922038216") -> dict[str, Any]:
    return {"id": n, "title": f"p{n}", "enterprise": "e", "credit_code": code, "region": "320500",
            "category": "demo", "batch": f"b{n}", "state": state, "version": 1, "head_hash": "",
            "created_at": AT, "updated_at": AT}


def _insert(db: Any, table: Any, **values: Any) -> None:
    with models.writing(db) as conn:
        conn.execute(insert(table).values(**values))


def _refused(db: Any, table: Any, **values: Any) -> None:
    with pytest.raises(IntegrityError):
        _insert(db, table, **values)


def test_project_states_are_the_lifecycles(db):
    for n, state in enumerate(lifecycle.STATES, start=1):
        _insert(db, models.project_table, **_project(n, state))
    _refused(db, models.project_table, **_project(99, "approved"))


def test_log_rows_name_lifecycle_events_and_states(db):
    _insert(db, models.project_table, **_project(1, "docked"))
    row = {"project_id": 1, "actor": "a", "role": "city", "scope": None, "at": AT,
           "payload": {}, "hash": ""}
    for seq, event in enumerate(lifecycle.EVENTS, start=1):
        _insert(db, models.transition_table, seq=seq, event=event, from_state=None,
                to_state="docked", **row)
    _refused(db, models.transition_table, seq=90, event="fly", from_state=None,
             to_state="docked", **row)
    _refused(db, models.transition_table, seq=91, event="dock", from_state="new",
             to_state="docked", **row)
    _refused(db, models.transition_table, seq=92, event="dock", from_state=None,
             to_state="approved", **row)


def test_escalations_and_extensions_name_lifecycle_phases(db):
    _insert(db, models.project_table, **_project(1, "docked"))
    escalation = {"project_id": 1, "batch": "b1", "deadline": AT, "due_at": AT, "fired_at": AT,
                  "lateness_seconds": 0, "target_role": "city", "target_scope": "320500",
                  "lapsed": False}
    for level, phase in enumerate(lifecycle.PHASES, start=1):
        _insert(db, models.escalation_table, phase=phase, level=level, state_seen="docked",
                idempotency_key=f"k{level}", **escalation)
    _refused(db, models.escalation_table, phase="lunch", level=1, state_seen="docked",
             idempotency_key="k-bad-phase", **escalation)
    _refused(db, models.escalation_table, phase="review", level=9, state_seen="approved",
             idempotency_key="k-bad-state", **escalation)
    extension = {"batch": "b1", "until": date(2020, 8, 1), "reason": "r", "actor": "a",
                 "role": "province", "at": AT}
    for phase in lifecycle.PHASES:
        _insert(db, models.extension_table, phase=phase, **extension)
    _refused(db, models.extension_table, phase="lunch", **extension)


def test_the_live_key_ignores_ended_projects(db):
    """One live project per enterprise, category and batch; ended ones do not count."""
    for n, state in enumerate(lifecycle.ENDED_STATES, start=1):
        _insert(db, models.project_table, **{**_project(n, state), "batch": "same"})
    _insert(db, models.project_table, **{**_project(10, "docked"), "batch": "same"})
    _refused(db, models.project_table, **{**_project(11, "applied"), "batch": "same"})
