"""Changes to a whole batch: publishing its signed projects, and extending a phase window."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.policies import Policy
from accel666.policies import rules as policy_rules
from accel666.workflow import store
from accel666.workflow.actor import Actor
from accel666.workflow.errors import InvalidInput
from accel666.workflow.lifecycle import audit, transition
from accel666.workflow.lifecycle.guards import authorise, refuse
from accel666.workflow.records import BatchStatus, Extension, Project, WindowStatus


def publish(db: SAEngine, policy: Policy, now: datetime, actor: Actor, batch: str) -> list[Project]:
    """Publish every signed project of `batch` in one transaction; all or nothing."""
    event = "publish"
    published: list[Project] = []
    with audit.attempt(event, actor, None), models.writing(db) as conn:
        # The role and the window are checked even when no project is signed yet.
        authorise(policy, actor, event, source=None, region="", credit_code=None)
        until = store.extended_until(conn, batch, "publication")
        denial = policy_rules.check_window(policy.batches[batch], event, now, until)
        if denial is not None:
            raise refuse(event, denial, None)
        for row in store.projects(conn, state="signed", batch=batch):
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
) -> Extension:
    """Record that the `phase` window of `batch` now closes at the end of day `until`."""
    event = "extend"
    with audit.attempt(event, actor, None), models.writing(db) as conn:
        authorise(policy, actor, event, source=None, region="", credit_code=None)
        window = policy.batches[batch].windows[phase]
        current = policy_rules.effective_window(window, store.extended_until(conn, batch, phase))
        if until <= current.closes:
            raise InvalidInput(
                "until",
                f"the {phase} window of batch {batch} already closes at the end of "
                f"{current.closes}; an extension must move it later",
                until.isoformat(),
            )
        record = Extension(batch=batch, phase=phase, until=until, reason=reason,
                           actor=actor.name, role=actor.role, at=now)
        store.insert_extension(conn, record.__dict__)
    audit.log.info("extension", batch=batch, phase=phase, until=until.isoformat(),
                   previous=current.closes.isoformat(), reason=reason, actor=actor.name,
                   role=actor.role, at=now.isoformat())
    return record


def status(db: SAEngine, policy: Policy, now: datetime) -> list[BatchStatus]:
    """Every batch of the policy with its windows as they stand at `now`, extensions included."""
    with models.reading(db) as conn:
        extended = store.all_extensions(conn)
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
