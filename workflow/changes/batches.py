"""Changes to a whole batch: publishing its signed projects, and extending a phase window."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.errors import InvalidInput, NotFound
from accel666.models.stores import batches, projects
from accel666.policies import Policy
from accel666.policies import rules as policy_rules
from accel666.record import chain, ledger, proofs
from accel666.workflow.actor import Actor
from accel666.workflow.changes import audit, transition
from accel666.workflow.changes.guards import authorise, refuse
from accel666.workflow.records import BatchStatus, Extension, Project, WindowStatus


def publish(db: SAEngine, policy: Policy, now: datetime, actor: Actor, batch: str) -> list[Project]:
    """Publish every signed project of `batch` in one transaction; all or nothing."""
    event = "publish"
    published: list[Project] = []
    with audit.attempt(event, actor, None), models.writing(db) as conn:
        # The role and the window are checked even when no project is signed yet.
        authorise(policy, actor, event, source=None, region="", credit_code=None)
        until = batches.extended_until(conn, batch, "publication")
        denial = policy_rules.check_window(policy.batches[batch], event, now, until)
        if denial is not None:
            raise refuse(event, denial, None)
        for row in projects.find(conn, state="signed", batch=batch):
            published.append(transition.change(conn, policy, actor, row, event, now,
                                               {"batch": batch}, extension=lambda: until))
    for record in published:
        audit.transitioned(record, event, "signed", actor, {"batch": batch})
    return published


def extend(
    db: SAEngine,
    policy: Policy,
    now: datetime,
    actor: Actor,
    batch: str,
    *,
    phase: str,
    until: date,
    reason: str,
    override: bool = False,
) -> Extension:
    """Record that the `phase` window of `batch` now closes at the end of day `until`, and in
    the same act every later phase that would close before it. A window closed longer than the
    policy's reopen_within_days is reopened only with `override`."""
    event = "extend"
    with audit.attempt(event, actor, None), models.writing(db) as conn:
        authorise(policy, actor, event, source=None, region="", credit_code=None)
        spec = policy.batches[batch]
        extended = batches.all_extensions(conn)
        current = policy_rules.effective_window(spec.windows[phase], extended.get((batch, phase)))
        if until <= current.closes:
            raise InvalidInput(
                "until",
                f"the {phase} window of batch {batch} already closes at the end of "
                f"{current.closes}; an extension must move it later",
                until.isoformat(),
            )
        denial = policy_rules.check_reopen(policy, spec, current, now, override)
        if denial is not None:
            raise refuse(event, denial, None)
        act = {"batch": batch, "until": until, "reason": reason, "actor": actor.name,
               "role": actor.role, "at": now}
        rows = [{**act, "phase": phase, "override": override, "follows": None}]
        rows[0]["id"] = first = batches.insert_extension(conn, rows[0])
        carried = []
        for later in policy_rules.later_phases(spec, phase):
            window = policy_rules.effective_window(spec.windows[later],
                                                   extended.get((batch, later)))
            if window.closes < until:
                carry = {**act, "phase": later, "override": False, "follows": first}
                carry["id"] = batches.insert_extension(conn, carry)
                rows.append(carry)
                carried.append(later)
        ledger.append(conn, ledger.batch_chain(batch), "extend", now, actor.name, actor.role,
                      {"extensions": [chain.fields(r, proofs.EXTENSION_ACT) for r in rows]})
    record = Extension(batch=batch, phase=phase, until=until, reason=reason, actor=actor.name,
                       role=actor.role, at=now, id=first, override=override,
                       carried=tuple(carried))
    audit.log.info("extension", id=first, batch=batch, phase=phase, until=until.isoformat(),
                   previous=current.closes.isoformat(), carried=carried, override=override,
                   reason=reason, actor=actor.name, role=actor.role, at=now.isoformat())
    return record


def revoke(db: SAEngine, policy: Policy, now: datetime, actor: Actor, extension_id: int,
           reason: str) -> Extension:
    """Undo an extension, and the later phases its act carried along: the windows close as
    they would without it. Who may extend may revoke; the revocation is recorded on the row."""
    event = "extend"
    with audit.attempt(event, actor, None), models.writing(db) as conn:
        authorise(policy, actor, event, source=None, region="", credit_code=None)
        found = batches.extensions(conn, extension_id=extension_id)
        if not found:
            raise NotFound("extension", extension_id)
        row = found[0]
        if row.follows is not None:
            raise refuse(event, policy_rules.Denial(
                "revoke", f"extension {extension_id} was made by extension {row.follows}'s act; "
                f"revoke {row.follows}", {"extension_id": extension_id, "follows": row.follows}),
                None)
        if row.revoked_at is not None:
            raise refuse(event, policy_rules.Denial(
                "revoke", f"extension {extension_id} was revoked already",
                {"extension_id": extension_id}), None)
        revocation = {"revoked_at": now, "revoked_by": actor.name, "revoked_role": actor.role,
                      "revoke_reason": reason}
        revoked = batches.revoke_extension(conn, extension_id, revocation)
        ledger.append(conn, ledger.batch_chain(row.batch), "revoke", now, actor.name,
                      actor.role, {"ids": revoked, **chain.fields(revocation, proofs.REVOCATION)})
        record = extension_from(batches.extensions(conn, extension_id=extension_id)[0])
    audit.log.info("extension_revoked", id=extension_id, batch=record.batch,
                   phase=record.phase, until=record.until.isoformat(), reason=reason,
                   actor=actor.name, role=actor.role, at=now.isoformat())
    return record


def extensions(db: SAEngine, batch: str | None = None) -> list[Extension]:
    """Every extension on record, oldest first, revoked ones included."""
    with models.reading(db) as conn:
        return [extension_from(row) for row in batches.extensions(conn, batch=batch)]


def extension_from(row: Any) -> Extension:
    return Extension(
        id=row.id, batch=row.batch, phase=row.phase, until=row.until, reason=row.reason,
        actor=row.actor, role=row.role, at=row.at, follows=row.follows,
        override=bool(row.override), revoked_at=row.revoked_at, revoked_by=row.revoked_by,
        revoked_role=row.revoked_role, revoke_reason=row.revoke_reason)


def status(db: SAEngine, policy: Policy, now: datetime) -> list[BatchStatus]:
    """Every batch of the policy with its windows as they stand at `now`, extensions included."""
    with models.reading(db) as conn:
        extended = batches.all_extensions(conn)
    out = []
    for b in policy.batches.values():
        windows = []
        for phase, w in b.windows.items():
            until = extended.get((b.key, phase))
            eff = policy_rules.effective_window(w, until)
            windows.append(WindowStatus(
                phase=phase, opens_at=eff.opens_at, closes_at=policy_rules.last_moment(eff),
                extended=eff is not w,
                open=(eff.opens_at is None or now >= eff.opens_at) and now < eff.closes_at,
            ))
        out.append(BatchStatus(b.key, b.name, tuple(windows)))
    return out
