"""The sweep: record every escalation that fell due, once, with set-based SQL.

One INSERT … SELECT … ON CONFLICT DO NOTHING per (level, batch, phase), level 1 of every phase
first, so that within a project the ids ascend with the level. The unique key
(project_id, phase, level) makes a second record impossible whatever runs; the write transaction
(BEGIN IMMEDIATE on SQLite, a transaction-level advisory lock on PostgreSQL) makes concurrent
sweeps queue up instead of racing. Deliveries of the new escalations are queued in the same
transaction, so a crash after recording means a delivery later, never a lost one; the queueing
is one entry of the ledger's `outbox` chain (record.outbox), without reading the rows back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.models.stores import batches as batch_store
from accel666.models.stores import escalations as escalation_store
from accel666.policies import Policy
from accel666.policies import escalation as ladder_rules
from accel666.record import chain, ledger, proofs
from accel666.record import outbox as outbox_record
from accel666.workflow import logs
from accel666.workflow.changes.inputs import MAX_INT
from accel666.workflow.deadlines.records import LevelCount, SweepResult

log = logs.get_logger("accel666.escalation")

# A notifier to queue deliveries for: its name and the target its deliveries go to (the
# webhook's URL), or None.
Queued = tuple[str, str | None]


def lateness(rung: ladder_rules.Rung, now: datetime) -> int:
    """How late `now` is for `rung`, in whole seconds, saturated at the column's range (68
    years), which a sweep at a far-off `now` exceeds."""
    return min(int((now - rung.due_at).total_seconds()), MAX_INT)


def sweep(
    db: SAEngine,
    policy: Policy,
    now: datetime,
    *,
    notifiers: Sequence[Queued],
    dry_run: bool,
) -> SweepResult:
    """Record every level due at `now` and not yet on record; resolve escalations whose project
    left its overdue state; queue a delivery of each new escalation for each notifier."""
    if dry_run:
        return _dry_run(db, policy, now)
    ladder = policy.escalation
    counts: list[LevelCount] = []
    first = last = None
    enqueued = 0
    with models.writing(db) as conn:
        escalation_store.queue_up(conn)
        # Counts and the id range only, never the new rows themselves: memory stays flat in the
        # number of projects. Sweeps queue up, so the range holds this sweep's rows alone.
        before = escalation_store.last_id(conn)
        seq = ledger.head(conn, ledger.SWEEPS)[0] + 1  # sweeps alone append to it, queued up
        rungs = []
        for rung in ladder_rules.due_rungs(policy, batch_store.all_extensions(conn), now):
            late = lateness(rung, now)
            added = escalation_store.record(conn, rung, now, late, ladder.ack_stops_ladder,
                                       ladder_rules.KEY_PREFIX)
            if added:
                counts.append(LevelCount(rung.batch, rung.phase, rung.level, added))
                rungs.append(_rung_entry(rung, now, late, added))
        resolved = sum(escalation_store.resolve(conn, phase, rule.states, now, seq)
                       for phase, rule in ladder.phases.items())
        if counts:
            first = escalation_store.first_id_after(conn, before)
            last = escalation_store.last_id(conn)
            # Sweeps queue up: the escalations from first to last are this sweep's alone.
            enqueued = _enqueue(conn, now, first, last, notifiers)
        if counts or resolved:
            _chain(conn, now, first, last, seq, rungs)
        # The webhook configured now is the one that counts: a delivery to it for every open
        # escalation recorded without one, and every one still pending pointed at it.
        adopted = sum(_adopt(conn, now, name, target)
                      for name, target in notifiers if target is not None)
    result = SweepResult(now=now, dry_run=False, recorded=tuple(counts), first_id=first,
                         last_id=last, resolved=resolved, enqueued=enqueued, adopted=adopted)
    log.info("sweep", now=now.isoformat(), recorded=result.total, resolved=resolved,
             enqueued=enqueued, adopted=adopted,
             by_level={f"{c.batch}/{c.phase}/L{c.level}": c.count for c in counts})
    return result


def _enqueue(conn: Connection, now: datetime, first: int, last: int,
             notifiers: Sequence[Queued]) -> int:
    """Queue a delivery of each escalation from `first` to `last` for each notifier, and the
    act in the outbox chain (one entry, which the rows name); how many were queued."""
    ledger.lock(conn, ledger.OUTBOX)
    seq = ledger.head(conn, ledger.OUTBOX)[0] + 1
    enqueued = sum(escalation_store.enqueue(conn, first, last, now, name, target, seq)
                   for name, target in notifiers)
    if enqueued:
        ledger.append(conn, ledger.OUTBOX, "queue", now, "accel666", "system",
                      outbox_record.queue_body(first, last, notifiers, enqueued), locked=True)
    return enqueued


def _adopt(conn: Connection, now: datetime, name: str, target: str) -> int:
    """Queue or redirect deliveries to the webhook configured now (`escalation_store.adopt`),
    the act in the outbox chain; how many."""
    ledger.lock(conn, ledger.OUTBOX)
    seq = ledger.head(conn, ledger.OUTBOX)[0] + 1
    rows = escalation_store.adopt(conn, name, target, now, seq)
    if rows:
        ledger.append(conn, ledger.OUTBOX, "adopt", now, "accel666", "system",
                      outbox_record.rows_body(rows), locked=True)
    return len(rows)


def _rung_entry(rung: ladder_rules.Rung, now: datetime, late: int,
                count: int) -> dict[str, Any]:
    """What every escalation a rung recorded shares (proofs.RUNG), and how many there were."""
    return {"batch": rung.batch, "phase": rung.phase, "level": rung.level,
            "deadline": chain.stamp(rung.deadline), "due_at": chain.stamp(rung.due_at),
            "fired_at": chain.stamp(now), "lateness_seconds": late,
            "target_role": rung.target_role, "lapsed": rung.lapses, "count": count}


def _chain(conn: Connection, now: datetime, first: int | None, last: int | None,
           seq: int, rungs: list[dict[str, Any]]) -> None:
    """The sweep's entry in the `sweeps` chain: its rungs, a digest of the escalations it
    recorded (ids first..last, the columns that vary by row) and of the resolutions it made
    (marked with its seq), streamed in id order."""
    recorded, resolved = chain.Digest(), chain.Digest()
    if first is not None and last is not None:
        for row in escalation_store.recorded_between(conn, first, last, proofs.RECORDED_ROW):
            recorded.add_values(row)
    for row in escalation_store.resolved_in(conn, seq):
        resolved.add(chain.fields(row, proofs.RESOLUTION))
    body = {"now": chain.stamp(now), "first": first, "last": last, "rungs": rungs,
            "recorded": recorded.summary(), "resolved": resolved.summary()}
    ledger.append(conn, ledger.SWEEPS, "sweep", now, "accel666", "system", body)


def _dry_run(db: SAEngine, policy: Policy, now: datetime) -> SweepResult:
    """What a sweep at `now` would record and resolve, read with the same predicates."""
    ladder = policy.escalation
    counts: list[LevelCount] = []
    planned: list[tuple[int, str, int]] = []
    with models.reading(db) as conn:
        for rung in ladder_rules.due_rungs(policy, batch_store.all_extensions(conn), now):
            found = escalation_store.planned(conn, rung, now, ladder.ack_stops_ladder,
                                        ladder_rules.KEY_PREFIX)
            if found:
                counts.append(LevelCount(rung.batch, rung.phase, rung.level, len(found)))
                planned.extend((pid, rung.phase, rung.level) for pid in found)
        resolved = sum(escalation_store.resolvable(conn, phase, rule.states)
                       for phase, rule in ladder.phases.items())
    return SweepResult(now=now, dry_run=True, recorded=tuple(counts), first_id=None, last_id=None,
                       resolved=resolved, enqueued=0, planned=tuple(planned))
