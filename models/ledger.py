"""The ledger: hash chains of the acts that are not a project's transitions, and the anchors
taken over every chain head.

Chains, by name: `batch:<key>` (extensions and their revocations), `escalation:<id>` (its
acknowledgement), `sweeps` (what each sweep recorded and resolved), `policy` (each policy put
in force), `operators` (each operator granted or revoked) and `adopted` (what a database
upgraded to schema 0007 already held). Rows are never updated or deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Integer, String, Text, UniqueConstraint
from sqlmodel import Field

from accel666.models.tables import Base
from accel666.models.types import UTCDateTime


class LedgerRow(Base, table=True):
    """One act, the `seq`-th of its chain; `hash` covers it and the previous entry's hash."""

    __tablename__ = "accel666_ledger"
    __table_args__ = (UniqueConstraint("chain", "seq"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    chain: str = Field(sa_column=Column(String(80), nullable=False))
    seq: int = Field(sa_column=Column(Integer, nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    role: str = Field(sa_column=Column(String(32), nullable=False))
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False))


class AnchorRow(Base, table=True):
    """An anchor: the digest over every chain head at `at`, with the heads it was taken over
    (JSON lines of [chain, seq, hash]) so that a later `verify --anchor DIGEST` can check them."""

    __tablename__ = "accel666_anchor"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    digest: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    projects: int = Field(sa_column=Column(Integer, nullable=False))
    heads: str = Field(sa_column=Column(Text, nullable=False))


ledger_table = Base.metadata.tables["accel666_ledger"]
anchor_table = Base.metadata.tables["accel666_anchor"]
