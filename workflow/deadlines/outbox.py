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
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.errors import NotFound, NotPermitted, Refused
from accel666.models.stores import escalations as escalation_store
from accel666.models.stores.escalations import Outcome
from accel666.policies import Policy
from accel666.policies import escalation as ladder_rules
from accel666.workflow import logs
from accel666.workflow.actor import Actor
from accel666.workflow.deadlines.notifying import Notifier
from accel666.workflow.deadlines.records import DeliveryReport

log = logs.get_logger("accel666.escalation")

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


def notify(notifier: Notifier, row: Any, timeout: float, zone: tzinfo,
           cancel: threading.Event | None = None) -> str | None:
    """Deliver one escalation with one notifier; None on success, else the error."""
    return notifier.deliver(payload(row, zone), row.endpoint, row.idempotency_key, timeout,
                            cancel)


def claim(db: SAEngine, notifier: Notifier, owner: str, now: datetime, after: int,
          lease: timedelta) -> list[Any]:
    """Take the next pending deliveries of `notifier` (ids above `after`, at most its claim
    size) under a lease."""
    with models.writing(db) as conn:
        return escalation_store.claim(conn, notifier.name, owner, now, after, lease,
                                 notifier.claim_size)


def settle(db: SAEngine, owner: str, now: datetime, outcomes: list[Outcome]) -> None:
    """Write the outcomes of claimed deliveries and release their lease (one transaction)."""
    with models.writing(db) as conn:
        escalation_store.settle(conn, owner, now, outcomes)


def outcome(row: Any, error: str | None, now: datetime, policy: Policy,
            max_attempts: int) -> Outcome:
    attempts = row.attempts + 1
    if error is None:
        status, next_at = "delivered", now
    else:
        status = "failed" if attempts >= max_attempts else "pending"
        next_at = now + ladder_rules.backoff(policy.escalation, attempts)
    return Outcome(row.id, status, attempts, None if error is None else error[:MAX_ERROR],
                   next_at)


def stopped(cancel: threading.Event | None) -> bool:
    return cancel is not None and cancel.is_set()


def release(db: SAEngine, owner: str, ids: list[int]) -> None:
    """Give back claimed deliveries that were not attempted: the next round takes them."""
    with models.writing(db) as conn:
        escalation_store.release(conn, owner, ids)


def deliver(db: SAEngine, policy: Policy, now: datetime, notifiers: Iterable[Notifier], *,
            max_attempts: int | None = None, timeout: float | None = None,
            cancel: threading.Event | None = None) -> DeliveryReport:
    """One round: attempt every delivery due at `now` once, notifier by notifier. Once
    `cancel` is set, the attempt under way ends and the deliveries not yet attempted are left
    for a later round."""
    limit = max_attempts or policy.escalation.max_attempts
    wait = timeout or policy.escalation.webhook_timeout_seconds
    owner = lease_owner()
    attempted = delivered = retrying = 0
    failed: list[int] = []
    for notifier in notifiers:
        # Long enough for every attempt of a claim to time out; then others may take over.
        lease = notifier.lease(wait)
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
                if done.status == "failed":
                    failed.append(row.escalation_id)
                else:
                    retrying += 1
                log.warning("delivery_failed", escalation=row.escalation_id,
                            notifier=notifier.name, attempts=done.attempts,
                            status=done.status, error=error,
                            next_attempt_at=done.next_attempt_at.isoformat())
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
          webhook: tuple[str, str] | None = None) -> int:
    """Give the failed deliveries of an escalation a fresh set of attempts (the supervisor);
    with `webhook` (the webhook notifier's name and a URL it checked), its failed webhook
    delivery goes to that URL instead (one is queued if it had none)."""
    supervisor = policy.escalation.supervisor
    if actor.role != supervisor:
        raise NotPermitted("rearm", "role", f"only {supervisor} may re-arm deliveries",
                           role=actor.role, scope=actor.scope)
    with models.writing(db) as conn:
        if not escalation_store.recorded(conn, escalation_id):
            raise NotFound("escalation", escalation_id)
        count = escalation_store.rearm(conn, escalation_id, now, webhook)
    if count == 0:
        raise Refused("rearm", "state", f"escalation {escalation_id} has no failed delivery",
                      facts={"escalation_id": escalation_id})
    log.info("rearm", escalation=escalation_id, deliveries=count,
             webhook=None if webhook is None else webhook[1],
             actor=actor.name, role=actor.role, at=now.isoformat())
    return count
