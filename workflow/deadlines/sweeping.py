"""The sweep: record every escalation that fell due, once, with set-based SQL.

One INSERT … SELECT … ON CONFLICT DO NOTHING per (level, batch, phase), level 1 of every phase
first, so that within a project the ids ascend with the level. The unique key
(project_id, phase, level) makes a second record impossible whatever runs; the write transaction
(BEGIN IMMEDIATE on SQLite, a transaction-level advisory lock on PostgreSQL) makes concurrent
sweeps queue up instead of racing. Deliveries of the new escalations are queued in the same
transaction, so a crash after recording means a delivery later, never a lost one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Integer,
    Select,
    String,
    cast,
    exists,
    func,
    literal,
    null,
    select,
    update,
)
from sqlalchemy import Engine as SAEngine
from sqlalchemy.dialects import postgresql, sqlite

from accel666 import models
from accel666.models.types import UTCDateTime
from accel666.policies import Policy
from accel666.policies import escalation as ladder_rules
from accel666.record import chain, ledger, proofs
from accel666.workflow import logs, store
from accel666.workflow.changes.inputs import MAX_INT
from accel666.workflow.deadlines.records import LevelCount, SweepResult

log = logs.get_logger("accel666.escalation")

E = models.escalation_table.c
D = models.delivery_table.c
P = models.project_table.c
T = models.transition_table.c
# The key of the PostgreSQL advisory lock that queues sweeps ("a666" "esc").
SWEEP_LOCK = 0x0A666E5C
INSERTED = ("project_id", "batch", "phase", "deadline", "level", "due_at", "fired_at",
            "lateness_seconds", "target_role", "target_scope", "state_seen", "idempotency_key",
            "lapsed")
# A notifier to queue deliveries for: its name and, for a webhook, the URL.
Notifier = tuple[str, str | None]


def insert_for(conn: Connection) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def queue_up(conn: Connection) -> None:
    """Wait for any other sweep to finish (SQLite's BEGIN IMMEDIATE already did)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(SWEEP_LOCK)))


def candidates(rung: ladder_rules.Rung, now: datetime, ack_stops: bool) -> Select[Any]:
    """The escalation rows `rung` would add at `now`: projects of its batch still in an overdue
    state, without this level yet and, if acknowledgements stop the ladder, without an
    acknowledged lower level."""
    lower = models.escalation_table.alias("lower")
    scope = {"region": P.region, "enterprise": P.credit_code}.get(rung.target_kind)
    key = (literal(f"{ladder_rules.KEY_PREFIX}:") + cast(P.id, String)
           + literal(f":{rung.phase}:L{rung.level}"))
    q = select(
        P.id, literal(rung.batch, String), literal(rung.phase, String),
        literal(rung.deadline, UTCDateTime), literal(rung.level, Integer),
        literal(rung.due_at, UTCDateTime), literal(now, UTCDateTime),
        # Saturated at the column's range (68 years), which a sweep at a far-off `now` exceeds.
        literal(min(int((now - rung.due_at).total_seconds()), MAX_INT), Integer),
        literal(rung.target_role, String),
        cast(null(), String) if scope is None else scope,
        P.state, key, literal(rung.lapses, Boolean),
    ).where(
        P.batch == rung.batch,
        P.state.in_(rung.states),
        ~exists().where(lower.c.project_id == P.id, lower.c.phase == rung.phase,
                        lower.c.level == rung.level),
    )
    if ack_stops and rung.level > 1:
        q = q.where(~exists().where(
            lower.c.project_id == P.id, lower.c.phase == rung.phase,
            lower.c.level < rung.level, lower.c.acked_at.is_not(None),
        ))
    return q.order_by(P.id)


def sweep(
    db: SAEngine,
    policy: Policy,
    now: datetime,
    *,
    notifiers: Sequence[Notifier],
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
        queue_up(conn)
        insert = insert_for(conn)
        # Counts and the id range only, never the new rows themselves: memory stays flat in the
        # number of projects. Sweeps queue up, so the range holds this sweep's rows alone.
        before = _last_id(conn)
        seq = ledger.head(conn, ledger.SWEEPS)[0] + 1  # sweeps alone append to it, queued up
        rungs = []
        for rung in ladder_rules.due_rungs(policy, store.all_extensions(conn), now):
            stmt = (insert(models.escalation_table)
                    .from_select(INSERTED, candidates(rung, now, ladder.ack_stops_ladder))
                    .on_conflict_do_nothing()
                    .execution_options(preserve_rowcount=True))  # else -1 on psycopg
            added = conn.execute(stmt).rowcount
            if added:
                counts.append(LevelCount(rung.batch, rung.phase, rung.level, added))
                rungs.append(_rung_entry(rung, now, added))
        resolved = _resolve(conn, policy, now, seq)
        if counts:
            first = conn.execute(select(func.min(E.id)).where(E.id > before)).scalar_one()
            last = _last_id(conn)
            enqueued = _enqueue(conn, first, last, now, notifiers)
        if counts or resolved:
            _chain(conn, now, first, last, seq, rungs)
        adopted = sum(_adopt(conn, endpoint, now) for name, endpoint in notifiers
                      if name == "webhook" and endpoint is not None)
    result = SweepResult(now=now, dry_run=False, recorded=tuple(counts), first_id=first,
                         last_id=last, resolved=resolved, enqueued=enqueued, adopted=adopted)
    log.info("sweep", now=now.isoformat(), recorded=result.total, resolved=resolved,
             enqueued=enqueued, adopted=adopted,
             by_level={f"{c.batch}/{c.phase}/L{c.level}": c.count for c in counts})
    return result


def _last_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(E.id), 0))).scalar_one())


def _rung_entry(rung: ladder_rules.Rung, now: datetime, count: int) -> dict[str, Any]:
    """What every escalation a rung recorded shares (proofs.RUNG), and how many there were."""
    lateness = min(int((now - rung.due_at).total_seconds()), MAX_INT)
    return {"batch": rung.batch, "phase": rung.phase, "level": rung.level,
            "deadline": chain.stamp(rung.deadline), "due_at": chain.stamp(rung.due_at),
            "fired_at": chain.stamp(now), "lateness_seconds": lateness,
            "target_role": rung.target_role, "lapsed": rung.lapses, "count": count}


def _chain(conn: Connection, now: datetime, first: int | None, last: int | None,
           seq: int, rungs: list[dict[str, Any]]) -> None:
    """The sweep's entry in the `sweeps` chain: its rungs, a digest of the escalations it
    recorded (ids first..last, the columns that vary by row) and of the resolutions it made
    (marked with its seq), streamed in id order."""
    recorded, resolved = chain.Digest(), chain.Digest()
    if first is not None and last is not None:
        for row in _stream(conn, select(*(E[n] for n in proofs.RECORDED_ROW))
                           .where(E.id.between(first, last))):
            recorded.add_values(row)
    for row in _stream(conn, select(E.id, E.resolved_at).where(E.resolved_in == seq)):
        resolved.add(chain.fields(row, proofs.RESOLUTION))
    body = {"now": chain.stamp(now), "first": first, "last": last, "rungs": rungs,
            "recorded": recorded.summary(), "resolved": resolved.summary()}
    ledger.append(conn, ledger.SWEEPS, "sweep", now, "accel666", "system", body)


def _stream(conn: Connection, query: Select[Any]) -> Any:
    return conn.execute(query.order_by(E.id).execution_options(yield_per=5000))


def _resolve(conn: Connection, policy: Policy, now: datetime, seq: int) -> int:
    """Set resolved_at on open escalations whose project is no longer in an overdue state of
    their phase: the moment it left (from its log), or `now` if the log does not say; and
    resolved_in, the seq of the sweep's entry in the `sweeps` chain."""
    total = 0
    for phase, rule in policy.escalation.phases.items():
        left = (select(func.max(T.at))
                .where(T.project_id == E.project_id, T.from_state.in_(rule.states))
                .scalar_subquery())
        still = exists().where(P.id == E.project_id, P.state.in_(rule.states))
        total += conn.execute(
            update(models.escalation_table)
            .where(E.phase == phase, E.resolved_at.is_(None), ~still)
            .values(resolved_at=func.coalesce(left, literal(now, UTCDateTime)), resolved_in=seq)
        ).rowcount
    return total


def _enqueue(conn: Connection, first: int, last: int, now: datetime,
             notifiers: Sequence[Notifier]) -> int:
    """Queue one delivery per notifier for the escalations this sweep recorded (ids first..last)."""
    total = 0
    insert = insert_for(conn)
    for name, endpoint in notifiers:
        rows = select(
            E.id, literal(name, String),
            cast(null(), String) if endpoint is None else literal(endpoint, String),
            literal("pending", String), literal(0, Integer), literal(now, UTCDateTime),
        ).where(E.id.between(first, last))  # sweeps queue up: this sweep's rows alone
        total += conn.execute(
            insert(models.delivery_table)
            .from_select(("escalation_id", "notifier", "endpoint", "status", "attempts",
                          "next_attempt_at"), rows)
            .on_conflict_do_nothing()
            .execution_options(preserve_rowcount=True)
        ).rowcount
    return total


def _adopt(conn: Connection, endpoint: str, now: datetime) -> int:
    """The webhook configured now is the one that counts: queue a delivery to it for every
    open escalation that has no webhook delivery (recorded by a sweep without one), and point
    every webhook delivery still pending at it. Delivered and failed ones keep their endpoint
    (`rearm --webhook` redirects a failed one). How many deliveries were queued or redirected."""
    has_webhook = exists().where(D.escalation_id == E.id, D.notifier == "webhook")
    rows = select(
        E.id, literal("webhook", String), literal(endpoint, String), literal("pending", String),
        literal(0, Integer), literal(now, UTCDateTime),
    ).where(E.resolved_at.is_(None), E.acked_at.is_(None), ~has_webhook)
    queued = conn.execute(
        insert_for(conn)(models.delivery_table)
        .from_select(("escalation_id", "notifier", "endpoint", "status", "attempts",
                      "next_attempt_at"), rows)
        .on_conflict_do_nothing()
        .execution_options(preserve_rowcount=True)
    ).rowcount
    redirected = conn.execute(
        update(models.delivery_table)
        .where(D.notifier == "webhook", D.status == "pending", D.endpoint != endpoint)
        .values(endpoint=endpoint)
    ).rowcount
    return int(queued) + int(redirected)


def _dry_run(db: SAEngine, policy: Policy, now: datetime) -> SweepResult:
    """What a sweep at `now` would record and resolve, read with the same predicates."""
    ladder = policy.escalation
    counts: list[LevelCount] = []
    planned: list[tuple[int, str, int]] = []
    with models.reading(db) as conn:
        for rung in ladder_rules.due_rungs(policy, store.all_extensions(conn), now):
            q = candidates(rung, now, ladder.ack_stops_ladder).with_only_columns(P.id)
            found = list(conn.execute(q).scalars())
            if found:
                counts.append(LevelCount(rung.batch, rung.phase, rung.level, len(found)))
                planned.extend((pid, rung.phase, rung.level) for pid in found)
        resolved = 0
        for phase, rule in ladder.phases.items():
            still = exists().where(P.id == E.project_id, P.state.in_(rule.states))
            resolved += conn.execute(
                select(func.count()).where(E.phase == phase, E.resolved_at.is_(None), ~still)
            ).scalar_one()
    return SweepResult(now=now, dry_run=True, recorded=tuple(counts), first_id=None, last_id=None,
                       resolved=resolved, enqueued=0, planned=tuple(planned))
