"""Sessions: an operator signed in once, for a while, without its token being kept anywhere.

A session is a random id (43 URL-safe characters) that only its holder keeps; the database
keeps its SHA-256, the operator it acts for and when it ends. It lets no one in once it has
expired, once it was ended (signing out) or once its operator was revoked (revoking an
operator ends its sessions, and a session of a revoked operator is refused even so).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.errors import InvalidInput, Unauthenticated
from accel666.models.stores import operators as operator_store
from accel666.models.stores import sessions as store
from accel666.workflow import logs
from accel666.workflow.operators import Operator

log = logs.get_logger("accel666.sessions")
ID_BYTES = 32  # secrets.token_urlsafe(32): 43 characters
_ID = re.compile(r"[A-Za-z0-9_-]{43}")


def digest(session_id: str) -> str:
    """The SHA-256 of a session id, in hex: what the database keeps of it."""
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()


class Sessions:
    """Opens, finds and ends the sessions kept in `db`."""

    def __init__(self, db: SAEngine) -> None:
        self.db = db

    def open(self, operator: Operator, *, now: datetime, lasting: timedelta) -> str:
        """A new session of `operator`, ending `lasting` after `now`: its id, the one time it
        is seen. The sessions already past their end are forgotten."""
        if lasting <= timedelta(0):
            raise InvalidInput("session lifetime", "must be more than nothing", str(lasting))
        session_id = secrets.token_urlsafe(ID_BYTES)
        with models.writing(self.db) as conn:
            store.forget(conn, now)
            store.insert_one(conn, id_sha256=digest(session_id), operator_id=operator.id,
                             created_at=now, expires_at=now + lasting)
        log.info("session_opened", operator=operator.name, until=(now + lasting).isoformat())
        return session_id

    def operator(self, session_id: str | None, *, now: datetime) -> Operator:
        """The operator the session acts for; Unauthenticated (reason missing, malformed,
        unknown, expired, ended or revoked) when it lets no one in."""
        if not session_id:
            raise Unauthenticated("missing")
        if _ID.fullmatch(session_id) is None:
            raise Unauthenticated("malformed")
        with models.reading(self.db) as conn:
            row = store.find(conn, digest(session_id))
        if row is None:
            raise Unauthenticated("unknown")
        if row.ended_at is not None:
            raise Unauthenticated("ended")
        if row.expires_at <= now:
            raise Unauthenticated("expired")
        if row.revoked_at is not None:
            raise Unauthenticated("revoked")
        return Operator(**{c: getattr(row, c) for c in operator_store.COLUMNS})

    def end(self, session_id: str, *, now: datetime) -> bool:
        """End the session (signing out): did one end?"""
        if _ID.fullmatch(session_id) is None:
            return False
        with models.writing(self.db) as conn:
            ended = store.end(conn, digest(session_id), now) == 1
        if ended:
            log.info("session_ended", at=now.isoformat())
        return ended
