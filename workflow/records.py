"""What the library returns: plain frozen values, detached from any database session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Project:
    """A project as it stands: who, where, which batch, its state and its version."""

    id: int
    title: str
    enterprise: str
    credit_code: str
    region: str  # the 6-digit division code
    category: str
    batch: str
    state: str
    version: int
    paper_copies: int | None
    head_hash: str  # SHA-256 of the project's latest log row, the head of its hash chain
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Transition:
    """One row of a project's log."""

    project_id: int
    seq: int
    event: str
    from_state: str | None
    to_state: str
    actor: str
    role: str
    scope: str | None
    at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    hash: str = ""  # SHA-256 over this row and the previous row's hash


@dataclass(frozen=True)
class Document:
    """The electronic document filed with an application, its bytes and their SHA-256."""

    id: int
    project_id: int
    name: str
    size: int
    sha256: str
    uploaded_at: datetime
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class Extension:
    """A recorded deadline extension: the `phase` window of `batch` now closes after `until`.

    `follows` names the extension whose act carried this one along (a later phase that would
    have closed first); `carried` lists the later phases an extension carried along when it was
    made; `override` says the reopening limit was overridden. A revoked extension counts no
    more: `revoked_at`, `revoked_by`, `revoked_role` and `revoke_reason` say who undid it."""

    batch: str
    phase: str
    until: date
    reason: str
    actor: str
    role: str
    at: datetime
    id: int | None = None
    follows: int | None = None
    override: bool = False
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revoked_role: str | None = None
    revoke_reason: str | None = None
    carried: tuple[str, ...] = ()


@dataclass(frozen=True)
class WindowStatus:
    """A phase window of a batch as it stands, extensions included."""

    phase: str
    opens_at: datetime | None
    closes_at: datetime  # the last instant inside the window
    extended: bool
    open: bool


@dataclass(frozen=True)
class BatchStatus:
    """A batch of the policy with each of its phase windows as it stands."""

    key: str
    name: str
    windows: tuple[WindowStatus, ...]


def project_from(row: Any) -> Project:
    """A Project from a result row of the project table, or a mapping of its columns."""
    values = row if isinstance(row, dict) else row._asdict()
    return Project(**values)


def transition_from(row: Any) -> Transition:
    return Transition(
        project_id=row.project_id, seq=row.seq, event=row.event, from_state=row.from_state,
        to_state=row.to_state, actor=row.actor, role=row.role, scope=row.scope, at=row.at,
        payload=dict(row.payload or {}), hash=row.hash,
    )
