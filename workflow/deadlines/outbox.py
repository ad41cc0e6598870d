"""The outbox: deliver each recorded escalation to its notifiers, at least once.

A round claims pending deliveries under a lease in one short write transaction (on PostgreSQL
with SELECT … FOR UPDATE SKIP LOCKED, on SQLite under BEGIN IMMEDIATE), calls the notifiers
outside any transaction, then writes the outcomes in a second short transaction. A failed
attempt is tried again in a later round after an exponential backoff; after the policy's number
of attempts the delivery is `failed` until the supervisor re-arms it.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection, bindparam, case, insert, or_, select, update
from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.errors import NotFound, NotPermitted, Refused
from accel666.policies import Policy
from accel666.policies import escalation as ladder_rules
from accel666.workflow import logs
from accel666.workflow.actor import Actor
from accel666.workflow.deadlines.records import DeliveryReport
from accel666.workflow.notifiers import webhook

log = logs.get_logger("accel666.escalation")

E = models.escalation_table.c
D = models.delivery_table.c
P = models.project_table.c
LOG, WEBHOOK = "log", "webhook"
# How many deliveries one claim takes, per notifier.
CLAIM_SIZE = {LOG: 2000, WEBHOOK: 20}
MAX_ERROR = 500


def lease_owner() -> str:
    """Who holds a claim: this host, process and round."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def payload(row: Any, zone: tzinfo) -> dict[str, Any]:
    """What a notifier sends about one escalation: its fields and the project's, its times in
    the programme's zone with their offset."""
    return {
        "id": row.escalation_id, "idempotency_key": row.idempotency_key,
        "project_id": row.project_id, "title": row.title, "enterprise": row.enterprise,
        "region": row.region, "batch": row.batch, "phase": row.phase,
        "deadline": row.deadline.astimezone(zone).isoformat(), "level": row.level,
        "due_at": row.due_at.astimezone(zone).isoformat(),
        "fired_at": row.fired_at.astimezone(zone).isoformat(),
        "lateness_seconds": row.lateness_seconds, "target_role": row.target_role,
        "target_scope": row.target_scope, "state_seen": row.state_seen, "lapsed": row.lapsed,
    }


def notify(notifier: str, row: Any, timeout: float, zone: tzinfo,
           cancel: threading.Event | None = None) -> str | None:
    """Deliver one escalation with one notifier; None on success, else the error."""
    body = payload(row, zone)
    if notifier == LOG:
        # A log record has a level of its own: the escalation's goes by another name.
        fields = {("escalation_level" if k == "level" else k): v for k, v in body.items()}
        log.warning("escalation", **fields)
        return None
    if notifier == WEBHOOK and row.endpoint:
        return webhook.post_json(row.endpoint, body, row.idempotency_key, timeout, cancel)
    return f"no way to deliver with notifier {notifier!r} (endpoint {row.endpoint!r})"


def claim(db: SAEngine, notifier: str, owner: str, now: datetime, after: int,
          lease: timedelta) -> list[Any]:
    """Take the next pending deliveries of `notifier` (ids above `after`) under a lease."""
    with models.writing(db) as conn:
        ids = list(conn.execute(
            select(D.id)
            .where(D.notifier == notifier, D.status == "pending", D.next_attempt_at <= now,
                   or_(D.lease_until.is_(None), D.lease_until <= now), D.id > after)
            .order_by(D.id).limit(CLAIM_SIZE[notifier])
            .with_for_update(skip_locked=True)
        ).scalars())
        if not ids:
            return []
        conn.execute(update(models.delivery_table).where(D.id.in_(ids))
                     .values(lease_owner=owner, lease_until=now + lease))
        return _claimed(conn, ids)


def _claimed(conn: Connection, ids: list[int]) -> list[Any]:
    return list(conn.execute(
        select(D.id, D.endpoint, D.attempts, D.escalation_id, E.project_id, E.batch,
               E.phase, E.deadline, E.level, E.due_at, E.fired_at, E.lateness_seconds,
               E.target_role, E.target_scope, E.state_seen, E.idempotency_key, E.lapsed,
               P.title, P.enterprise, P.region)
        .join(models.escalation_table, E.id == D.escalation_id)
        .join(models.project_table, P.id == E.project_id)
        .where(D.id.in_(ids)).order_by(D.id)
    ).all())


def settle(db: SAEngine, owner: str, now: datetime, outcomes: list[dict[str, Any]]) -> None:
    """Write the outcomes of claimed deliveries and release their lease (one transaction):
    the successes in one UPDATE, each failure with its own attempt count and next attempt.
    A success keeps the last error seen, for the record."""
    done = [o["b_id"] for o in outcomes if o["b_status"] == "delivered"]
    failed = [o for o in outcomes if o["b_status"] != "delivered"]
    released = {"lease_owner": None, "lease_until": None}
    with models.writing(db) as conn:
        if done:
            conn.execute(update(models.delivery_table)
                         .where(D.id.in_(done), D.lease_owner == owner)
                         .values(status="delivered", attempts=D.attempts + 1, delivered_at=now,
                                 next_attempt_at=now, **released))
        if failed:
            conn.execute(update(models.delivery_table)
                         .where(D.id == bindparam("b_id"), D.lease_owner == owner)
                         .values(status=bindparam("b_status"), attempts=bindparam("b_attempts"),
                                 last_error=bindparam("b_error"),
                                 next_attempt_at=bindparam("b_next"), **released),
                         [{k: o[k] for k in ("b_id", "b_status", "b_attempts", "b_error",
                                             "b_next")} for o in failed])


def outcome(row: Any, error: str | None, now: datetime, policy: Policy,
            max_attempts: int) -> dict[str, Any]:
    attempts = row.attempts + 1
    if error is None:
        status, next_at = "delivered", now
    else:
        status = "failed" if attempts >= max_attempts else "pending"
        next_at = now + ladder_rules.backoff(policy.escalation, attempts)
    return {"b_id": row.id, "b_status": status, "b_attempts": attempts,
            "b_error": None if error is None else error[:MAX_ERROR], "b_next": next_at}


def stopped(cancel: threading.Event | None) -> bool:
    return cancel is not None and cancel.is_set()


def release(db: SAEngine, owner: str, ids: list[int]) -> None:
    """Give back claimed deliveries that were not attempted: the next round takes them."""
    with models.writing(db) as conn:
        conn.execute(update(models.delivery_table).where(D.id.in_(ids), D.lease_owner == owner)
                     .values(lease_owner=None, lease_until=None))


def deliver(db: SAEngine, policy: Policy, now: datetime, *, max_attempts: int | None = None,
            timeout: float | None = None, cancel: threading.Event | None = None
            ) -> DeliveryReport:
    """One round: attempt every delivery due at `now` once. Once `cancel` is set, the attempt
    under way ends and the deliveries not yet attempted are left for a later round."""
    limit = max_attempts or policy.escalation.max_attempts
    wait = timeout or policy.escalation.webhook_timeout_seconds
    owner = lease_owner()
    attempted = delivered = retrying = 0
    failed: list[int] = []
    for notifier in (LOG, WEBHOOK):
        # Long enough for every attempt of a claim to time out; then others may take over.
        lease = timedelta(seconds=60 if notifier == LOG
                          else max(60.0, CLAIM_SIZE[notifier] * (wait + 1)))
        after = 0
        while not stopped(cancel) and (rows := claim(db, notifier, owner, now, after, lease)):
            after = rows[-1].id
            outcomes = []
            for row in rows:
                if stopped(cancel):
                    break
                error = notify(notifier, row, wait, policy.zone, cancel)
                done = outcome(row, error, now, policy, limit)
                outcomes.append(done)
                if error is None:
                    delivered += 1
                    continue
                if done["b_status"] == "failed":
                    failed.append(row.escalation_id)
                else:
                    retrying += 1
                log.warning("delivery_failed", escalation=row.escalation_id,
                            notifier=notifier, attempts=done["b_attempts"],
                            status=done["b_status"], error=error,
                            next_attempt_at=done["b_next"].isoformat())
            if rest := rows[len(outcomes):]:  # cancelled: the others wait for a later round
                release(db, owner, [row.id for row in rest])
            settle(db, owner, now, outcomes)
            attempted += len(outcomes)
    report = DeliveryReport(attempted=attempted, delivered=delivered, retrying=retrying,
                            failed=len(failed), failed_escalations=tuple(failed))
    if attempted:
        log.info("deliveries", attempted=attempted, delivered=delivered, retrying=retrying,
                 failed=len(failed))
    return report


def rearm(db: SAEngine, policy: Policy, now: datetime, actor: Actor, escalation_id: int,
          webhook: str | None = None) -> int:
    """Give the failed deliveries of an escalation a fresh set of attempts (the supervisor);
    with `webhook`, its failed webhook delivery goes to that URL instead (one is queued if it
    had none)."""
    supervisor = policy.escalation.supervisor
    if actor.role != supervisor:
        raise NotPermitted("rearm", "role", f"only {supervisor} may re-arm deliveries",
                           role=actor.role, scope=actor.scope)
    fresh = {"status": "pending", "attempts": 0, "next_attempt_at": now, "lease_owner": None,
             "lease_until": None}
    with models.writing(db) as conn:
        if conn.execute(select(E.id).where(E.id == escalation_id)).first() is None:
            raise NotFound("escalation", escalation_id)
        count = conn.execute(
            update(models.delivery_table)
            .where(D.escalation_id == escalation_id, D.status == "failed")
            .values(**fresh, **({} if webhook is None else {"endpoint": case(
                (D.notifier == WEBHOOK, webhook), else_=D.endpoint)}))
        ).rowcount
        if webhook is not None and conn.execute(select(D.id).where(
                D.escalation_id == escalation_id, D.notifier == WEBHOOK)).first() is None:
            conn.execute(insert(models.delivery_table).values(
                escalation_id=escalation_id, notifier=WEBHOOK, endpoint=webhook, **fresh))
            count += 1
    if count == 0:
        raise Refused("rearm", "state", f"escalation {escalation_id} has no failed delivery",
                      facts={"escalation_id": escalation_id})
    log.info("rearm", escalation=escalation_id, deliveries=count, webhook=webhook,
             actor=actor.name, role=actor.role, at=now.isoformat())
    return count
