"""The public notice (公示) and its objections (异议): the province announces a batch's reviewed
projects, receives objections in writing while the notice is open, and resolves each; an
upheld objection rejects its project. The events of the policy's `[notice] gates` wait for the
project's notice to close with no objection open (workflow.changes.notice_gate).

Each act is chained in the ledger's `notices` chain (record.notices), which `verify` replays
against the rows. Starting a notice, recording and resolving objections are acts of the
province.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.errors import InvalidInput, NotFound, NotPermitted, Refused
from accel666.models.stores import notices as store
from accel666.models.stores import projects as project_store
from accel666.policies import Policy
from accel666.record import ledger
from accel666.record import notices as proofs
from accel666.workflow import logs, working_days
from accel666.workflow.actor import Actor
from accel666.workflow.changes import audit, inputs, transition
from accel666.workflow.changes.guards import resolve_actor
from accel666.workflow.notice_records import (
    Announced,
    BatchNotice,
    Notice,
    Objection,
    PublicBatch,
)
from accel666.workflow.records import Project

log = logs.get_logger("accel666.notices")
ROLE = "province"  # who starts notices and records and resolves objections
OUTCOMES = ("upheld", "dismissed")
ANNOUNCED_STATE = "reviewed"  # a project that passed the review and is not yet signed
NOTICE = "notice"  # the guard's name


def _notice(row: object, projects: tuple[Announced, ...] = ()) -> Notice:
    r = row._mapping  # type: ignore[attr-defined]
    return Notice(id=r["id"], batch=r["batch"], started_at=r["started_at"],
                  closes_at=r["closes_at"], started_by=r["started_by"], contact=r["contact"],
                  projects=projects)


def _objection(row: object) -> Objection:
    r = row._mapping  # type: ignore[attr-defined]
    return Objection(**{k: r[k] for k in store.OBJECTION})


def _announced(row: object) -> Announced:
    r = row._mapping  # type: ignore[attr-defined]
    return Announced(**{k: r[k] for k in store.PUBLIC},
                     notice_id=r.get("notice_id"))


def times(notice: object, zone: ZoneInfo) -> str:
    """A notice's times as a refusal names them, in China time."""
    r = notice._mapping  # type: ignore[attr-defined]
    return (f"{r['started_at'].astimezone(zone).isoformat()} to "
            f"{r['closes_at'].astimezone(zone).isoformat()}")


class Notices:
    """The Engine's part that runs public notices and their objections."""

    def __init__(self, db: SAEngine, policy: Policy) -> None:
        self.db = db
        self.policy = policy

    def _province(self, actor: Actor, act: str) -> Actor:
        actor = resolve_actor(self.policy, actor)
        if actor.role != ROLE:
            raise NotPermitted(act, "role", f"only the {ROLE} may {act.replace('_', ' ')}",
                               role=actor.role, scope=actor.scope)
        return actor

    def start(self, actor: Actor, batch: str, now: datetime) -> Notice:
        """Announce every reviewed project of `batch` that no notice announced yet; the notice
        closes at the last instant of the policy's Nth working day after today (China time).
        Refused (guard "notice") when there is nothing to announce, (guard "calendar") when
        its days run into a year no calendar knows."""
        actor = self._province(actor, "start_notice")
        key = inputs.batch(self.policy, batch)
        closes = working_days.notice_closes(self.policy, now, "notice")
        with audit.attempt("notice", actor, None), models.writing(self.db) as conn:
            ledger.lock(conn, ledger.NOTICES)
            pids = store.unannounced(conn, key, ANNOUNCED_STATE)
            if not pids:
                raise Refused("notice", NOTICE, f"batch {key} has no reviewed project that no "
                              "notice announced yet: review projects first",
                              facts={"batch": key})
            values = {"batch": key, "started_at": now, "closes_at": closes,
                      "started_by": actor.name, "role": actor.role,
                      "contact": self.policy.notice.contact}
            new_id = store.insert_notice(conn, values, pids)
            ledger.append(conn, ledger.NOTICES, "start", now, actor.name, actor.role,
                          proofs.start_body({"id": new_id, **values}, pids), locked=True)
            projects = tuple(_announced(r) for r in store.announced(conn, [new_id]))
        log.info("notice_started", notice=new_id, batch=key, projects=pids,
                 closes_at=closes.isoformat(), actor=actor.name, at=now.isoformat())
        return Notice(id=new_id, batch=key, started_at=now, closes_at=closes,
                      started_by=actor.name, contact=self.policy.notice.contact, projects=projects)

    def show(self, batch: str, now: datetime) -> BatchNotice:
        """The batch's notices with every project announced and every objection; NotFound if
        no notice of the batch was started."""
        key = inputs.batch(self.policy, batch)
        with models.reading(self.db) as conn:
            rows = store.notices(conn, key)
            if not rows:
                raise NotFound("notice of batch", key)
            announced = [_announced(r) for r in store.announced(conn, [r.id for r in rows])]
            objections = tuple(_objection(o) for o in store.objections(conn, batch=key))
        notices = tuple(_notice(r, tuple(p for p in announced if p.notice_id == r.id))
                        for r in rows)
        return BatchNotice(key, notices, objections, now)

    def objections(self, batch: str | None = None) -> list[Objection]:
        """Every objection on record (of `batch`), oldest first."""
        key = None if batch is None else inputs.batch(self.policy, batch)
        with models.reading(self.db) as conn:
            return [_objection(o) for o in store.objections(conn, batch=key)]

    def object(self, actor: Actor, project_id: int, *, name: str, unit: str | None,
               text: str, now: datetime) -> Objection:
        """Record an objection to a project received in writing, under a real name (and a
        unit's seal, if given), while the project's notice is open: Refused (guard "notice")
        before it starts or after it closes, naming its times."""
        actor = self._province(actor, "object")
        pid = inputs.integer("project id", project_id, 1)
        values: dict[str, Any] = {"name": inputs.text("name", name),
                  "unit": None if unit is None or not str(unit).strip()
                  else inputs.text("unit", unit),
                  "text": inputs.text("text", text, inputs.MAX_TEXT)}
        with audit.attempt("object", actor, pid), models.writing(self.db) as conn:
            ledger.lock(conn, ledger.NOTICES)
            if project_store.load(conn, pid) is None:
                raise NotFound("project", pid)
            notice = store.notice_of(conn, pid)
            if notice is None:
                raise Refused("object", NOTICE, f"project {pid} was never under public "
                              "notice: objections are received only while it is",
                              project_id=pid, facts={"notice": None})
            if not notice.started_at <= now <= notice.closes_at:
                when = "has not started" if now < notice.started_at else "has closed"
                raise Refused("object", NOTICE, f"the notice of project {pid} {when}: it runs "
                              f"from {times(notice, self.policy.zone)}; late objections are not accepted",
                              project_id=pid,
                              facts={"notice": notice.id,
                                     "started_at": notice.started_at.isoformat(),
                                     "closes_at": notice.closes_at.isoformat()})
            values.update(project_id=pid, notice_id=notice.id, received_at=now,
                          recorded_by=actor.name)
            new_id = store.insert_objection(conn, values)
            ledger.append(conn, ledger.NOTICES, "object", now, actor.name, actor.role,
                          proofs.object_body({"id": new_id, **values}), locked=True)
        log.info("objection_received", objection=new_id, project=pid, notice=notice.id,
                 actor=actor.name, at=now.isoformat())
        return Objection(id=new_id, **values)

    def resolve(self, actor: Actor, objection_id: int, *, outcome: str, reason: str,
                now: datetime) -> tuple[Objection, Project | None]:
        """Resolve an open objection: `dismissed`, or `upheld`, which rejects its project in
        the same transaction (the project as it stands after, else None). Refused (guard
        "resolved") for an objection resolved already."""
        actor = self._province(actor, "resolve")
        oid = inputs.integer("objection id", objection_id, 1)
        if outcome not in OUTCOMES:
            raise InvalidInput("outcome", f"use one of {', '.join(OUTCOMES)}", outcome)
        why = inputs.text("reason", reason, inputs.MAX_TEXT)
        resolution = {"outcome": outcome, "reason": why, "resolved_at": now,
                      "resolved_by": actor.name}
        rejected: Project | None = None
        with audit.attempt("resolve", actor, None), models.writing(self.db) as conn:
            ledger.lock(conn, ledger.NOTICES)
            row = store.objection(conn, oid)
            if row is None:
                raise NotFound("objection", oid)
            if row.outcome is not None:
                raise Refused("resolve", "resolved", f"objection {oid} was {row.outcome} "
                              f"already, at {row.resolved_at.isoformat()} by {row.resolved_by}",
                              project_id=row.project_id,
                              facts={"objection": oid, "outcome": row.outcome})
            store.resolve(conn, oid, resolution)
            ledger.append(conn, ledger.NOTICES, "resolve", now, actor.name, actor.role,
                          proofs.resolve_body(oid, resolution), locked=True)
            if outcome == "upheld":
                project = project_store.load(conn, row.project_id)
                assert project is not None  # the objection's foreign key holds it
                payload = {"reason": f"objection {oid} upheld: {why}"}
                rejected = transition.change(conn, self.policy, actor, project, "reject", now,
                                             payload)
        log.info("objection_resolved", objection=oid, project=row.project_id,
                 outcome=outcome, actor=actor.name, at=now.isoformat())
        if rejected is not None:
            audit.transitioned(rejected, "reject", "reviewed", actor, {"objection": oid})
        resolved = Objection(**{**{k: getattr(row, k) for k in store.OBJECTION}, **resolution})
        return resolved, rejected

    def public(self, now: datetime) -> list[PublicBatch]:
        """What the public may read, batch by batch: each notice open now with the projects
        it announced (those not since rejected or withdrawn) and how to object, and the
        projects published."""
        out = []
        with models.reading(self.db) as conn:
            for key, batch in self.policy.batches.items():
                rows = [r for r in store.notices(conn, key)
                        if r.started_at <= now <= r.closes_at]
                announced = [_announced(r) for r in store.announced(conn, [r.id for r in rows])]
                under = tuple(_notice(r, tuple(p for p in announced if p.notice_id == r.id
                                               and p.state not in ("rejected", "withdrawn")))
                              for r in rows)
                published = tuple(_announced(r) for r in store.published(conn, key))
                out.append(PublicBatch(key, batch.name, under, published))
        return out
