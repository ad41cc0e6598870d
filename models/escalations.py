"""Escalations and their deliveries (the outbox). Rows are never deleted; what a delivery's
endpoint, status and attempts are is chained in the ledger's `outbox` chain.

The unique keys are the guarantee: one escalation per (project, phase, level) whatever runs,
and one delivery per (escalation, notifier).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlmodel import Field

from accel666.lifecycle import PHASES, STATES
from accel666.models.tables import Base, one_of
from accel666.models.types import UTCDateTime

DELIVERY_STATUSES = ("pending", "delivered", "failed")
NOTIFIERS = ("log", "webhook")


class EscalationRow(Base, table=True):
    """One level of the ladder fired for one project in one phase."""

    __tablename__ = "accel666_escalation"
    __table_args__ = (
        UniqueConstraint("project_id", "phase", "level"),
        UniqueConstraint("idempotency_key"),
        Index("ix_accel666_escalation_phase_resolved_at", "phase", "resolved_at"),
        Index("ix_accel666_escalation_resolved_in", "resolved_in"),
        CheckConstraint(one_of("phase", PHASES), name="phase"),
        CheckConstraint(one_of("state_seen", STATES), name="state_seen"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    project_id: int = Field(
        sa_column=Column(Integer, ForeignKey("accel666_project.id"), nullable=False)
    )
    batch: str = Field(sa_column=Column(String(32), nullable=False))
    phase: str = Field(sa_column=Column(String(16), nullable=False))
    deadline: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    level: int = Field(sa_column=Column(Integer, nullable=False))
    due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    fired_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    lateness_seconds: int = Field(sa_column=Column(Integer, nullable=False))
    target_role: str = Field(sa_column=Column(String(32), nullable=False))
    target_scope: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    state_seen: str = Field(sa_column=Column(String(16), nullable=False))
    idempotency_key: str = Field(sa_column=Column(String(120), nullable=False))
    lapsed: bool = Field(sa_column=Column(Boolean, nullable=False))
    acked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    acked_by: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    ack_role: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    ack_scope: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    ack_note: str | None = Field(default=None, sa_column=Column(String(2000), nullable=True))
    resolved_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    # The sweep (its seq in the `sweeps` ledger chain) that set resolved_at.
    resolved_in: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))


class DeliveryRow(Base, table=True):
    """One escalation to be delivered by one notifier; claimed under a lease while attempted."""

    __tablename__ = "accel666_delivery"
    __table_args__ = (
        UniqueConstraint("escalation_id", "notifier"),
        # A claim takes a notifier's pending deliveries in id order (see migration 0003).
        Index("ix_accel666_delivery_claim", "notifier", "status", "id"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    escalation_id: int = Field(
        sa_column=Column(Integer, ForeignKey("accel666_escalation.id"), nullable=False)
    )
    notifier: str = Field(sa_column=Column(String(16), nullable=False))
    endpoint: str | None = Field(default=None, sa_column=Column(String(2000), nullable=True))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    attempts: int = Field(sa_column=Column(Integer, nullable=False))
    last_error: str | None = Field(default=None, sa_column=Column(String(2000), nullable=True))
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    lease_owner: str | None = Field(default=None, sa_column=Column(String(120), nullable=True))
    lease_until: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    delivered_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    # The entry (its seq in the `outbox` ledger chain) of the act that last wrote its
    # endpoint, status or attempts: what it is checked against before it is posted.
    proved_in: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))


escalation_table = Base.metadata.tables["accel666_escalation"]
delivery_table = Base.metadata.tables["accel666_delivery"]
