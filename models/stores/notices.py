"""Public notices and objections: the notices of a batch and the projects each announced, the
notice a project is under, the objections received and their resolutions, and every row for
the record's check."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from accel666.models.stores import CHUNK
from accel666.models.tables import (
    notice_project_table,
    notice_table,
    objection_table,
    project_table,
)

N = notice_table.c
NP = notice_project_table.c
O = objection_table.c  # noqa: E741 (the table's alias, as P and L are elsewhere)
P = project_table.c

NOTICE = ("id", "batch", "started_at", "closes_at", "started_by", "role", "contact")
OBJECTION = ("id", "project_id", "notice_id", "name", "unit", "text", "received_at",
             "recorded_by", "outcome", "reason", "resolved_at", "resolved_by")
# What the public may read of a project announced: never scores, opinions or documents.
PUBLIC = ("id", "title", "enterprise", "credit_code", "region", "category", "batch", "state")


def insert_notice(conn: Connection, values: dict[str, Any], project_ids: Sequence[int]) -> int:
    """Record a notice and the projects it announces; its id."""
    new_id = int(conn.execute(insert(notice_table).values(**values).returning(N.id))
                 .scalar_one())
    conn.execute(insert(notice_project_table),
                 [{"project_id": pid, "notice_id": new_id} for pid in project_ids])
    return new_id


def unannounced(conn: Connection, batch: str, state: str) -> list[int]:
    """The ids of the batch's projects in `state` that no notice announced yet, in id order."""
    announced = select(NP.project_id)
    return list(conn.execute(select(P.id).where(P.batch == batch, P.state == state,
                                                P.id.not_in(announced))
                             .order_by(P.id)).scalars())


def notices(conn: Connection, batch: str | None = None) -> list[Any]:
    """The notices (of `batch`), oldest first."""
    query = select(notice_table).order_by(N.id)
    if batch is not None:
        query = query.where(N.batch == batch)
    return list(conn.execute(query).all())


def notice(conn: Connection, notice_id: int) -> Any | None:
    return conn.execute(select(notice_table).where(N.id == notice_id)).first()


def notice_of(conn: Connection, project_id: int) -> Any | None:
    """The notice that announced the project, if one did."""
    return conn.execute(select(notice_table).join(notice_project_table, NP.notice_id == N.id)
                        .where(NP.project_id == project_id)).first()


def announced(conn: Connection, notice_ids: Sequence[int]) -> list[Any]:
    """The public fields of the projects the notices announced, with their notice's id, by
    notice then project."""
    if not notice_ids:
        return []
    return list(conn.execute(
        select(NP.notice_id, *(P[c] for c in PUBLIC))
        .join(project_table, P.id == NP.project_id)
        .where(NP.notice_id.in_(notice_ids)).order_by(NP.notice_id, P.id)).all())


def published(conn: Connection, batch: str) -> list[Any]:
    """The public fields of the batch's published projects, by id."""
    return list(conn.execute(select(*(P[c] for c in PUBLIC))
                             .where(P.batch == batch, P.state == "published")
                             .order_by(P.id)).all())


def insert_objection(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(insert(objection_table).values(**values).returning(O.id))
               .scalar_one())


def objection(conn: Connection, objection_id: int) -> Any | None:
    return conn.execute(select(objection_table).where(O.id == objection_id)).first()


def resolve(conn: Connection, objection_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(objection_table).where(O.id == objection_id).values(**values))


def objections(conn: Connection, *, batch: str | None = None,
               notice_ids: Sequence[int] | None = None,
               project_id: int | None = None) -> list[Any]:
    """The objections, oldest first, narrowed to a batch, to notices or to a project."""
    query = select(objection_table).order_by(O.id)
    if batch is not None:
        query = query.join(notice_table, N.id == O.notice_id).where(N.batch == batch)
    if notice_ids is not None:
        query = query.where(O.notice_id.in_(notice_ids))
    if project_id is not None:
        query = query.where(O.project_id == project_id)
    return list(conn.execute(query).all())


def open_objections_by_batch(conn: Connection, batch: str | None, region: str | None
                             ) -> dict[str, int]:
    """How many objections are not resolved yet, by the batch of their notice, over the
    projects of `batch` and `region` (or all)."""
    query = (select(N.batch, func.count(O.id)).join(notice_table, N.id == O.notice_id)
             .join(project_table, P.id == O.project_id).where(O.outcome.is_(None))
             .group_by(N.batch))
    if batch is not None:
        query = query.where(N.batch == batch)
    if region is not None:
        query = query.where(P.region == region)
    return {key: n for key, n in conn.execute(query).all()}


def open_objections(conn: Connection, project_id: int) -> int:
    """How many of the project's objections are not resolved yet."""
    return int(conn.execute(select(func.count()).select_from(objection_table)
                            .where(O.project_id == project_id, O.outcome.is_(None)))
               .scalar_one())


# Read by the record's check.

def every_notice(conn: Connection) -> Iterator[Any]:
    return conn.execute(select(notice_table).order_by(N.id).execution_options(yield_per=CHUNK))


def every_announcement(conn: Connection) -> Iterator[Any]:
    return conn.execute(select(notice_project_table).order_by(NP.project_id)
                        .execution_options(yield_per=CHUNK))


def every_objection(conn: Connection) -> Iterator[Any]:
    return conn.execute(select(objection_table).order_by(O.id)
                        .execution_options(yield_per=CHUNK))
