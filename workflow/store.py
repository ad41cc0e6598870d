"""The engine's SQL, in SQLAlchemy Core: reads, and the writes of one state change."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from accel666.errors import Conflict
from accel666.models import (
    LIVE,
    compiled,
    document_table,
    extension_table,
    project_table,
    transition_table,
)
from accel666.workflow.changes.inputs import DocumentInput

P = project_table.c
T = transition_table.c
D = document_table.c
X = extension_table.c

# The hot path's statements, built once. Those of a state change run through
# `models.compiled` (compiled once per dialect, executed on the driver); the rest through
# `Connection.execute`, which reuses their compiled form.
_LOAD = select(project_table).where(P.id == bindparam("pid"))
_LIVE_DUPLICATE = select(P.id).where(
    P.credit_code == bindparam("code"), P.category == bindparam("category"),
    P.batch == bindparam("batch"), LIVE)
# Revoked extensions count no more.
_EXTENDED = select(func.max(X.until)).where(X.batch == bindparam("batch"),
                                            X.phase == bindparam("phase"),
                                            X.revoked_at.is_(None))
_INSERT_PROJECT = insert(project_table).returning(P.id)
_CAS = update(project_table).where(P.id == bindparam("pid"), P.version == bindparam("expected"))
_SET_HEAD = update(project_table).where(P.id == bindparam("pid"))
_LOG = insert(transition_table)
_INSERT_DOCUMENT = insert(document_table).returning(D.id)


def load_project(conn: Connection, project_id: int) -> Any | None:
    return compiled.first(conn, _LOAD, {"pid": project_id})


def live_duplicate(conn: Connection, credit_code: str, category: str, batch: str) -> int | None:
    """The id of the enterprise's live project in this category and batch, if there is one."""
    return conn.execute(_LIVE_DUPLICATE,
                        {"code": credit_code, "category": category, "batch": batch}).scalar()


def extended_until(conn: Connection, batch: str, phase: str) -> date | None:
    return conn.execute(_EXTENDED, {"batch": batch, "phase": phase}).scalar()


def all_extensions(conn: Connection) -> dict[tuple[str, str], date]:
    rows = conn.execute(
        select(X.batch, X.phase, func.max(X.until)).where(X.revoked_at.is_(None))
        .group_by(X.batch, X.phase)
    ).all()
    return {(b, p): u for b, p, u in rows}


def insert_project(conn: Connection, values: dict[str, Any]) -> int:
    """Insert a new project at version 1; `IntegrityError` if it breaks the live-project key."""
    return int(compiled.one(conn, _INSERT_PROJECT, values).id)


def compare_and_set(
    conn: Connection, event: str, project_id: int, version: int, values: dict[str, Any]
) -> None:
    """Move the project from `version` to `version + 1`, or raise `Conflict` if it moved on."""
    done = compiled.execute(
        conn, _CAS, {"pid": project_id, "expected": version, "version": version + 1, **values})
    if done != 1:
        raise Conflict(event, project_id, version)


def set_head(conn: Connection, project_id: int, head_hash: str) -> None:
    """Point a just-inserted project at the hash of its first log row."""
    compiled.execute(conn, _SET_HEAD, {"pid": project_id, "head_hash": head_hash})


def log(conn: Connection, values: dict[str, Any]) -> None:
    compiled.execute(conn, _LOG, values)


def insert_document(
    conn: Connection, project_id: int, doc: DocumentInput, now: datetime
) -> int:
    return int(compiled.one(conn, _INSERT_DOCUMENT, {
        "project_id": project_id, "name": doc.name, "size": doc.size, "sha256": doc.sha256,
        "content": doc.content, "uploaded_at": now}).id)


def latest_document(conn: Connection, project_id: int) -> Any | None:
    return conn.execute(
        select(document_table).where(D.project_id == project_id).order_by(D.id.desc()).limit(1)
    ).first()


def insert_extension(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(insert(extension_table).values(**values).returning(X.id)).scalar_one())


def extensions(conn: Connection, batch: str | None = None,
               extension_id: int | None = None) -> list[Any]:
    """Extensions on record, oldest first, revoked ones included."""
    query = select(extension_table).order_by(X.id)
    if batch is not None:
        query = query.where(X.batch == batch)
    if extension_id is not None:
        query = query.where(X.id == extension_id)
    return list(conn.execute(query).all())


def revoke_extension(conn: Connection, extension_id: int, values: dict[str, Any]) -> list[int]:
    """Mark an extension, and those its act carried along, revoked; the ids, ascending."""
    return sorted(conn.execute(
        update(extension_table)
        .where((X.id == extension_id) | (X.follows == extension_id), X.revoked_at.is_(None))
        .values(**values).returning(X.id)
    ).scalars())


def history(conn: Connection, project_id: int) -> list[Any]:
    return list(
        conn.execute(
            select(transition_table).where(T.project_id == project_id).order_by(T.seq)
        ).all()
    )


SORTS = ("id", "title", "enterprise", "credit_code", "region", "category", "batch", "state",
         "created_at", "updated_at")


def projects(
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
) -> list[Any]:
    """Projects narrowed by the filters and by `search` (a substring of the title, the
    enterprise or the credit code, case-insensitive), ordered by `sort` then id."""
    key = P[sort]
    q = select(project_table).order_by(key.desc() if descending else key, P.id)
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


def is_live_key_violation(exc: IntegrityError) -> bool:
    """Was the insert refused by the one-live-project-per-enterprise key?"""
    text = str(exc.orig)
    return "uq_accel666_project_live" in text or "accel666_project.credit_code" in text
