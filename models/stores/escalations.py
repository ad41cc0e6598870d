"""Escalations and their deliveries (the outbox): the sweep's set-based statements, the
delivery rounds' claim and settlement, and the reads and the acknowledgement.

Every function runs inside the caller's transaction. The sweep's statements record a whole
rung at once (INSERT … SELECT … ON CONFLICT DO NOTHING) and never bring the new rows into
memory; a claim takes rows with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL), so that two
rounds never take the same delivery.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    bindparam,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from accel666.models.escalations import delivery_table, escalation_table
from accel666.models.stores import CHUNK
from accel666.models.stores.projects import Within, within
from accel666.models.tables import project_table, transition_table
from accel666.models.types import UTCDateTime

E = escalation_table.c
D = delivery_table.c
P = project_table.c
T = transition_table.c
# The key of the PostgreSQL advisory lock that queues sweeps ("a666" "esc").
SWEEP_LOCK = 0x0A666E5C
INSERTED = ("project_id", "batch", "phase", "deadline", "level", "due_at", "fired_at",
            "lateness_seconds", "target_role", "target_scope", "state_seen", "idempotency_key",
            "lapsed")
QUEUED = ("escalation_id", "notifier", "endpoint", "status", "attempts", "next_attempt_at",
          "proved_in")
# A delivery as the outbox chain records it (record.proofs.DELIVERY).
_CHAINED = (D.id, D.escalation_id, D.notifier, D.endpoint, D.status, D.attempts)


class DueRung(Protocol):
    """What the statements recording one rung of the ladder read of it
    (`policies.escalation.Rung`)."""

    @property
    def batch(self) -> str: ...
    @property
    def phase(self) -> str: ...
    @property
    def states(self) -> tuple[str, ...]: ...
    @property
    def level(self) -> int: ...
    @property
    def deadline(self) -> datetime: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def target_role(self) -> str: ...
    @property
    def target_kind(self) -> str: ...
    @property
    def lapses(self) -> bool: ...


@dataclass(frozen=True)
class Outcome:
    """What one attempt of a claimed delivery came to: `delivered`, `pending` (to be tried
    again at `next_attempt_at`) or `failed` (no attempt left)."""

    delivery_id: int
    status: str
    attempts: int
    error: str | None
    next_attempt_at: datetime


def _insert(conn: Connection) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


# --- the sweep ------------------------------------------------------------------------------

def queue_up(conn: Connection) -> None:
    """Wait for any other sweep to finish (SQLite's BEGIN IMMEDIATE already did)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(SWEEP_LOCK)))


def last_id(conn: Connection) -> int:
    """The highest escalation id on record (0 if none)."""
    return int(conn.execute(select(func.coalesce(func.max(E.id), 0))).scalar_one())


def first_id_after(conn: Connection, before: int) -> int:
    """The lowest escalation id above `before` (there is one)."""
    return int(conn.execute(select(func.min(E.id)).where(E.id > before)).scalar_one())


def _candidates(rung: DueRung, now: datetime, lateness: int, ack_stops: bool,
                key_prefix: str) -> Select[Any]:
    """The escalation rows `rung` would add at `now`: projects of its batch still in an overdue
    state, without this level yet and, if acknowledgements stop the ladder, without an
    acknowledged lower level."""
    lower = escalation_table.alias("lower")
    scope = {"region": P.region, "enterprise": P.credit_code}.get(rung.target_kind)
    key = (literal(f"{key_prefix}:") + cast(P.id, String)
           + literal(f":{rung.phase}:L{rung.level}"))
    q = select(
        P.id, literal(rung.batch, String), literal(rung.phase, String),
        literal(rung.deadline, UTCDateTime), literal(rung.level, Integer),
        literal(rung.due_at, UTCDateTime), literal(now, UTCDateTime),
        literal(lateness, Integer), literal(rung.target_role, String),
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


def record(conn: Connection, rung: DueRung, now: datetime, lateness: int, ack_stops: bool,
           key_prefix: str) -> int:
    """Record `rung`'s escalations due at `now`, in project order, each once (the unique key
    skips those on record); how many were added. `lateness` is `now - rung.due_at` in
    seconds, saturated at the column's range."""
    stmt = (_insert(conn)(escalation_table)
            .from_select(INSERTED, _candidates(rung, now, lateness, ack_stops, key_prefix))
            .on_conflict_do_nothing()
            .execution_options(preserve_rowcount=True))  # else -1 on psycopg
    return int(conn.execute(stmt).rowcount)


def planned(conn: Connection, rung: DueRung, now: datetime, ack_stops: bool,
            key_prefix: str) -> list[int]:
    """The projects `record` would record `rung` for at `now`, in id order."""
    q = _candidates(rung, now, 0, ack_stops, key_prefix).with_only_columns(P.id)
    return list(conn.execute(q).scalars())


def resolve(conn: Connection, phase: str, states: Sequence[str], now: datetime,
            seq: int) -> int:
    """Set resolved_at on the open escalations of `phase` whose project is in none of its
    overdue `states`: the moment it left them (from its log), or `now` if the log does not
    say; and resolved_in, the seq of the resolving sweep's entry in the `sweeps` chain."""
    left = (select(func.max(T.at))
            .where(T.project_id == E.project_id, T.from_state.in_(states))
            .scalar_subquery())
    still = exists().where(P.id == E.project_id, P.state.in_(states))
    return int(conn.execute(
        update(escalation_table)
        .where(E.phase == phase, E.resolved_at.is_(None), ~still)
        .values(resolved_at=func.coalesce(left, literal(now, UTCDateTime)), resolved_in=seq)
    ).rowcount)


def resolvable(conn: Connection, phase: str, states: Sequence[str]) -> int:
    """How many escalations `resolve` would resolve."""
    still = exists().where(P.id == E.project_id, P.state.in_(states))
    return int(conn.execute(
        select(func.count()).where(E.phase == phase, E.resolved_at.is_(None), ~still)
    ).scalar_one())


def enqueue(conn: Connection, first: int, last: int, now: datetime, notifier: str,
            endpoint: str | None, proved_in: int) -> int:
    """Queue a delivery by `notifier` (to `endpoint`, if it takes one) of each escalation with
    an id from `first` to `last`, proved by the outbox entry `proved_in`; how many were
    queued."""
    rows = select(
        E.id, literal(notifier, String),
        cast(null(), String) if endpoint is None else literal(endpoint, String),
        literal("pending", String), literal(0, Integer), literal(now, UTCDateTime),
        literal(proved_in, Integer),
    ).where(E.id.between(first, last))
    return int(conn.execute(
        _insert(conn)(delivery_table)
        .from_select(QUEUED, rows)
        .on_conflict_do_nothing()
        .execution_options(preserve_rowcount=True)
    ).rowcount)


def adopt(conn: Connection, notifier: str, endpoint: str, now: datetime,
          proved_in: int) -> list[Any]:
    """Queue a delivery by `notifier` to `endpoint` for every open escalation that has none by
    it, and point every delivery of `notifier` still pending at `endpoint`, each proved by
    the outbox entry `proved_in`; the deliveries queued or redirected, as the outbox chain
    records them, in id order. Delivered and failed ones keep their endpoint."""
    has_one = exists().where(D.escalation_id == E.id, D.notifier == notifier)
    rows = select(
        E.id, literal(notifier, String), literal(endpoint, String), literal("pending", String),
        literal(0, Integer), literal(now, UTCDateTime), literal(proved_in, Integer),
    ).where(E.resolved_at.is_(None), E.acked_at.is_(None), ~has_one)
    queued = conn.execute(
        _insert(conn)(delivery_table)
        .from_select(QUEUED, rows)
        .on_conflict_do_nothing()
        .returning(D.id)
    ).scalars().all()
    redirected = conn.execute(
        update(delivery_table)
        .where(D.notifier == notifier, D.status == "pending", D.endpoint != endpoint)
        .values(endpoint=endpoint, proved_in=proved_in)
        .returning(D.id)
    ).scalars().all()
    return chained(conn, [*queued, *redirected])


def chained(conn: Connection, ids: Sequence[int]) -> list[Any]:
    """The deliveries with these ids as the outbox chain records them, in id order."""
    out: list[Any] = []
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        out += conn.execute(select(*_CHAINED).where(D.id.in_(ordered[start:start + CHUNK]))
                            .order_by(D.id)).all()
    return out


def recorded_between(conn: Connection, first: int, last: int,
                     columns: Sequence[str]) -> Iterator[Any]:
    """The named columns of the escalations with ids from `first` to `last`, in id order,
    fetched a chunk at a time."""
    return conn.execute(select(*(E[n] for n in columns)).where(E.id.between(first, last))
                        .order_by(E.id).execution_options(yield_per=CHUNK))


def resolved_in(conn: Connection, seq: int) -> Iterator[Any]:
    """The id and resolved_at of the escalations the sweep `seq` resolved, in id order,
    fetched a chunk at a time."""
    return conn.execute(select(E.id, E.resolved_at).where(E.resolved_in == seq)
                        .order_by(E.id).execution_options(yield_per=CHUNK))


# --- the outbox -----------------------------------------------------------------------------

def claim(conn: Connection, notifier: str, owner: str, now: datetime, after: int,
          lease: timedelta, size: int) -> list[Any]:
    """Lease to `owner` until `now + lease` the next `size` deliveries of `notifier` due at
    `now` (ids above `after`, lowest first) that no lease holds; those deliveries with their
    escalation's and project's fields, in id order."""
    ids = list(conn.execute(
        select(D.id)
        .where(D.notifier == notifier, D.status == "pending", D.next_attempt_at <= now,
               or_(D.lease_until.is_(None), D.lease_until <= now), D.id > after)
        .order_by(D.id).limit(size)
        .with_for_update(skip_locked=True)
    ).scalars())
    if not ids:
        return []
    conn.execute(update(delivery_table).where(D.id.in_(ids))
                 .values(lease_owner=owner, lease_until=now + lease))
    return list(conn.execute(
        select(D.id, D.endpoint, D.attempts, D.escalation_id, D.notifier, D.status,
               D.proved_in, E.project_id, E.batch,
               E.phase, E.deadline, E.level, E.due_at, E.fired_at, E.lateness_seconds,
               E.target_role, E.target_scope, E.state_seen, E.idempotency_key, E.lapsed,
               P.title, P.enterprise, P.region)
        .join(escalation_table, E.id == D.escalation_id)
        .join(project_table, P.id == E.project_id)
        .where(D.id.in_(ids)).order_by(D.id)
    ).all())


def held_by(conn: Connection, owner: str, ids: Sequence[int]) -> set[int]:
    """Which of `ids` `owner` still holds the lease of, locked until this transaction ends."""
    return set(conn.execute(select(D.id).where(D.id.in_(ids), D.lease_owner == owner)
                            .with_for_update()).scalars())


def settle(conn: Connection, owner: str, now: datetime, outcomes: Sequence[Outcome],
           proved_in: int) -> None:
    """Write the outcomes of deliveries `owner` holds (see `held_by`) and release their lease:
    the successes in one UPDATE, each failure with its own attempt count and next attempt,
    each proved by the outbox entry `proved_in`. A success keeps the last error seen, for the
    record."""
    done = [o.delivery_id for o in outcomes if o.status == "delivered"]
    failed = [o for o in outcomes if o.status != "delivered"]
    released = {"lease_owner": None, "lease_until": None}
    if done:
        conn.execute(update(delivery_table)
                     .where(D.id.in_(done), D.lease_owner == owner)
                     .values(status="delivered", attempts=D.attempts + 1, delivered_at=now,
                             next_attempt_at=now, proved_in=proved_in, **released))
    if failed:
        conn.execute(update(delivery_table)
                     .where(D.id == bindparam("b_id"), D.lease_owner == owner)
                     .values(status=bindparam("b_status"), attempts=bindparam("b_attempts"),
                             last_error=bindparam("b_error"),
                             next_attempt_at=bindparam("b_next"), proved_in=proved_in,
                             **released),
                     [{"b_id": o.delivery_id, "b_status": o.status, "b_attempts": o.attempts,
                       "b_error": o.error, "b_next": o.next_attempt_at} for o in failed])


def unposted(conn: Connection, owner: str, why: Mapping[int, str]) -> None:
    """Release the deliveries `owner` holds that were not posted because their row is not
    what the record holds, each with the reason as its last error (nothing the outbox chain
    records changes)."""
    if why:
        conn.execute(update(delivery_table)
                     .where(D.id == bindparam("b_id"), D.lease_owner == owner)
                     .values(last_error=bindparam("b_error"), lease_owner=None,
                             lease_until=None),
                     [{"b_id": i, "b_error": error} for i, error in why.items()])


def release(conn: Connection, owner: str, ids: Sequence[int]) -> None:
    """Give back the deliveries among `ids` that `owner` holds, unattempted."""
    conn.execute(update(delivery_table).where(D.id.in_(ids), D.lease_owner == owner)
                 .values(lease_owner=None, lease_until=None))


def rearm(conn: Connection, escalation_id: int, now: datetime,
          redirect: tuple[str, str] | None, proved_in: int) -> list[Any]:
    """Give the failed deliveries of an escalation a fresh set of attempts; with `redirect`
    (a notifier and an endpoint), its failed delivery by that notifier goes to the endpoint,
    and one is queued if it had none; each proved by the outbox entry `proved_in`. The
    deliveries re-armed or queued, as the outbox chain records them, in id order."""
    fresh = {"status": "pending", "attempts": 0, "next_attempt_at": now, "lease_owner": None,
             "lease_until": None, "proved_in": proved_in}
    ids = list(conn.execute(
        update(delivery_table)
        .where(D.escalation_id == escalation_id, D.status == "failed")
        .values(**fresh, **({} if redirect is None else {"endpoint": case(
            (D.notifier == redirect[0], redirect[1]), else_=D.endpoint)}))
        .returning(D.id)
    ).scalars())
    if redirect is not None and conn.execute(select(D.id).where(
            D.escalation_id == escalation_id, D.notifier == redirect[0])).first() is None:
        ids.append(conn.execute(insert(delivery_table).values(
            escalation_id=escalation_id, notifier=redirect[0], endpoint=redirect[1], **fresh)
            .returning(D.id)).scalar_one())
    return chained(conn, ids)


# --- reading and acknowledging --------------------------------------------------------------

def _late(batch: str, states: Sequence[str], region: str | None,
          reach: Within) -> list[ColumnElement[bool]]:
    """The condition on projects of `batch` (in `region`, within `reach`) in one of `states`."""
    conditions = [P.batch == batch, P.state.in_(states)]
    if region is not None:
        conditions.append(P.region == region)
    if (condition := within(reach)) is not None:
        conditions.append(condition)
    return conditions


def overdue(conn: Connection, batch: str, phase: str, states: Sequence[str],
            region: str | None, reach: Within = None) -> Iterator[Any]:
    """The projects of `batch` (in `region`, within a reader's `reach`) in one of `phase`'s
    overdue `states`, unordered, each with the highest level on record for the phase
    (`reached`) and whether one of its escalations of the phase was acknowledged (`acked`)."""
    mine = (E.project_id == P.id, E.phase == phase)
    q = select(
        P.id, P.title, P.enterprise, P.region, P.state,
        select(func.max(E.level)).where(*mine).scalar_subquery().label("reached"),
        exists().where(*mine, E.acked_at.is_not(None)).label("acked"),
    ).where(*_late(batch, states, region, reach))
    return conn.execute(q)


def overdue_counts(conn: Connection, batch: str, states: Sequence[str],
                   region: str | None) -> dict[str, int]:
    """How many projects of `batch` (in `region`) are in one of `states`, by region."""
    q = (select(P.region, func.count()).where(*_late(batch, states, region, None))
         .group_by(P.region))
    return {code: n for code, n in conn.execute(q).all()}


def listed(conn: Connection, *, open_only: bool, failed_only: bool, project_id: int | None,
           limit: int | None, offset: int, reach: Within = None
           ) -> tuple[list[Any], list[Any]]:
    """Escalations oldest first, and the deliveries of those, in id order. `open_only`:
    neither acknowledged nor resolved; `failed_only`: with a delivery that failed for good;
    `reach`: only those of projects a reader may read."""
    q = select(escalation_table).order_by(E.id)
    if (condition := within(reach)) is not None:
        q = q.where(E.project_id.in_(select(P.id).where(condition)))
    if open_only:
        q = q.where(E.acked_at.is_(None), E.resolved_at.is_(None))
    if failed_only:
        q = q.where(exists().where(D.escalation_id == E.id, D.status == "failed"))
    if project_id is not None:
        q = q.where(E.project_id == project_id)
    if limit is not None:
        q = q.limit(limit)
    if offset:
        q = q.offset(offset)
    rows = list(conn.execute(q).all())
    chosen = q.with_only_columns(E.id).subquery()
    deliveries = list(conn.execute(select(delivery_table)
                                   .where(D.escalation_id.in_(select(chosen.c.id)))
                                   .order_by(D.id)).all())
    return rows, deliveries


def recorded(conn: Connection, escalation_id: int) -> bool:
    """Is there an escalation with this id?"""
    return conn.execute(select(E.id).where(E.id == escalation_id)).first() is not None


def one(conn: Connection, escalation_id: int) -> Any | None:
    return conn.execute(select(escalation_table).where(E.id == escalation_id)).first()


def deliveries(conn: Connection, escalation_id: int) -> list[Any]:
    """The deliveries of one escalation, in id order."""
    return list(conn.execute(select(delivery_table)
                             .where(D.escalation_id == escalation_id).order_by(D.id)).all())


def acknowledge(conn: Connection, escalation_id: int, values: dict[str, Any]) -> bool:
    """Write the acknowledgement `values` unless the escalation has one; did it?"""
    return conn.execute(
        update(escalation_table)
        .where(E.id == escalation_id, E.acked_at.is_(None)).values(**values)
    ).rowcount == 1


# --- read by the record's check -------------------------------------------------------------

def every(conn: Connection, columns: Sequence[str]) -> Iterator[Any]:
    """The named columns of every escalation, in id order, fetched a chunk at a time."""
    return conn.execute(select(*(E[c] for c in columns)).order_by(E.id)
                        .execution_options(yield_per=CHUNK))


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count(E.id))).scalar_one())


def unseen(conn: Connection) -> Iterator[Any]:
    """The escalations, in id order, whose project does not exist (`found` is None) or never
    went into the state the escalation says it saw."""
    went_through = exists().where(T.project_id == E.project_id, T.to_state == E.state_seen)
    return conn.execute(
        select(E.id, E.project_id, E.state_seen, P.id.label("found"))
        .outerjoin(project_table, P.id == E.project_id)
        .where(or_(P.id.is_(None), ~went_through)).order_by(E.id))


def every_delivery(conn: Connection) -> Iterator[Any]:
    """Every delivery as the outbox chain records it, with the entry it names (`proved_in`),
    in id order, fetched a chunk at a time."""
    return conn.execute(select(*_CHAINED, D.proved_in).order_by(D.id)
                        .execution_options(yield_per=CHUNK))


def without_delivery(conn: Connection, first: int, last: int, notifier: str) -> list[int]:
    """The escalations with ids from `first` to `last` that have no delivery by `notifier`."""
    has_one = exists().where(D.escalation_id == E.id, D.notifier == notifier)
    return list(conn.execute(select(E.id).where(E.id.between(first, last), ~has_one)
                             .order_by(E.id)).scalars())


def lost_deliveries(conn: Connection) -> Iterator[Any]:
    """The deliveries whose escalation does not exist."""
    return conn.execute(select(D.id, D.escalation_id).outerjoin(
        escalation_table, E.id == D.escalation_id).where(E.id.is_(None)))
