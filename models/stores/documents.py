"""Documents: the electronic documents filed with applications, their bytes in the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from accel666.models import compiled
from accel666.models.stores import CHUNK
from accel666.models.tables import document_table, project_table

D = document_table.c

# Run in the transaction of an apply (the hot path): compiled once per dialect.
_INSERT = insert(document_table).returning(D.id)


def insert_one(conn: Connection, project_id: int, *, name: str, size: int, sha256: str,
               content: bytes, uploaded_at: datetime) -> int:
    """Keep a document filed with the project's application; its id."""
    return int(compiled.one(conn, _INSERT, {
        "project_id": project_id, "name": name, "size": size, "sha256": sha256,
        "content": content, "uploaded_at": uploaded_at}).id)


def latest(conn: Connection, project_id: int) -> Any | None:
    """The project's latest document, or None."""
    return conn.execute(
        select(document_table).where(D.project_id == project_id).order_by(D.id.desc()).limit(1)
    ).first()


# Read by the record's check.

def orphans(conn: Connection) -> Iterator[Any]:
    """The documents (id, project_id) whose project does not exist."""
    project = project_table.c
    return conn.execute(select(D.id, D.project_id)
                        .outerjoin(project_table, project.id == D.project_id)
                        .where(project.id.is_(None)))


def every(conn: Connection) -> Iterator[Any]:
    """Every document, by id, fetched a chunk at a time."""
    return conn.execute(select(document_table).order_by(D.id).execution_options(yield_per=CHUNK))
