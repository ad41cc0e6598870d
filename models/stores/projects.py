"""Projects and their transition log: loading one, inserting new ones, the compare-and-set of a
state change and its log row, the chain heads, and the reads over them (lists, counts, the
live project an enterprise holds), each list narrowed to one reader's reach when asked.

The statements a state change and a dock run are built once and run through
`models.compiled` (compiled once per dialect, executed on the driver); the others through
`Connection.execute`, which reuses their compiled form.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeAlias

from sqlalchemy import ColumnElement, Connection, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from accel666.errors import Conflict
from accel666.models import compiled
from accel666.models.escalations import escalation_table
from accel666.models.stores import CHUNK, panels
from accel666.models.tables import LIVE, project_table, transition_table

P = project_table.c
T = transition_table.c
E = escalation_table.c

# The live-project key an insert may run into, by its index name (PostgreSQL) or, on SQLite,
# by the columns it names.
LIVE_KEY = "uq_accel666_project_live"
# The enterprises whose live projects one query looks up.
LIVE_CODES_PER_QUERY = 500
# The columns a list may be sorted by.
SORTS = ("id", "title", "enterprise", "credit_code", "region", "category", "batch", "state",
         "created_at", "updated_at")
# The columns a reader's reach narrows lists by: a city bureau's region, an enterprise's code.
# A reach is (column, value), or None for a reader of every project; ("panel", KEY) is the
# projects on whose panels the expert KEY sits.
REACHED_BY = ("region", "credit_code")
PANEL = "panel"
Within: TypeAlias = tuple[str, str] | None

_LOAD = select(project_table).where(P.id == bindparam("pid"))
_LIVE_HOLDER = select(P.id).where(
    P.credit_code == bindparam("code"), P.category == bindparam("category"),
    P.batch == bindparam("batch"), LIVE)
# Ids come back in the order of the rows given, however many one statement inserts.
_INSERT = insert(project_table).returning(P.id, sort_by_parameter_order=True)
_CAS = update(project_table).where(P.id == bindparam("pid"), P.version == bindparam("expected"))
_SET_HEAD = update(project_table).where(P.id == bindparam("pid"))
_LOG = insert(transition_table)


def load(conn: Connection, project_id: int) -> Any | None:
    """The project's row, or None."""
    return compiled.first(conn, _LOAD, {"pid": project_id})


def insert_new(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert new projects, one statement for them all; their ids, in the order of `rows`.
    `IntegrityError` if one breaks the live-project key (see `is_live_key_violation`)."""
    if len(rows) == 1:
        return [int(compiled.one(conn, _INSERT, rows[0]).id)]
    if not rows:
        return []
    return [int(r.id) for r in conn.execute(_INSERT, list(rows))]


def compare_and_set(
    conn: Connection, event: str, project_id: int, version: int, values: dict[str, Any]
) -> None:
    """Move the project from `version` to `version + 1`, or raise `Conflict` if it moved on."""
    done = compiled.execute(
        conn, _CAS, {"pid": project_id, "expected": version, "version": version + 1, **values})
    if done != 1:
        raise Conflict(event, project_id, version)


def set_heads(conn: Connection, heads: Sequence[tuple[int, str]]) -> None:
    """Point just-inserted projects (id, hash) at the hash of their first log row."""
    if len(heads) == 1:
        compiled.execute(conn, _SET_HEAD, {"pid": heads[0][0], "head_hash": heads[0][1]})
    elif heads:
        conn.execute(_SET_HEAD, [{"pid": pid, "head_hash": head} for pid, head in heads])


def log(conn: Connection, values: dict[str, Any]) -> None:
    """Append one row to the transition log."""
    compiled.execute(conn, _LOG, values)


def log_all(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Append rows to the transition log, one statement for them all."""
    if len(rows) == 1:
        log(conn, rows[0])
    elif rows:
        conn.execute(_LOG, list(rows))


def is_live_key_violation(exc: IntegrityError) -> bool:
    """Was the insert refused by the one-live-project-per-enterprise key?"""
    text = str(exc.orig)
    return LIVE_KEY in text or "accel666_project.credit_code" in text


def live_holder(conn: Connection, credit_code: str, category: str, batch: str) -> int | None:
    """The id of the enterprise's live project in this category and batch, if there is one."""
    return conn.execute(_LIVE_HOLDER,
                        {"code": credit_code, "category": category, "batch": batch}).scalar()


def live_holders(conn: Connection, batch: str, codes: Sequence[str]
                 ) -> dict[tuple[str, str], int]:
    """The live projects of `batch` these enterprises hold, by (credit code, category)."""
    held: dict[tuple[str, str], int] = {}
    for start in range(0, len(codes), LIVE_CODES_PER_QUERY):
        q = select(P.credit_code, P.category, P.id).where(
            P.batch == batch, P.credit_code.in_(codes[start:start + LIVE_CODES_PER_QUERY]),
            LIVE)
        held.update({(c, cat): pid for c, cat, pid in conn.execute(q)})
    return held


def history(conn: Connection, project_id: int) -> list[Any]:
    """The project's log rows, oldest first."""
    return list(
        conn.execute(
            select(transition_table).where(T.project_id == project_id).order_by(T.seq)
        ).all()
    )


def within(reach: Within) -> ColumnElement[bool] | None:
    """The condition a reader's reach puts on projects: its `column` (one of REACHED_BY)
    holds its value; None for a reader of every project."""
    if reach is None:
        return None
    column, value = reach
    if column == PANEL:
        return P.id.in_(panels.seated(value))
    if column not in REACHED_BY:
        raise ValueError(f"a reach narrows by one of {', '.join(REACHED_BY)}, not {column!r}")
    return P[column] == value


def find(
    conn: Connection,
    *,
    state: str | None = None,
    region: str | None = None,
    category: str | None = None,
    batch: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    sort: str = "id",
    descending: bool = False,
    search: str | None = None,
    reach: Within = None,
) -> list[Any]:
    """Projects narrowed by the filters, by `search` (a substring of the title, the
    enterprise or the credit code, case-insensitive) and to a reader's `reach`, ordered by
    `sort` then id (the page, `limit` after `offset`, is cut from what the reader may read)."""
    key = P[sort]
    q = select(project_table).order_by(key.desc() if descending else key, P.id)
    if (condition := within(reach)) is not None:
        q = q.where(condition)
    for column, value in ((P.state, state), (P.region, region), (P.category, category),
                          (P.batch, batch)):
        if value is not None:
            q = q.where(column == value)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        q = q.where(or_(P.title.ilike(pattern, escape="\\"),
                        P.enterprise.ilike(pattern, escape="\\"),
                        P.credit_code.ilike(pattern, escape="\\")))
    if limit is not None:
        q = q.limit(limit)
    if offset:
        q = q.offset(offset)
    return list(conn.execute(q).all())


def values_used(conn: Connection, column: str) -> list[Any]:
    """The values projects on record hold in `column` (batch, region, category), ascending."""
    used = P[column]
    return list(conn.execute(select(used).group_by(used).order_by(used)).scalars())


def _narrowed(query: Any, batch: str | None, region: str | None) -> Any:
    if batch is not None:
        query = query.where(P.batch == batch)
    if region is not None:
        query = query.where(P.region == region)
    return query


def counts(conn: Connection, batch: str | None, region: str | None) -> list[Any]:
    """(region, category, state, projects) for every combination that has any, over the
    projects of `batch` and `region` (or all)."""
    q = select(P.region, P.category, P.state, func.count()).group_by(
        P.region, P.category, P.state)
    return list(conn.execute(_narrowed(q, batch, region)).all())


def review_payloads(conn: Connection, batch: str | None, region: str | None) -> list[Any]:
    """(payload, batch) of every review in the log, over the projects of `batch` and `region`
    (or all): what the report counts as passed, failed and overridden."""
    q = (select(T.payload, P.batch).join(project_table, P.id == T.project_id)
         .where(T.event == "review"))
    return list(conn.execute(_narrowed(q, batch, region)).all())


def open_escalations(conn: Connection, batch: str | None, region: str | None
                     ) -> dict[str, int]:
    """Escalations neither acknowledged nor resolved, by the region of their project, over
    the projects of `batch` and `region` (or all)."""
    q = (select(P.region, func.count(E.id)).join(project_table, P.id == E.project_id)
         .where(E.acked_at.is_(None), E.resolved_at.is_(None)).group_by(P.region))
    return {code: n for code, n in conn.execute(_narrowed(q, batch, region)).all()}


# Read by the record's check.

def heads(conn: Connection) -> Iterator[Any]:
    """Every project's id, version and chain head, by id, fetched a chunk at a time."""
    return conn.execute(select(P.id, P.version, P.head_hash).order_by(P.id)
                        .execution_options(yield_per=CHUNK))


def every(conn: Connection) -> Iterator[Any]:
    """Every project, by id, fetched a chunk at a time."""
    return conn.execute(select(project_table).order_by(P.id).execution_options(yield_per=CHUNK))


def every_log_row(conn: Connection) -> Iterator[Any]:
    """Every row of the transition log, project by project (by id), each in seq order,
    fetched a chunk at a time."""
    return conn.execute(select(transition_table).order_by(T.project_id, T.seq)
                        .execution_options(yield_per=CHUNK))


def log_rows_of(conn: Connection, batches: Sequence[str]) -> Iterator[Any]:
    """The transition log of the projects of `batches`, each row with its project's batch,
    region and credit code, project by project (by id), each in seq order, fetched a chunk at
    a time: the decisions `policy apply` replays."""
    return conn.execute(
        select(transition_table, P.batch, P.region, P.credit_code)
        .join(project_table, P.id == T.project_id).where(P.batch.in_(batches))
        .order_by(T.project_id, T.seq).execution_options(yield_per=CHUNK))
