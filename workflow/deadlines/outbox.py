"""The outbox: deliver each recorded escalation to its notifiers, at least once.

A round claims pending deliveries under a lease in one short write transaction (on PostgreSQL
with SELECT … FOR UPDATE SKIP LOCKED, on SQLite under BEGIN IMMEDIATE), calls the notifiers
outside any transaction, then writes the outcomes in a second short transaction. A failed
attempt is tried again in a later round after an exponential backoff; after the policy's number
of attempts the delivery is `failed` until the supervisor re-arms it.

Every act on a delivery's endpoint, status or attempts is an entry of the ledger's `outbox`
chain (record.outbox): the outcomes a round settles, a re-arm. A claimed delivery whose row is
not what its entry says (an endpoint changed behind the record's back) is never posted: the
attempt fails loudly (an error event `delivery_refused`), the row keeps its state and says why
in its last error, and `verify` names it.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.errors import NotFound, NotPermitted, Refused
from accel666.models.stores import escalations as escalation_store
from accel666.models.stores import panels as panel_store
from accel666.models.stores.escalations import Outcome
from accel666.policies import Policy
from accel666.policies import escalation as ladder_rules
from accel666.record import ledger
from accel666.record import outbox as outbox_record
from accel666.workflow import logs
from accel666.workflow.actor import Actor
from accel666.workflow.deadlines.notifying import Notifier
from accel666.workflow.deadlines.records import DeliveryReport

log = logs.get_logger("accel666.escalation")

MAX_ERROR = 500


def lease_owner() -> str:
    """Who holds a claim: this host, process and round."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


REVIEW = "review"  # the phase whose escalations name the experts who have not scored


def payload(row: Any, zone: tzinfo, awaited: Mapping[int, list[str]] | None = None
            ) -> dict[str, Any]:
    """What a notifier sends about one escalation: its fields and the project's, its times in
    the programme's zone with their offset; for the review phase, the experts on the
    project's panel who have not scored (`awaited_experts`, from `awaited` by project)."""
    found = {
        "id": row.escalation_id, "idempotency_key": row.idempotency_key,
        "project_id": row.project_id, "title": row.title, "enterprise": row.enterprise,
        "region": row.region, "batch": row.batch, "phase": row.phase,
        "deadline": row.deadline.astimezone(zone).isoformat(), "level": row.level,
        "due_at": row.due_at.astimezone(zone).isoformat(),
        "fired_at": row.fired_at.astimezone(zone).isoformat(),
        "lateness_seconds": row.lateness_seconds, "target_role": row.target_role,
        "target_scope": row.target_scope, "state_seen": row.state_seen, "lapsed": row.lapsed,
    }
    if row.phase == REVIEW:
        found["awaited_experts"] = list((awaited or {}).get(row.project_id, ()))
    return found


def notify(notifier: Notifier, row: Any, timeout: float, zone: tzinfo,
           cancel: threading.Event | None = None,
           awaited: Mapping[int, list[str]] | None = None) -> str | None:
    """Deliver one escalation with one notifier; None on success, else the error."""
    return notifier.deliver(payload(row, zone, awaited), row.endpoint, row.idempotency_key,
                            timeout, cancel)


def claim(db: SAEngine, notifier: Notifier, owner: str, now: datetime, after: int,
          lease: timedelta) -> list[Any]:
    """Take the next pending deliveries of `notifier` (ids above `after`, at most its claim
    size) under a lease."""
    return claim_checked(db, notifier, owner, now, after, lease, outbox_record.Claims())[0]


def claim_checked(db: SAEngine, notifier: Notifier, owner: str, now: datetime, after: int,
                  lease: timedelta, claims: outbox_record.Claims
                  ) -> tuple[list[Any], dict[int, str]]:
    """`claim`, and in the same transaction why each delivery taken that is not what the
    record holds may not be posted (by delivery id)."""
    with models.writing(db) as conn:
        rows = escalation_store.claim(conn, notifier.name, owner, now, after, lease,
                                      notifier.claim_size)
        return rows, claims.check(conn, rows) if rows else {}


def settle(db: SAEngine, owner: str, now: datetime, outcomes: list[Outcome],
           claimed: dict[int, Any] | None = None,
           unposted: dict[int, str] | None = None) -> None:
    """Write the outcomes of deliveries `owner` holds and release their lease, with the act
    in the outbox chain: each delivery where it was posted (its `claimed` row, else its row
    now), its new status and attempts. Release those `unposted` with why. One transaction."""
    with models.writing(db) as conn:
        escalation_store.unposted(conn, owner, unposted or {})
        if not outcomes:
            return
        ledger.lock(conn, ledger.OUTBOX)
        held = escalation_store.held_by(conn, owner, [o.delivery_id for o in outcomes])
        mine = [o for o in outcomes if o.delivery_id in held]  # a lease lost is not settled
        if not mine:
            return
        where = dict(claimed or {})
        if missing := [o.delivery_id for o in mine if o.delivery_id not in where]:
            where.update({r.id: r for r in escalation_store.chained(conn, missing)})
        seq = ledger.head(conn, ledger.OUTBOX)[0] + 1
        escalation_store.settle(conn, owner, now, mine, seq)
        rows = [[o.delivery_id, where[o.delivery_id].escalation_id,
                 where[o.delivery_id].notifier, where[o.delivery_id].endpoint, o.status,
                 o.attempts] for o in mine]
        ledger.append(conn, ledger.OUTBOX, "settle", now, "accel666", "system",
                      outbox_record.rows_body(rows), locked=True)


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
    refused: list[int] = []
    claims = outbox_record.Claims()
    for notifier in notifiers:
        # Long enough for every attempt of a claim to time out; then others may take over.
        lease = notifier.lease(wait)
        after = 0
        while not stopped(cancel) and (
                taken := claim_checked(db, notifier, owner, now, after, lease, claims))[0]:
            rows, why = taken
            after = rows[-1].id
            reviewing = [r.project_id for r in rows if r.phase == REVIEW]
            awaited: dict[int, list[str]] = {}
            if reviewing:
                with models.reading(db) as conn:
                    awaited = panel_store.awaited(conn, reviewing)
            outcomes = []
            unposted: dict[int, str] = {}
            reached = 0
            for index, row in enumerate(rows):
                if stopped(cancel):
                    break
                reached = index + 1
                if row.id in why:
                    unposted[row.id] = f"not posted: {why[row.id]}"[:MAX_ERROR]
                    refused.append(row.escalation_id)
                    log.error("delivery_refused", delivery=row.id,
                              escalation=row.escalation_id, notifier=notifier.name,
                              endpoint=row.endpoint, reason=why[row.id])
                    continue
                error = notify(notifier, row, wait, policy.zone, cancel, awaited)
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
            if rest := rows[reached:]:  # cancelled: the others wait for a later round
                release(db, owner, [row.id for row in rest])
            settle(db, owner, now, outcomes, {row.id: row for row in rows}, unposted)
            attempted += len(outcomes)
    report = DeliveryReport(attempted=attempted, delivered=delivered, retrying=retrying,
                            failed=len(failed), failed_escalations=tuple(failed),
                            refused=len(refused), refused_escalations=tuple(refused))
    if attempted or refused:
        log.info("deliveries", attempted=attempted, delivered=delivered, retrying=retrying,
                 failed=len(failed), **({"refused": len(refused)} if refused else {}))
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
        ledger.lock(conn, ledger.OUTBOX)
        seq = ledger.head(conn, ledger.OUTBOX)[0] + 1
        rows = escalation_store.rearm(conn, escalation_id, now, webhook, seq)
        if rows:
            ledger.append(conn, ledger.OUTBOX, "rearm", now, actor.name, actor.role,
                          outbox_record.rows_body(rows), locked=True)
    count = len(rows)
    if count == 0:
        raise Refused("rearm", "state", f"escalation {escalation_id} has no failed delivery",
                      facts={"escalation_id": escalation_id})
    log.info("rearm", escalation=escalation_id, deliveries=count,
             webhook=None if webhook is None else webhook[1],
             actor=actor.name, role=actor.role, at=now.isoformat())
    return count
