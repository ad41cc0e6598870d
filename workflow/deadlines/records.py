"""What the escalation functions return: plain frozen values, detached from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Delivery:
    """One notifier's delivery of one escalation (a row of the outbox)."""

    id: int
    escalation_id: int
    notifier: str  # "log" or "webhook"
    endpoint: str | None
    status: str  # "pending", "delivered" or "failed"
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True)
class Escalation:
    """One level of the ladder, fired for one project in one phase."""

    id: int
    project_id: int
    batch: str
    phase: str
    deadline: datetime  # the window's closing moment this refers to (UTC)
    level: int
    due_at: datetime
    fired_at: datetime
    lateness_seconds: int  # fired_at - due_at, in whole seconds
    target_role: str
    target_scope: str | None
    state_seen: str
    idempotency_key: str
    lapsed: bool
    acked_at: datetime | None = None
    acked_by: str | None = None
    ack_role: str | None = None
    ack_scope: str | None = None
    ack_note: str | None = None
    resolved_at: datetime | None = None
    deliveries: tuple[Delivery, ...] = ()

    @property
    def acknowledged(self) -> bool:
        """Someone (its target or the supervisor) acknowledged it."""
        return self.acked_at is not None

    @property
    def open(self) -> bool:
        """Neither acknowledged nor resolved (the project is still overdue and nobody answered)."""
        return self.acked_at is None and self.resolved_at is None


@dataclass(frozen=True)
class LevelCount:
    """How many escalations a sweep recorded (or would record) for one rung."""

    batch: str
    phase: str
    level: int
    count: int


@dataclass(frozen=True)
class SweepResult:
    """What one sweep did: escalations recorded by rung, resolutions, deliveries queued.

    The escalations it recorded are those with `first_id <= id <= last_id` (both None if it
    recorded none); sweeps queue up, so no other sweep's rows fall in between, though ids may
    skip numbers on PostgreSQL. The ids themselves are not kept: a sweep over a million
    projects would hold them all in memory.
    With `dry_run`, nothing was written: `recorded` and `planned` say what would have been.
    """

    now: datetime
    dry_run: bool
    recorded: tuple[LevelCount, ...]
    first_id: int | None
    last_id: int | None
    resolved: int
    enqueued: int
    # Deliveries queued for, or redirected to, the webhook of this sweep for escalations
    # recorded earlier (by a sweep without a webhook, or with another one).
    adopted: int = 0
    planned: tuple[tuple[int, str, int], ...] = ()  # (project_id, phase, level), dry runs only

    @property
    def total(self) -> int:
        """How many escalations were (or, in a dry run, would be) recorded."""
        return sum(c.count for c in self.recorded)

    def recorded_id(self, escalation_id: int) -> bool:
        """Did this sweep record the escalation with this id?"""
        if self.first_id is None or self.last_id is None:
            return False
        return self.first_id <= escalation_id <= self.last_id


@dataclass(frozen=True)
class DeliveryReport:
    """What one round of deliveries did."""

    attempted: int
    delivered: int
    retrying: int  # failed this time, to be tried again later
    failed: int  # failed for the last time in this round
    failed_escalations: tuple[int, ...] = ()
    # Not posted: the row is not what the outbox chain records (`verify` names it).
    refused: int = 0
    refused_escalations: tuple[int, ...] = ()


@dataclass(frozen=True)
class EscalationRun:
    """One `escalate`: a sweep, then the deliveries that were due."""

    sweep: SweepResult
    delivery: DeliveryReport


@dataclass(frozen=True)
class OverdueProject:
    """A project still in an overdue state of a phase whose window has closed."""

    project_id: int
    title: str
    enterprise: str
    region: str
    batch: str
    phase: str
    state: str
    deadline: datetime  # the closing moment, extensions included (UTC)
    late_by: timedelta
    level: int | None  # the highest level fired so far
    acknowledged: bool
    next_level: int | None
    next_due_at: datetime | None


def delivery_from(row: Any) -> Delivery:
    return Delivery(id=row.id, escalation_id=row.escalation_id, notifier=row.notifier,
                    endpoint=row.endpoint, status=row.status, attempts=row.attempts,
                    last_error=row.last_error, next_attempt_at=row.next_attempt_at,
                    delivered_at=row.delivered_at)


def escalation_from(row: Any, deliveries: tuple[Delivery, ...] = ()) -> Escalation:
    values = row._asdict()
    return Escalation(**{k: values[k] for k in ESCALATION_COLUMNS}, deliveries=deliveries)


ESCALATION_COLUMNS = (
    "id", "project_id", "batch", "phase", "deadline", "level", "due_at", "fired_at",
    "lateness_seconds", "target_role", "target_scope", "state_seen", "idempotency_key", "lapsed",
    "acked_at", "acked_by", "ack_role", "ack_scope", "ack_note", "resolved_at",
)
