"""Answers kept for requests that carried an Idempotency-Key: a retry with the same key gets the
first answer again and changes nothing.

A key is claimed before its request is served, in its own transaction, so that of two requests
with one key only one is served; the other sees it in progress (or, once done, its answer). A
key used for a different request is a mismatch. An answer is kept for `RETAIN` after its claim;
a claim left unanswered for `LEASE` (its server died mid-request) may be taken again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy import Engine as SAEngine
from sqlalchemy.exc import IntegrityError

from accel666 import models

R = models.served_request_table.c
RETAIN = timedelta(hours=24)
LEASE = timedelta(seconds=60)

Outcome = Literal["new", "replay", "mismatch", "in_progress"]


@dataclass(frozen=True)
class Claim:
    """What claiming a key found: `new` (serve it, then `complete` or `release`), `replay`
    (the kept answer: status, headers, body), `mismatch` (the key came with another request)
    or `in_progress` (another request with this key is being served)."""

    outcome: Outcome
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@models.retry_when_busy
def claim(db: SAEngine, scope: str, key: str, fingerprint: str, now: datetime) -> Claim:
    """Claim `key` of `scope` for the request whose digest is `fingerprint`."""
    try:
        return _claim(db, scope, key, fingerprint, now)
    except IntegrityError:  # another claimed the same new key at the same moment: it won
        return _claim(db, scope, key, fingerprint, now)


def _claim(db: SAEngine, scope: str, key: str, fingerprint: str, now: datetime) -> Claim:
    where = (R.scope == scope, R.key == key)
    with models.writing(db) as conn:
        _forget(conn, now)  # what is past keeping goes as new keys come (an indexed delete)
        row = conn.execute(select(models.served_request_table).where(*where)
                           .with_for_update()).first()
        abandoned = row is not None and row.status is None and row.claimed_at <= now - LEASE
        if row is None or abandoned:
            if row is not None:
                conn.execute(delete(models.served_request_table).where(*where))
            conn.execute(insert(models.served_request_table).values(
                scope=scope, key=key, fingerprint=fingerprint, claimed_at=now))
            return Claim("new")
        if row.fingerprint != fingerprint:
            return Claim("mismatch")
        if row.status is None:
            return Claim("in_progress")
        return Claim("replay", row.status, json.loads(row.headers or "{}"), row.body or b"")


@models.retry_when_busy
def complete(db: SAEngine, scope: str, key: str, status: int, headers: dict[str, str],
             body: bytes) -> None:
    """Keep the answer served for the claimed key."""
    with models.writing(db) as conn:
        conn.execute(update(models.served_request_table)
                     .where(R.scope == scope, R.key == key, R.status.is_(None))
                     .values(status=status, headers=json.dumps(headers), body=body))


@models.retry_when_busy
def release(db: SAEngine, scope: str, key: str) -> None:
    """Give up the claim (the request was not served): the key may be used again."""
    with models.writing(db) as conn:
        conn.execute(delete(models.served_request_table)
                     .where(R.scope == scope, R.key == key, R.status.is_(None)))


@models.retry_when_busy
def forget(db: SAEngine, now: datetime) -> int:
    """Drop the answers kept longer than RETAIN (claiming a key does it too); how many."""
    with models.writing(db) as conn:
        return _forget(conn, now)


def _forget(conn: Connection, now: datetime) -> int:
    return int(conn.execute(delete(models.served_request_table)
                            .where(R.claimed_at <= now - RETAIN)).rowcount)
