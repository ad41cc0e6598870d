"""Reading escalations and answering them: who is overdue now, the record, acknowledgements."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.errors import NotFound, NotPermitted, Refused
from accel666.models.stores import batches as batch_store
from accel666.models.stores import escalations as escalation_store
from accel666.models.stores.projects import Within
from accel666.policies import Policy
from accel666.policies import escalation as ladder_rules
from accel666.policies.model import OverdueRule
from accel666.policies.rules import show_time
from accel666.record import chain, ledger, proofs
from accel666.workflow import logs
from accel666.workflow.actor import Actor
from accel666.workflow.changes import audit
from accel666.workflow.deadlines.records import (
    Escalation,
    OverdueProject,
    delivery_from,
    escalation_from,
)

log = logs.get_logger("accel666.escalation")


def overdue(db: SAEngine, policy: Policy, now: datetime, region: str | None = None, *,
            batch: str | None = None, reach: Within = None) -> list[OverdueProject]:
    """Projects still in an overdue state of a phase whose window closed at or before `now`
    (of `batch` and `region`, within a reader's `reach`, when given)."""
    with models.reading(db) as conn:
        return overdue_in(conn, policy, now, region, batch=batch, reach=reach)


def _closed(conn: Connection, policy: Policy, now: datetime, batch: str | None
            ) -> Iterator[tuple[str, str, OverdueRule, datetime]]:
    """(batch, phase, its overdue rule, its deadline) for each phase window of the policy's
    batches (or of `batch`) that closed at or before `now`, extensions included."""
    ladder = policy.escalation
    extensions = batch_store.all_extensions(conn)
    for b in policy.batches.values():
        if batch is not None and b.key != batch:
            continue
        for phase, rule in ladder.phases.items():
            deadline = ladder_rules.closing_moment(b.windows[phase],
                                                   extensions.get((b.key, phase)))
            if deadline <= now:
                yield b.key, phase, rule, deadline


def overdue_in(conn: Connection, policy: Policy, now: datetime, region: str | None, *,
               batch: str | None, reach: Within) -> list[OverdueProject]:
    """`overdue`, read on `conn`: by deadline, then project, then phase."""
    ladder = policy.escalation
    out: list[OverdueProject] = []
    for key, phase, rule, deadline in _closed(conn, policy, now, batch):
        found = escalation_store.overdue(conn, key, phase, rule.states, region, reach)
        for row in found:  # sorted below
            acked = bool(row.acked)
            following = ladder_rules.next_level(ladder, row.reached)
            if acked and ladder.ack_stops_ladder:
                following = None
            out.append(OverdueProject(
                project_id=row.id, title=row.title, enterprise=row.enterprise,
                region=row.region, batch=key, phase=phase, state=row.state,
                deadline=deadline, late_by=now - deadline, level=row.reached,
                acknowledged=acked,
                next_level=None if following is None else following.level,
                next_due_at=None if following is None
                else ladder_rules.due_at(deadline, following),
            ))
    return sorted(out, key=lambda o: (o.deadline, o.project_id, o.phase))


def overdue_counts(conn: Connection, policy: Policy, now: datetime, region: str | None, *,
                   batch: str | None) -> dict[str, int]:
    """How many entries `overdue` would list at `now` (of `batch` and `region`) for every
    reader, by region: counted in the database, never listed."""
    counts: dict[str, int] = {}
    for key, _phase, rule, _deadline in _closed(conn, policy, now, batch):
        for code, n in escalation_store.overdue_counts(conn, key, rule.states, region).items():
            counts[code] = counts.get(code, 0) + n
    return counts


def escalations(db: SAEngine, *, open_only: bool, failed_only: bool, project_id: int | None,
                limit: int | None, offset: int, reach: Within = None) -> list[Escalation]:
    """Escalations oldest first, with their deliveries. `open_only`: neither acknowledged nor
    resolved; `failed_only`: with a delivery that failed for good; `reach`: only those of
    projects a reader may read."""
    with models.reading(db) as conn:
        rows, deliveries = escalation_store.listed(
            conn, open_only=open_only, failed_only=failed_only, project_id=project_id,
            limit=limit, offset=offset, reach=reach)
    by_escalation: dict[int, list[Any]] = {}
    for d in deliveries:
        by_escalation.setdefault(d.escalation_id, []).append(delivery_from(d))
    return [escalation_from(r, tuple(by_escalation.get(r.id, ()))) for r in rows]


def one(db: SAEngine, escalation_id: int) -> Escalation:
    with models.reading(db) as conn:
        return get(conn, escalation_id)


def get(conn: Connection, escalation_id: int) -> Escalation:
    row = escalation_store.one(conn, escalation_id)
    if row is None:
        raise NotFound("escalation", escalation_id)
    deliveries = escalation_store.deliveries(conn, escalation_id)
    return escalation_from(row, tuple(delivery_from(d) for d in deliveries))


def ack(db: SAEngine, policy: Policy, now: datetime, actor: Actor, escalation_id: int,
        note: str) -> Escalation:
    """Acknowledge an escalation: its target (role and scope) or the supervisor, once."""
    event = "ack"
    with audit.attempt(event, actor, None), models.writing(db) as conn:
        current = get(conn, escalation_id)
        denial = ladder_rules.may_acknowledge(policy.escalation, actor.role, actor.scope,
                                              current.target_role, current.target_scope)
        if denial is not None:
            raise NotPermitted(event, denial.guard, denial.message, role=actor.role,
                               scope=actor.scope, project_id=current.project_id,
                               facts=denial.facts)
        values = {"acked_at": now, "acked_by": actor.name, "ack_role": actor.role,
                  "ack_scope": actor.scope, "ack_note": note}
        if not escalation_store.acknowledge(conn, escalation_id, values):
            raise _already(conn, escalation_id, policy)
        ledger.append(conn, ledger.escalation_chain(escalation_id), "ack", now, actor.name,
                      actor.role, chain.fields(values, proofs.ACK))
        record = get(conn, escalation_id)
    log.info("ack", escalation=escalation_id, project=record.project_id, phase=record.phase,
             level=record.level, actor=actor.name, role=actor.role, scope=actor.scope,
             note=note, at=now.isoformat())
    return record


def _already(conn: Connection, escalation_id: int, policy: Policy) -> Refused:
    seen = get(conn, escalation_id)
    assert seen.acked_at is not None  # the update skipped it: it was acknowledged already
    when = show_time(seen.acked_at, policy.zone)
    return Refused("ack", "acknowledged",
                   f"escalation {escalation_id} was already acknowledged by {seen.acked_by} "
                   f"({seen.ack_role}) at {when}", project_id=seen.project_id,
                   facts={"escalation_id": escalation_id, "acked_by": seen.acked_by})


def upcoming(db: SAEngine, policy: Policy, now: datetime) -> list[datetime]:
    """Every window closing moment and level due moment after `now`, extensions included."""
    with models.reading(db) as conn:
        extensions = batch_store.all_extensions(conn)
    return ladder_rules.future_moments(policy, extensions, now)
