"""Where the programme stands against its targets (6 cloud bases, 60 backbone enterprises,
600 demonstration enterprises), state by state, category by category and region by region.

Every figure comes from grouped counts (over projects, over open escalations, over the
projects overdue), read in one snapshot with the overdue list (`deadlines.queries.overdue`): a
report over a hundred thousand projects holds a few hundred numbers, never the projects. The
figures are the programme's, the same for every reader; the overdue list holds only what the
reader may read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine as SAEngine

from accel666 import lifecycle, models
from accel666.models.stores import notices as notice_store
from accel666.models.stores import panels, projects
from accel666.models.stores.projects import Within
from accel666.policies import Policy
from accel666.workflow.deadlines import queries
from accel666.workflow.deadlines.records import OverdueProject

LIVE_STATES = tuple(s for s in lifecycle.STATES if s not in lifecycle.FINAL_STATES)


@dataclass(frozen=True)
class CategoryProgress:
    """One category's progress toward its target: published projects over the target (may
    exceed 1: targets are goals, not caps), and those still on their way."""

    key: str
    name: str
    target: int
    published: int
    in_pipeline: int
    due: date

    @property
    def progress(self) -> float:
        """Published over target."""
        return self.published / self.target if self.target else 0.0


@dataclass(frozen=True)
class RegionRow:
    """One recommending bureau's projects by state, and what is overdue or escalated there."""

    code: str
    name: str
    states: dict[str, int]
    overdue: int
    open_escalations: int


@dataclass(frozen=True)
class ReviewFigures:
    """The expert review as it stands: projects under review (recommended), those whose panel
    has reached its quorum, the scores each expert still owes, and the reviews on record:
    passed, failed, and overridden against the panel."""

    under_review: int = 0
    panels_at_quorum: int = 0
    awaited: dict[str, int] = field(default_factory=dict)
    passed: int = 0
    failed: int = 0
    overridden: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"under_review": self.under_review, "panels_at_quorum": self.panels_at_quorum,
                "awaited": dict(self.awaited), "passed": self.passed, "failed": self.failed,
                "overridden": self.overridden}


@dataclass(frozen=True)
class BatchReview:
    """One batch's review: its figures, its latest public notice (None before one started:
    when it started and closes, and whether it is open at the report's time) and the
    objections to it not yet resolved."""

    batch: str
    figures: ReviewFigures
    notice_started_at: datetime | None = None
    notice_closes_at: datetime | None = None
    notice_open: bool = False
    open_objections: int = 0

    def to_dict(self, zone: Any) -> dict[str, Any]:
        notice = None if self.notice_started_at is None or self.notice_closes_at is None \
            else {"started_at": self.notice_started_at.astimezone(zone).isoformat(),
                  "closes_at": self.notice_closes_at.astimezone(zone).isoformat(),
                  "open": self.notice_open}
        return {"batch": self.batch, **self.figures.to_dict(), "notice": notice,
                "open_objections": self.open_objections}


@dataclass(frozen=True)
class ProgrammeReport:
    """The operators' view at `as_of`, narrowed to `batch` and `region` when given. Its
    figures count every project; `overdue_projects` lists those its reader may read."""

    as_of: datetime
    batch: str | None
    region: str | None
    totals: dict[str, int]
    categories: tuple[CategoryProgress, ...]
    regions: tuple[RegionRow, ...]
    overdue_projects: tuple[OverdueProject, ...] = field(default_factory=tuple)
    review: ReviewFigures = field(default_factory=ReviewFigures)
    review_batches: tuple[BatchReview, ...] = field(default_factory=tuple)

    @property
    def overdue(self) -> int:
        """What `accel666 overdue` lists at `as_of` for a reader of every project, narrowed
        the same way."""
        return sum(r.overdue for r in self.regions)

    @property
    def open_escalations(self) -> int:
        """Escalations neither acknowledged nor resolved."""
        return sum(r.open_escalations for r in self.regions)

    def to_dict(self, zone: Any) -> dict[str, Any]:
        """The report as `report --json` prints it, times in the programme's zone."""
        return {
            "as_of": self.as_of.astimezone(zone).isoformat(), "batch": self.batch,
            "region": self.region, "totals": dict(self.totals),
            "categories": [{"key": c.key, "name": c.name, "target": c.target,
                            "published": c.published, "in_pipeline": c.in_pipeline,
                            "progress": c.progress, "due": c.due.isoformat()}
                           for c in self.categories],
            "regions": [{"code": r.code, "name": r.name, "states": dict(r.states),
                         "overdue": r.overdue, "open_escalations": r.open_escalations}
                        for r in self.regions],
            "overdue": self.overdue, "open_escalations": self.open_escalations,
            "review": self.review.to_dict(),
            "review_batches": [b.to_dict(zone) for b in self.review_batches],
        }


def build(db: SAEngine, policy: Policy, now: datetime, *, batch: str | None = None,
          region: str | None = None, reach: Within = None) -> ProgrammeReport:
    """The report at `now` over the projects of `batch` and `region` (a code), or all; its
    overdue list within a reader's `reach`."""
    with models.reading(db) as conn:
        counts = projects.counts(conn, batch, region)
        escalated = projects.open_escalations(conn, batch, region)
        late = queries.overdue_counts(conn, policy, now, region, batch=batch)
        overdue = tuple(queries.overdue_in(conn, policy, now, region, batch=batch, reach=reach))
        seats = panels.live_seats_under_review(conn, batch, region, "recommended")
        reviews = projects.review_payloads(conn, batch, region)
        figures = _review(policy, seats, reviews)
        by_batch = _batches(conn, policy, now, batch, region, seats, reviews)
    totals = dict.fromkeys(lifecycle.STATES, 0)
    by_region = {code: dict.fromkeys(lifecycle.STATES, 0) for code in policy.regions}
    published: dict[str, int] = {}
    pipeline: dict[str, int] = {}
    for code, category, state, n in counts:
        totals[state] += n
        by_region.setdefault(code, dict.fromkeys(lifecycle.STATES, 0))[state] += n
        if state == "published":
            published[category] = published.get(category, 0) + n
        elif state in LIVE_STATES:
            pipeline[category] = pipeline.get(category, 0) + n
    names = {code: r.name for code, r in policy.regions.items()}
    shown = [region] if region is not None else list(by_region)
    return ProgrammeReport(
        as_of=now, batch=batch, region=region, totals=totals,
        categories=tuple(CategoryProgress(c.key, c.name, c.target, published.get(c.key, 0),
                                          pipeline.get(c.key, 0), policy.targets_by)
                         for c in policy.categories.values()),
        regions=tuple(RegionRow(code, names.get(code, code), by_region.get(
            code, dict.fromkeys(lifecycle.STATES, 0)), late.get(code, 0),
            escalated.get(code, 0)) for code in shown),
        overdue_projects=overdue, review=figures, review_batches=by_batch,
    )


def _batches(conn: Any, policy: Policy, now: datetime, batch: str | None, region: str | None,
             seats: list[Any], reviews: list[Any]) -> tuple[BatchReview, ...]:
    """The review of each batch (`batch` alone, when given) the policy has, in its order."""
    objecting = notice_store.open_objections_by_batch(conn, batch, region)
    latest = {row.batch: row for row in notice_store.notices(conn, batch)}  # oldest first
    found = []
    for key in policy.batches if batch is None else [batch]:
        notice = latest.get(key)
        found.append(BatchReview(
            key, _review(policy, [s for s in seats if s.batch == key],
                         [r for r in reviews if r.batch == key]),
            notice_started_at=None if notice is None else notice.started_at,
            notice_closes_at=None if notice is None else notice.closes_at,
            notice_open=notice is not None and notice.started_at <= now <= notice.closes_at,
            open_objections=objecting.get(key, 0)))
    return tuple(found)


def _review(policy: Policy, seats: list[Any], reviews: list[Any]) -> ReviewFigures:
    """The review's figures from the live seats of projects under review and the reviews'
    log payloads."""
    quorum = policy.review.quorum if policy.review is not None else 0
    scored: dict[int, int] = {}
    awaited: dict[str, int] = {}
    for pid, expert, score, _batch in seats:
        if score is None:
            awaited[expert] = awaited.get(expert, 0) + 1
        else:
            scored[pid] = scored.get(pid, 0) + 1
    payloads = [r.payload or {} for r in reviews]
    verdicts = [p.get("verdict") for p in payloads]
    return ReviewFigures(
        under_review=len({seat.project_id for seat in seats}),
        panels_at_quorum=sum(n >= max(quorum, 1) for n in scored.values()),
        awaited=dict(sorted(awaited.items())), passed=verdicts.count("pass"),
        failed=verdicts.count("fail"),
        overridden=sum(p.get("override") is True for p in payloads))
