"""What the public notice part answers: a notice with the projects it announced, a batch's
notices as `notice show` prints them, an objection with its resolution, and the public list,
each with a JSON-ready document. Only public fields of a project appear: never a score, an
opinion or a document."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any


def _moment(value: datetime | None, zone: tzinfo | None) -> str | None:
    return None if value is None else value.astimezone(zone or UTC).isoformat()


@dataclass(frozen=True)
class Announced:
    """A project as a notice announces it: its public fields and its state now."""

    id: int
    title: str
    enterprise: str
    credit_code: str
    region: str
    category: str
    batch: str
    state: str
    notice_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The project as a JSON-ready document (public fields and its state)."""
        return {"id": self.id, "title": self.title, "enterprise": self.enterprise,
                "credit_code": self.credit_code, "region": self.region,
                "category": self.category, "batch": self.batch, "state": self.state}


@dataclass(frozen=True)
class Objection:
    """An objection received in writing while a project's notice was open, and how it was
    resolved (`outcome` upheld or dismissed; None while it is open)."""

    id: int
    project_id: int
    notice_id: int
    name: str
    unit: str | None
    text: str
    received_at: datetime
    recorded_by: str
    outcome: str | None = None
    reason: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None

    @property
    def open(self) -> bool:
        """Is the objection still waiting for its resolution?"""
        return self.outcome is None

    def to_dict(self, zone: tzinfo | None = None) -> dict[str, Any]:
        """The objection as a JSON-ready document, times ISO 8601 in `zone` (default UTC)."""
        return {"id": self.id, "project_id": self.project_id, "notice_id": self.notice_id,
                "name": self.name, "unit": self.unit, "text": self.text,
                "received_at": _moment(self.received_at, zone), "recorded_by": self.recorded_by,
                "open": self.open, "outcome": self.outcome, "reason": self.reason,
                "resolved_at": _moment(self.resolved_at, zone), "resolved_by": self.resolved_by}


@dataclass(frozen=True)
class Notice:
    """A public notice: its batch, when it started and closes (the last instant of its last
    working day), who started it, how to object, and the projects it announced."""

    id: int
    batch: str
    started_at: datetime
    closes_at: datetime
    started_by: str
    contact: str
    projects: tuple[Announced, ...] = ()

    def is_open(self, now: datetime) -> bool:
        """Is the notice open at `now` (from its start to its close, both included)?"""
        return self.started_at <= now <= self.closes_at

    def to_dict(self, zone: tzinfo | None = None, now: datetime | None = None
                ) -> dict[str, Any]:
        """The notice as a JSON-ready document, times in `zone`; with `now`, whether it is
        open then."""
        doc: dict[str, Any] = {
            "id": self.id, "batch": self.batch, "started_at": _moment(self.started_at, zone),
            "closes_at": _moment(self.closes_at, zone), "started_by": self.started_by,
            "contact": self.contact, "projects": [p.to_dict() for p in self.projects]}
        if now is not None:
            doc["open"] = self.is_open(now)
        return doc


@dataclass(frozen=True)
class BatchNotice:
    """A batch's notices as `notice show` prints them: the latest one's times, every project
    announced and every objection received (`notices`: each notice, oldest first)."""

    batch: str
    notices: tuple[Notice, ...]
    objections: tuple[Objection, ...] = ()
    now: datetime | None = None

    @property
    def latest(self) -> Notice:
        """The batch's latest notice."""
        return self.notices[-1]

    @property
    def projects(self) -> tuple[Announced, ...]:
        """Every project the batch's notices announced."""
        return tuple(p for n in self.notices for p in n.projects)

    def to_dict(self, zone: tzinfo | None = None) -> dict[str, Any]:
        """`notice show --json`: batch, started_at, closes_at, projects, objections (and
        open, contact and each notice)."""
        latest = self.latest
        return {"batch": self.batch, "started_at": _moment(latest.started_at, zone),
                "closes_at": _moment(latest.closes_at, zone),
                "open": None if self.now is None else latest.is_open(self.now),
                "contact": latest.contact,
                "projects": [{**p.to_dict(), "notice_id": p.notice_id} for p in self.projects],
                "objections": [o.to_dict(zone) for o in self.objections],
                "notices": [{**n.to_dict(zone, self.now),
                             "projects": [p.id for p in n.projects]} for n in self.notices]}


@dataclass(frozen=True)
class PublicBatch:
    """What the public may read of one batch: the notices open now (with how to object) and
    the projects published."""

    batch: str
    name: str
    under_notice: tuple[Notice, ...] = ()
    published: tuple[Announced, ...] = field(default_factory=tuple)

    def to_dict(self, zone: tzinfo | None = None) -> dict[str, Any]:
        """The batch as `GET /public.json` shows it: public fields only."""
        return {"batch": self.batch, "name": self.name,
                "under_notice": [{"started_at": _moment(n.started_at, zone),
                                  "closes_at": _moment(n.closes_at, zone),
                                  "contact": n.contact,
                                  "projects": [_public(p) for p in n.projects]}
                                 for n in self.under_notice],
                "published": [_public(p) for p in self.published]}


def _public(p: Announced) -> dict[str, Any]:
    """The public fields only (the state is the engine's business, not the public's)."""
    return {"title": p.title, "enterprise": p.enterprise, "credit_code": p.credit_code,
            "region": p.region, "category": p.category, "batch": p.batch}
