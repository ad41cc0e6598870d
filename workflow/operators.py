"""Operators: who may act through the service, each with a token of its own.

The province grants a name a role, `ROLE[:SCOPE]` as typed after `--as` and checked as any
actor's (a city's region resolved to its code, an enterprise's credit code validated). The
token, `a666_` and 43 URL-safe characters, is shown once: only its SHA-256 is stored, and
`authenticate` finds its operator by that digest in one indexed query. Granting and revoking
are acts of the ledger's `operators` chain, which `verify` replays against the rows. A name is
never reused, not even once its operator is revoked, so that the record names one identity.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.errors import InvalidInput, NotFound, Refused, Unauthenticated
from accel666.models.stores import operators, sessions
from accel666.policies import Policy
from accel666.record import chain, ledger, proofs
from accel666.workflow import logs
from accel666.workflow.actor import Actor
from accel666.workflow.changes import audit, inputs
from accel666.workflow.changes.guards import resolve_actor

log = logs.get_logger("accel666.operators")
NAME_PUNCTUATION = "._-·"  # beside letters and digits; · as in 阿卜杜·热合曼
TOKEN_PREFIX = "a666_"
TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 characters
_TOKEN = re.compile(r"a666_[A-Za-z0-9_-]{43}")
_TOKEN_LENGTH = len(TOKEN_PREFIX) + 43
GRANTOR_ROLE = "province"  # granting and revoking are acts of the province


@dataclass(frozen=True)
class Operator:
    """An operator: its name, the role (and scope) it acts in, who granted it and when, and
    who revoked it, when and why if it was revoked. It never carries its token."""

    id: int
    name: str
    role: str
    scope: str | None
    granted_at: datetime
    granted_by: str
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revoke_reason: str | None = None

    @property
    def revoked(self) -> bool:
        """Was the operator revoked (its token lets no one in)?"""
        return self.revoked_at is not None

    def actor(self) -> Actor:
        """The actor the operator acts as: its name, role and scope."""
        return Actor(name=self.name, role=self.role, scope=self.scope)

    def to_dict(self, zone: tzinfo | None = None) -> dict[str, Any]:
        """The operator as a JSON-ready document, times ISO 8601 in `zone` (default UTC).
        Neither the token nor its hash is in it."""
        def moment(value: datetime | None) -> str | None:
            return None if value is None else value.astimezone(zone or UTC).isoformat()

        return {"id": self.id, "name": self.name, "role": self.role, "scope": self.scope,
                "granted_at": moment(self.granted_at), "granted_by": self.granted_by,
                "revoked_at": moment(self.revoked_at), "revoked_by": self.revoked_by,
                "revoke_reason": self.revoke_reason}


@dataclass(frozen=True)
class IssuedToken:
    """A new operator and its token: the one time the token is seen (it is not stored, and a
    lost one is replaced by revoking the operator and adding another)."""

    operator: Operator
    token: str = field(repr=False)


def digest(token: str) -> str:
    """The SHA-256 of a token, in hex: what the database keeps of it."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def checked_name(value: object) -> str:
    """An operator's name, as people are named, in any script (王工, li.suzhou), normalised
    to NFC: 1 to 64 letters, digits, `.`, `_`, `-` or `·`, beginning with a letter or a digit,
    lower-case where the script has cases (a name has one spelling); InvalidInput otherwise,
    naming the first character refused."""
    if not isinstance(value, str):
        raise InvalidInput("name", f"expected text, got {type(value).__name__}", value)
    name = unicodedata.normalize("NFC", value)
    if not 1 <= len(name) <= 64:
        raise InvalidInput("name", f"1 to 64 characters (got {len(name)})", name[:80])
    for ch in name:
        if not (ch in NAME_PUNCTUATION or unicodedata.category(ch)[0] in "LM"
                or unicodedata.category(ch) == "Nd"):
            raise InvalidInput("name", f"letters, digits, '.', '_', '-' or '·' only: not "
                               f"{ch!r} (U+{ord(ch):04X})", name[:80])
    if unicodedata.category(name[0])[0] not in "LN":
        raise InvalidInput("name", "begins with a letter or a digit", name[:80])
    if name != name.lower():
        raise InvalidInput("name", f"lower-case letters: {name.lower()!r}, not {name!r}",
                           name[:80])
    return name


def _operator(row: Any) -> Operator:
    return Operator(**{c: getattr(row, c) for c in operators.COLUMNS})


class Operators:
    """The Engine's part that grants operators their tokens, lists and revokes them, and
    finds the operator a token belongs to."""

    def __init__(self, db: SAEngine, policy: Policy) -> None:
        self.db = db
        self.policy = policy

    def add(self, name: str, role: str, *, by: str, now: datetime) -> IssuedToken:
        """Grant `name` the role `ROLE[:SCOPE]`, recorded as an act of `by`; the new operator
        and its token."""
        who = checked_name(name)
        if not isinstance(role, str):
            raise InvalidInput("role", f"expected ROLE[:SCOPE] as text, got "
                               f"{type(role).__name__}", role)
        acting = resolve_actor(self.policy, Actor.parse(role, who))
        grantor = Actor(inputs.text("actor name", by), GRANTOR_ROLE)
        token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        values = {"name": who, "role": acting.role, "scope": acting.scope,
                  "token_sha256": digest(token), "granted_at": now,
                  "granted_by": grantor.name}
        with audit.attempt("grant", grantor, None), models.writing(self.db) as conn:
            ledger.lock(conn, ledger.OPERATORS)  # the check below and the insert, one at a time
            _refuse_taken(conn, who)
            new_id = operators.insert_one(conn, values)
            ledger.append(conn, ledger.OPERATORS, "grant", now, grantor.name, GRANTOR_ROLE,
                          chain.fields({"id": new_id, **values}, proofs.OPERATOR))
        operator = Operator(id=new_id, name=who, role=acting.role, scope=acting.scope,
                            granted_at=now, granted_by=grantor.name)
        log.info("operator_granted", name=who, role=acting.role, scope=acting.scope,
                 actor=grantor.name, at=now.isoformat())
        return IssuedToken(operator, token)

    def listed(self, include_revoked: bool = False) -> list[Operator]:
        """The operators, oldest first: those not revoked, or all with `include_revoked`."""
        if not isinstance(include_revoked, bool):
            raise InvalidInput("include revoked", "expected True or False", include_revoked)
        with models.reading(self.db) as conn:
            return [_operator(r) for r in operators.listed(conn, include_revoked)]

    def revoke(self, name: str, *, by: str, reason: str, now: datetime) -> Operator:
        """Revoke the operator `name`, recorded as an act of `by` with its reason: its token
        lets no one in from now on, and its dashboard sessions end in the same transaction."""
        who = checked_name(name)
        grantor = Actor(inputs.text("actor name", by), GRANTOR_ROLE)
        why = inputs.text("reason", reason, inputs.MAX_TEXT)
        revocation = {"revoked_at": now, "revoked_by": grantor.name, "revoke_reason": why}
        with audit.attempt("revoke", grantor, None), models.writing(self.db) as conn:
            ledger.lock(conn, ledger.OPERATORS)
            row = operators.by_name(conn, who)
            if row is None:
                raise NotFound("operator", who)
            if row.revoked_at is not None:
                raise Refused("revoke", "revoked", f"operator {who} was revoked already, at "
                              f"{row.revoked_at.isoformat()} by {row.revoked_by}",
                              facts={"name": who, "revoked_at": row.revoked_at.isoformat(),
                                     "revoked_by": row.revoked_by})
            operators.revoke(conn, row.id, revocation)
            ended = sessions.end_all_of(conn, row.id, now)
            ledger.append(conn, ledger.OPERATORS, "revoke", now, grantor.name, GRANTOR_ROLE,
                          {"id": row.id, "name": who,
                           **chain.fields(revocation, proofs.OPERATOR_REVOCATION)})
        log.info("operator_revoked", name=who, role=row.role, scope=row.scope,
                 actor=grantor.name, reason=why, sessions_ended=ended, at=now.isoformat())
        return replace(_operator(row), revoked_at=now, revoked_by=grantor.name,
                       revoke_reason=why)

    def authenticate(self, token: str) -> Operator:
        """The operator holding `token`, if it was not revoked; Unauthenticated otherwise."""
        if not isinstance(token, str) or len(token) != _TOKEN_LENGTH \
                or _TOKEN.fullmatch(token) is None:
            raise _unauthenticated("malformed")
        sha = digest(token)
        with models.reading(self.db) as conn:
            row = operators.by_digest(conn, sha)
        if row is None or not hmac.compare_digest(row.token_sha256, sha):
            raise _unauthenticated("unknown")
        if row.revoked_at is not None:
            raise _unauthenticated("revoked", row.name)
        return _operator(row)


def _refuse_taken(conn: Connection, name: str) -> None:
    row = operators.by_name(conn, name)
    if row is not None:
        state = "revoked" if row.revoked_at is not None else "live"
        raise Refused("grant", "duplicate", f"an operator named {name} exists already "
                      f"({state}; a name is never given twice)",
                      facts={"name": name, "revoked": row.revoked_at is not None})


def _unauthenticated(reason: str, name: str | None = None) -> Unauthenticated:
    """The error, logged (with the operator's name for a revoked one, never the token)."""
    log.warning("unauthenticated", reason=reason, operator=name)
    return Unauthenticated(reason)
