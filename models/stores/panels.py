"""The panels: each expert's seat on a project's panel, its recusal and its score."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, insert, select, update

from accel666.models.stores import CHUNK
from accel666.models.tables import expert_table, panel_seat_table, project_table

S = panel_seat_table.c
X = expert_table.c
COLUMNS = ("id", "project_id", "expert", "assigned_at", "assigned_by", "recused_at",
           "recuse_reason", "score", "comment", "scored_at")


def seats(conn: Connection, project_id: int) -> list[Any]:
    """The project's seats, recused ones included, in the order they were assigned, each with
    its expert's name (None for a key the registry does not hold)."""
    q = (select(*(S[c] for c in COLUMNS), X.name.label("expert_name"))
         .outerjoin(expert_table, X.key == S.expert)
         .where(S.project_id == project_id).order_by(S.id))
    return list(conn.execute(q).all())


def seat(conn: Connection, project_id: int, expert: str) -> Any | None:
    """The expert's seat on the project's panel (recused or not), or None."""
    return conn.execute(select(*(S[c] for c in COLUMNS)).where(
        S.project_id == project_id, S.expert == expert)).first()


def insert_all(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Record new seats; their ids, in the order of `rows`."""
    return [int(conn.execute(insert(panel_seat_table).values(**r).returning(S.id))
                .scalar_one()) for r in rows]


def set_fields(conn: Connection, seat_id: int, values: dict[str, Any]) -> None:
    """Write a recusal or a score on a seat."""
    conn.execute(update(panel_seat_table).where(S.id == seat_id).values(**values))


def seated(expert: str) -> Any:
    """The ids of the projects on whose panels `expert` sits (not recused), as a subquery."""
    return select(S.project_id).where(S.expert == expert, S.recused_at.is_(None))


def to_score(conn: Connection, expert: str, state: str) -> list[Any]:
    """The projects in `state` on whose panels `expert` sits (not recused) and has not scored,
    by id: an expert's work."""
    P = project_table.c
    q = (select(project_table).join(panel_seat_table, S.project_id == P.id)
         .where(S.expert == expert, S.recused_at.is_(None), S.score.is_(None),
                P.state == state).order_by(P.id))
    return list(conn.execute(q).all())


def sits_on(conn: Connection, project_id: int, expert: str) -> bool:
    """Does `expert` sit on the project's panel (not recused)?"""
    row = seat(conn, project_id, expert)
    return row is not None and row.recused_at is None


# Read by the record's check.

def every(conn: Connection) -> Iterator[Any]:
    """Every seat, by id, fetched a chunk at a time."""
    return conn.execute(select(*(S[c] for c in COLUMNS)).order_by(S.id)
                        .execution_options(yield_per=CHUNK))


def live_seats_under_review(conn: Connection, batch: str | None, region: str | None,
                            state: str) -> list[Any]:
    """(project id, expert, score, batch) of every live seat on the panels of projects in
    `state`, of `batch` and `region` (or all): what the report counts of the panels at work."""
    P = project_table.c
    q = (select(S.project_id, S.expert, S.score, P.batch)
         .join(project_table, P.id == S.project_id)
         .where(S.recused_at.is_(None), P.state == state))
    if batch is not None:
        q = q.where(P.batch == batch)
    if region is not None:
        q = q.where(P.region == region)
    return list(conn.execute(q).all())


def awaited(conn: Connection, project_ids: Sequence[int]) -> dict[int, list[str]]:
    """The experts seated (not recused) on each project's panel who have not scored, by
    project, in the order they were seated: whom a review escalation names."""
    q = (select(S.project_id, S.expert)
         .where(S.project_id.in_(list(dict.fromkeys(project_ids))), S.recused_at.is_(None),
                S.score.is_(None)).order_by(S.project_id, S.id))
    found: dict[int, list[str]] = {}
    for pid, expert in conn.execute(q):
        found.setdefault(pid, []).append(expert)
    return found
