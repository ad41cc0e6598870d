"""The engine's tables. Names carry an `accel666_` prefix so a host service's schema can hold them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlmodel import Field, SQLModel

from accel666.lifecycle import ENDED_STATES, EVENTS, PHASES, STATES
from accel666.models.types import UTCDateTime


def one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL that holds when `column` is one of `values` (names of the lifecycle, never input)."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# A project in an ended state no longer holds its enterprise's place (it may be filed again).
# Written as a literal so that queries using it match the partial index's own predicate.
LIVE = text(f"state NOT IN ({', '.join(repr(s) for s in ENDED_STATES)})")


class Base(SQLModel):
    """Our own metadata, so `create_all` never touches a host service's tables."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
        }
    )


class ProjectRow(Base, table=True):
    __tablename__ = "accel666_project"
    __table_args__ = (
        # One enterprise holds at most one live project per category and batch.
        Index(
            "uq_accel666_project_live",
            "credit_code",
            "category",
            "batch",
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index("ix_accel666_project_batch_state", "batch", "state"),
        Index("ix_accel666_project_region_state", "region", "state"),
        CheckConstraint(one_of("state", STATES), name="state"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    enterprise: str = Field(sa_column=Column(String(200), nullable=False))
    credit_code: str = Field(sa_column=Column(String(18), nullable=False))
    region: str = Field(sa_column=Column(String(6), nullable=False))
    category: str = Field(sa_column=Column(String(32), nullable=False))
    batch: str = Field(sa_column=Column(String(32), nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    paper_copies: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    # The hash of the project's latest transition-log row: the head of its chain.
    head_hash: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class TransitionRow(Base, table=True):
    """The transition log: one row per state change, `seq` equal to the version it produced."""

    __tablename__ = "accel666_transition"
    __table_args__ = (
        UniqueConstraint("project_id", "seq"),
        CheckConstraint(one_of("event", EVENTS), name="event"),
        CheckConstraint(f"from_state IS NULL OR {one_of('from_state', STATES)}",
                        name="from_state"),
        CheckConstraint(one_of("to_state", STATES), name="to_state"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    project_id: int = Field(
        sa_column=Column(Integer, ForeignKey("accel666_project.id"), nullable=False)
    )
    seq: int = Field(sa_column=Column(Integer, nullable=False))
    event: str = Field(sa_column=Column(String(16), nullable=False))
    from_state: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    to_state: str = Field(sa_column=Column(String(16), nullable=False))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    role: str = Field(sa_column=Column(String(32), nullable=False))
    scope: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # SHA-256 over this row and the previous row's hash (accel666.record.chain).
    hash: str = Field(sa_column=Column(String(64), nullable=False))


class DocumentRow(Base, table=True):
    """An application's electronic document, its bytes kept in the database."""

    __tablename__ = "accel666_document"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    project_id: int = Field(
        sa_column=Column(Integer, ForeignKey("accel666_project.id"), nullable=False, index=True)
    )
    name: str = Field(sa_column=Column(String(255), nullable=False))
    size: int = Field(sa_column=Column(Integer, nullable=False))
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ExtensionRow(Base, table=True):
    """A recorded deadline extension: the window of `phase` in `batch` now closes at `until`."""

    __tablename__ = "accel666_extension"
    __table_args__ = (
        Index("ix_accel666_extension_batch_phase", "batch", "phase"),
        CheckConstraint(one_of("phase", PHASES), name="phase"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    batch: str = Field(sa_column=Column(String(32), nullable=False))
    phase: str = Field(sa_column=Column(String(16), nullable=False))
    until: date = Field(nullable=False)
    reason: str = Field(sa_column=Column(String(2000), nullable=False))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    role: str = Field(sa_column=Column(String(32), nullable=False))
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # The extension whose act carried this one along (a later phase that would have closed
    # before the extended one), or None for the one asked for.
    follows: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("accel666_extension.id", name="fk_accel666_extension_follows"),
        nullable=True))
    # Asked for with an override of the reopening limit (its reason is `reason`).
    override: bool = Field(default=False, sa_column=Column(
        Boolean, nullable=False, server_default=false()))
    # A revocation is an act of its own: who undid the extension, when and why.
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    revoked_by: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    revoked_role: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    revoke_reason: str | None = Field(default=None, sa_column=Column(String(2000), nullable=True))



class PolicyRow(Base, table=True):
    """The policy the database runs under: each applied policy, the latest in force. `text` is
    the effective policy as canonical TOML, `sha256` its digest."""

    __tablename__ = "accel666_policy"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    applied_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    role: str = Field(sa_column=Column(String(32), nullable=False))
    reason: str = Field(sa_column=Column(String(2000), nullable=False))


class OperatorRow(Base, table=True):
    """Who may act through the service: a name, the role (and scope) it acts in, and the
    SHA-256 of its token (the token itself is never stored). A revoked operator keeps its row
    and its name."""

    __tablename__ = "accel666_operator"
    __table_args__ = (UniqueConstraint("name"), UniqueConstraint("token_sha256"))

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    name: str = Field(sa_column=Column(String(64), nullable=False))
    role: str = Field(sa_column=Column(String(32), nullable=False))
    scope: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    token_sha256: str = Field(sa_column=Column(String(64), nullable=False))
    granted_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    granted_by: str = Field(sa_column=Column(String(200), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    revoked_by: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    revoke_reason: str | None = Field(default=None, sa_column=Column(String(2000), nullable=True))


class ServedRequestRow(Base, table=True):
    """The answer to a request that carried an Idempotency-Key, so that a retry with the same
    key gets the same answer and changes nothing. `scope` is whose keys these are (the
    operator, `operator:ID`: each operator has its own keys); `fingerprint` the SHA-256 of the
    request (method, path, query, content type, If-Match, body). `status` is None while the
    request is being served."""

    __tablename__ = "accel666_served_request"

    scope: str = Field(sa_column=Column(String(64), primary_key=True))
    key: str = Field(sa_column=Column(String(255), primary_key=True))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    claimed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    status: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    headers: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    body: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class SessionRow(Base, table=True):
    """A signed-in dashboard browser: the SHA-256 of its random id (the id itself lives only in
    the browser's cookie), the operator it acts for, and when it ends. `ended_at` is set at
    sign-out and when the operator is revoked."""

    __tablename__ = "accel666_session"

    id_sha256: str = Field(sa_column=Column(String(64), primary_key=True))
    operator_id: int = Field(sa_column=Column(
        Integer, ForeignKey("accel666_operator.id"), nullable=False, index=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class NoticeRow(Base, table=True):
    """A public notice (公示) of a batch's reviewed projects: when it started, when it closes
    (the last instant of its last working day), who started it and how the public objects."""

    __tablename__ = "accel666_notice"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    batch: str = Field(sa_column=Column(String(32), nullable=False, index=True))
    started_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    closes_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    started_by: str = Field(sa_column=Column(String(200), nullable=False))
    role: str = Field(sa_column=Column(String(32), nullable=False))
    contact: str = Field(sa_column=Column(String(2000), nullable=False))


class NoticeProjectRow(Base, table=True):
    """A project announced by a notice: each project is announced once."""

    __tablename__ = "accel666_notice_project"

    project_id: int = Field(sa_column=Column(
        Integer, ForeignKey("accel666_project.id"), primary_key=True))
    notice_id: int = Field(sa_column=Column(
        Integer, ForeignKey("accel666_notice.id"), nullable=False, index=True))


class ObjectionRow(Base, table=True):
    """An objection (异议) received in writing while a project's notice was open: who (a real
    name, and a unit if it came under one's seal), what, when it was recorded and by whom;
    then how it was resolved (upheld or dismissed), why, when and by whom."""

    __tablename__ = "accel666_objection"
    __table_args__ = (CheckConstraint("outcome IS NULL OR outcome IN ('upheld', 'dismissed')",
                                      name="outcome"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    project_id: int = Field(sa_column=Column(
        Integer, ForeignKey("accel666_project.id"), nullable=False, index=True))
    notice_id: int = Field(sa_column=Column(
        Integer, ForeignKey("accel666_notice.id"), nullable=False, index=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    unit: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    text: str = Field(sa_column=Column(String(2000), nullable=False))
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    recorded_by: str = Field(sa_column=Column(String(200), nullable=False))
    outcome: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    reason: str | None = Field(default=None, sa_column=Column(String(2000), nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    resolved_by: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
class ExpertRow(Base, table=True):
    """An expert of the province's registry: a key (the scope of `expert:KEY`), a name, a unit,
    and what the expert must stay away from (`avoid`: credit codes and region codes)."""

    __tablename__ = "accel666_expert"
    __table_args__ = (UniqueConstraint("key"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    key: str = Field(sa_column=Column(String(32), nullable=False))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    unit: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    avoid: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    added_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    added_by: str = Field(sa_column=Column(String(200), nullable=False))


class PanelSeatRow(Base, table=True):
    """One expert's seat on one project's panel: who assigned it and when, the expert's
    recusal (then the seat is empty for good) or score, each once."""

    __tablename__ = "accel666_panel_seat"
    __table_args__ = (
        UniqueConstraint("project_id", "expert"),
        Index("ix_accel666_panel_seat_expert", "expert"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    project_id: int = Field(
        sa_column=Column(Integer, ForeignKey("accel666_project.id"), nullable=False)
    )
    expert: str = Field(sa_column=Column(String(32), nullable=False))
    assigned_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    assigned_by: str = Field(sa_column=Column(String(200), nullable=False))
    recused_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    recuse_reason: str | None = Field(default=None, sa_column=Column(String(2000), nullable=True))
    score: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    comment: str | None = Field(default=None, sa_column=Column(String(2000), nullable=True))
    scored_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


metadata = Base.metadata
project_table = metadata.tables["accel666_project"]
transition_table = metadata.tables["accel666_transition"]
document_table = metadata.tables["accel666_document"]
extension_table = metadata.tables["accel666_extension"]
policy_table = metadata.tables["accel666_policy"]
operator_table = metadata.tables["accel666_operator"]
served_request_table = metadata.tables["accel666_served_request"]
session_table = metadata.tables["accel666_session"]
notice_table = metadata.tables["accel666_notice"]
notice_project_table = metadata.tables["accel666_notice_project"]
objection_table = metadata.tables["accel666_objection"]
expert_table = metadata.tables["accel666_expert"]
panel_seat_table = metadata.tables["accel666_panel_seat"]
