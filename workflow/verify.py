"""Checking the record: hash chains, states against logs, documents and escalations.

`verify` reads everything in one snapshot, streaming rows in order so memory stays flat, and
names each problem it finds. It never writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, exists, func, or_, select
from sqlalchemy import Engine as SAEngine

from accel666.models import (
    chain,
    delivery_table,
    document_table,
    escalation_table,
    policy_table,
    project_table,
    transition_table,
)
from accel666.policies import Policy

_CHUNK = 5000


@dataclass(frozen=True)
class Problem:
    """One thing that does not hold. `kind` is chain, sequence, state, head, orphan, document,
    escalation or policy."""

    kind: str
    message: str
    project_id: int | None = None


@dataclass(frozen=True)
class VerifyReport:
    """What `verify` checked (counts) and every problem it found."""

    projects: int
    log_rows: int
    documents: int
    escalations: int
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """The record holds: no problem was found."""
        return not self.problems


def verify(db: SAEngine, policy: Policy | None = None) -> VerifyReport:
    """Check the record; with `policy` (the one in force), also that every project belongs to
    a batch, region and category it knows."""
    with db.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            return _Checker(conn, policy).run()


class _Checker:
    def __init__(self, conn: Connection, policy: Policy | None) -> None:
        self.conn = conn
        self.policy = policy
        self.problems: list[Problem] = []
        self.sha256s: dict[int, set[str]] = {}  # document hashes named in each project's log
        self.counts = {"projects": 0, "log_rows": 0, "documents": 0, "escalations": 0}

    def problem(self, kind: str, message: str, project_id: int | None = None) -> None:
        self.problems.append(Problem(kind, message, project_id))

    def run(self) -> VerifyReport:
        self.projects_and_logs()
        self.documents()
        self.escalations()
        self.stored_policies()
        return VerifyReport(problems=tuple(self.problems), **self.counts)

    def stream(self, query: Any) -> Iterator[Any]:
        result = self.conn.execute(query.execution_options(yield_per=_CHUNK))
        yield from result

    def projects_and_logs(self) -> None:
        """Walk projects and log rows side by side, both in order (a merge join)."""
        P, T = project_table.c, transition_table.c
        logs = self.stream(select(transition_table).order_by(T.project_id, T.seq))
        pending = next(logs, None)
        for project in self.stream(select(project_table).order_by(P.id)):
            self.counts["projects"] += 1
            rows = []
            while pending is not None and pending.project_id <= project.id:
                if pending.project_id < project.id:
                    self.problem("orphan", f"log row {pending.id} names project "
                                 f"{pending.project_id}, which does not exist", pending.project_id)
                else:
                    rows.append(pending)
                pending = next(logs, None)
            self.one_project(project, rows)
        while pending is not None:
            self.problem("orphan", f"log row {pending.id} names project {pending.project_id}, "
                         "which does not exist", pending.project_id)
            pending = next(logs, None)

    def one_project(self, project: Any, rows: list[Any]) -> None:
        pid = project.id
        if self.policy is not None:
            for name, known in (("batch", self.policy.batches), ("region", self.policy.regions),
                                ("category", self.policy.categories)):
                if getattr(project, name) not in known:
                    self.problem("policy", f"project {pid}: {name} {getattr(project, name)!r} is "
                                 "not in the policy in force: no rule applies to it", pid)
        self.counts["log_rows"] += len(rows)
        prev, state, last_seq = chain.GENESIS, None, 0
        for row in rows:
            where = f"project {pid}: log row seq {row.seq} ({row.event})"
            if row.seq != last_seq + 1:
                self.problem("sequence", f"project {pid}: log row seq {row.seq} follows seq "
                             f"{last_seq}: a row is missing or out of order", pid)
            last_seq = row.seq
            if row.from_state != state:
                self.problem("sequence", f"{where} starts from {row.from_state or 'nothing'} "
                             f"but the row before ended in {state or 'nothing'}", pid)
            computed = chain.row_hash(row._asdict(), prev)
            if computed != row.hash:
                self.problem("chain", f"{where} does not match its hash: the row or one before "
                             "it was changed", pid)
            prev, state = row.hash, row.to_state
            if row.payload and isinstance(row.payload.get("sha256"), str):
                self.sha256s.setdefault(pid, set()).add(row.payload["sha256"])
        if project.version != len(rows):
            self.problem("state", f"project {pid}: version {project.version} but "
                         f"{len(rows)} log rows", pid)
        if rows and project.state != state:
            self.problem("state", f"project {pid}: state {project.state} but its last log row "
                         f"ends in {state}", pid)
        if project.head_hash != prev:
            self.problem("head", f"project {pid}: its chain head is not the hash of its last "
                         "log row", pid)

    def stored_policies(self) -> None:
        """Each stored policy's text still has the digest recorded with it."""
        for row in self.conn.execute(select(policy_table).order_by(policy_table.c.id)):
            if hashlib.sha256(row.text.encode("utf-8")).hexdigest() != row.sha256:
                self.problem("policy", f"stored policy {row.id}: its text does not match its "
                             "SHA-256: it was changed")

    def documents(self) -> None:
        D, P = document_table.c, project_table.c
        orphans = select(D.id, D.project_id).outerjoin(project_table, P.id == D.project_id) \
            .where(P.id.is_(None))
        for doc in self.conn.execute(orphans):
            self.problem("orphan", f"document {doc.id}: project {doc.project_id} does not exist",
                         doc.project_id)
        for doc in self.stream(select(document_table).order_by(D.id)):
            self.counts["documents"] += 1
            pid = doc.project_id
            what = f"document {doc.id} of project {pid}"
            content = bytes(doc.content)
            if hashlib.sha256(content).hexdigest() != doc.sha256 or len(content) != doc.size:
                self.problem("document", f"{what}: its bytes do not match their SHA-256 and "
                             "size: the content was changed", pid)
            if doc.sha256 not in self.sha256s.get(pid, ()):
                self.problem("document", f"{what}: its SHA-256 is not the one the project's "
                             "log recorded when it was filed", pid)

    def escalations(self) -> None:
        """Each escalation names an existing project in a state its log went through."""
        E, P, T, DL = escalation_table.c, project_table.c, transition_table.c, delivery_table.c
        self.counts["escalations"] = self.conn.execute(select(func.count(E.id))).scalar_one()
        went_through = exists().where(T.project_id == E.project_id, T.to_state == E.state_seen)
        unseen = select(E.id, E.project_id, E.state_seen, P.id.label("found")) \
            .outerjoin(project_table, P.id == E.project_id) \
            .where(or_(P.id.is_(None), ~went_through)).order_by(E.id)
        for esc in self.conn.execute(unseen):
            if esc.found is None:
                self.problem("orphan", f"escalation {esc.id}: project {esc.project_id} does not "
                             "exist", esc.project_id)
            else:
                self.problem("escalation", f"escalation {esc.id}: project {esc.project_id} was "
                             f"never {esc.state_seen}, as the escalation says it saw",
                             esc.project_id)
        lost = select(DL.id, DL.escalation_id).outerjoin(
            escalation_table, E.id == DL.escalation_id).where(E.id.is_(None))
        for d in self.conn.execute(lost):
            self.problem("orphan", f"delivery {d.id}: escalation {d.escalation_id} does not exist")
