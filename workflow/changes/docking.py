"""Docking: a new project enters the lifecycle in the batch named, or the one open for docking.

The live-project key of the database is the duplicate check: nothing is read before the insert,
and the project that holds the key is looked up only after a refusal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine
from sqlalchemy.exc import IntegrityError

from accel666 import lifecycle, models
from accel666.errors import InvalidInput, Refused
from accel666.policies import Policy
from accel666.policies import rules as policy_rules
from accel666.record import chain, proofs
from accel666.workflow import store
from accel666.workflow.actor import Actor
from accel666.workflow.changes import audit, machine
from accel666.workflow.changes.guards import Attempt, authorise, refuse
from accel666.workflow.records import Project


def dock(db: SAEngine, policy: Policy, now: datetime, actor: Actor, values: dict[str, Any],
         chosen: str | None) -> Project:
    """Insert the project described by `values` (checked) in batch `chosen`, or in the one batch
    open for docking at `now`; its first log row in the same transaction."""
    event = "dock"
    with audit.attempt(event, actor, None):
        authorise(policy, actor, event, source=None, region=values["region"],
                  credit_code=values["credit_code"])
        if denial := policy_rules.check_registration(policy, actor.role, actor.scope,
                                                     values["credit_code"]):
            raise refuse(event, denial, None)
        key = chosen
        try:
            with models.writing(db) as conn:
                key = chosen or open_batch(conn, policy, now)
                step = Attempt(policy, event, policy.batches[key], now,
                            extension=lambda: store.extended_until(conn, key, "docking"))
                state = machine.fire(event, lifecycle.NEW, step)
                row = {**values, "batch": key, "state": state, "version": 1,
                       "created_at": now, "updated_at": now, "head_hash": ""}
                # The live-project key is the duplicate check: no read before the insert.
                project_id = store.insert_project(conn, row)
                # The identity decides who may act on the project: its chain holds it.
                payload = {"identity": {name: row[name] for name in proofs.IDENTITY}}
                entry = audit.log_row(project_id, 1, event, None, state, actor, now, payload,
                                      chain.GENESIS)
                store.log(conn, entry)
                store.set_head(conn, project_id, entry["hash"])
        except IntegrityError as exc:
            if key is None or not store.is_live_key_violation(exc):
                raise
            raise _duplicate(values, key, _live_holder(db, values, key)) from exc
        record = Project(id=project_id, paper_copies=None,
                         **{**row, "head_hash": entry["hash"]})
    audit.transitioned(record, event, None, actor, entry["payload"])
    return record


def open_batch(conn: Connection, policy: Policy, now: datetime) -> str:
    """The one batch whose docking window is open at `now`, extensions included."""
    batches = policy.batches.values()
    closed = [b for b in batches if now >= b.windows["docking"].closes_at]
    # Only an extension can reopen a closed window: read them only if one has closed.
    extended = store.all_extensions(conn) if closed else {}
    open_now = [b.key for b in batches if policy_rules.check_window(
        b, "dock", now, extended.get((b.key, "docking"))) is None]
    if len(open_now) == 1:
        return open_now[0]
    if not open_now:
        raise Refused("dock", "window", "no batch is open for docking now; name one "
                      f"(batches: {', '.join(policy.batches)})", facts={"now": str(now)})
    raise InvalidInput("batch", f"several batches are open for docking ({', '.join(open_now)});"
                       " name one", None)


def _live_holder(db: SAEngine, values: dict[str, Any], batch: str) -> int | None:
    """The project that holds the live key a dock ran into (None if it has since ended)."""
    with models.reading(db) as conn:
        return store.live_duplicate(conn, values["credit_code"], values["category"], batch)


def _duplicate(values: dict[str, Any], batch: str, other: int | None) -> Refused:
    held = f"live project {other}" if other is not None else "a live project"
    return Refused(
        "dock", "duplicate",
        f"enterprise {values['credit_code']} already holds {held} in category "
        f"{values['category']} of batch {batch}",
        project_id=other,
        facts={"credit_code": values["credit_code"], "category": values["category"],
               "batch": batch},
    )
