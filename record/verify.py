"""Checking the record: every chain replayed, every row compared with what its chain says.

`verify` reads everything in one snapshot, streaming rows in order so memory stays flat, and
names each problem it finds. Projects are checked against their transition log (identity from
the dock entry, materials from the apply entry, state, version, head and times from the last
row) and against the programme-wide `docks` chain (a project deleted with all its rows, or
inserted with a chain of its own, is named); every decision in a log is replayed against the
policy in force at its moment (record.decisions); the other tables, the outbox's deliveries
included, against the ledger's chains (record.replay, record.outbox); the whole against any
anchors given, which a chain recomputed end to end no longer extends. It never writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine

from accel666.models.stores import batches as batch_store
from accel666.models.stores import documents as document_store
from accel666.models.stores import escalations as escalation_store
from accel666.models.stores import ledger as ledger_store
from accel666.models.stores import policies as policy_store
from accel666.models.stores import projects as project_store
from accel666.policies import Policy, PolicyError, parse
from accel666.policies.rules import show_time
from accel666.record import anchoring, chain, decisions, proofs, replay


@dataclass(frozen=True)
class Problem:
    """One thing that does not hold. `kind` is chain, sequence, state, head, identity, project,
    decision, orphan, document, ledger, extension, escalation, delivery, policy, operator,
    notice, expert, panel, adopted or anchor."""

    kind: str
    message: str
    project_id: int | None = None


@dataclass(frozen=True)
class VerifyReport:
    """What `verify` checked (counts), every problem it found, and what the record cannot
    prove (`unproven`: rows held before their acts were chained, proved only as found then)."""

    projects: int
    log_rows: int
    documents: int
    escalations: int
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    ledger_rows: int = 0
    anchors: int = 0
    unproven: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """The record holds: no problem was found."""
        return not self.problems


def verify(db: SAEngine, policy: Policy | None = None,
           anchors: Sequence[anchoring.Anchor] = ()) -> VerifyReport:
    """Check the record; with `policy` (the one in force), also that every project belongs to
    a batch, region and category it knows; with `anchors`, that the record still extends each."""
    with db.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            return _Checker(conn, policy, anchors).run()


class _Checker:
    def __init__(self, conn: Connection, policy: Policy | None,
                 anchors: Sequence[anchoring.Anchor]) -> None:
        self.conn = conn
        self.policy = policy
        self.problems: list[Problem] = []
        # The documents each project's apply entries recorded: SHA-256 -> the entry's payload
        # and moment.
        self.filed: dict[int, dict[str, tuple[dict[str, Any], Any]]] = {}
        self.counts = {"projects": 0, "log_rows": 0, "documents": 0, "escalations": 0}
        self.ledger = replay.Ledger(conn, self.problem)
        self.docks = replay.Docks(conn, self.problem)
        self.timeline = decisions.Timeline((), policy)
        self.extensions = decisions.Extensions(())
        self.unreadable: list[str] = []  # stored policies whose text no longer loads
        self.anchors = list(anchors)
        self.anchored: dict[str, dict[int, tuple[str, str]]] = {}  # chain -> seq -> (hash, of)
        self.unproven_identity = 0

    def problem(self, kind: str, message: str, project_id: int | None = None) -> None:
        self.problems.append(Problem(kind, message, project_id))

    def run(self) -> VerifyReport:
        self.ledger.read()
        self.load_anchors()
        self.load_decisions()
        self.projects_and_logs()
        self.documents()
        self.escalations()
        self.stored_policies()
        self.ledger.check_extensions()
        self.ledger.check_escalations()
        self.ledger.check_policies()
        self.ledger.check_operators()
        self.ledger.outbox.check(self.conn)
        self.ledger.notices.check(self.conn)
        self.ledger.review.check(self.conn)
        self.ledger.check_adoption()
        self.ledger_heads_anchored()
        self.missing_anchored()
        return VerifyReport(problems=tuple(self.problems),
                            ledger_rows=self.ledger.rows + self.docks.rows,
                            anchors=len(self.anchors), unproven=self.unproven(),
                            **self.counts)

    def unproven(self) -> tuple[str, ...]:
        notes = [f"stored policy {note}: the decisions made under it are not replayed"
                 for note in self.unreadable]
        adopted = self.ledger.adopted
        if adopted is None:
            return tuple(notes)
        held = ", ".join(f"{adopted[k]['count']} {k}" for k in
                         ("projects", "extensions", "escalations", "policies"))
        return (f"the ledger began at {chain.stamp(self.ledger.adopted_at)} (schema 0007) with "
                f"{held} already on record: they are proved as they were found then, not "
                f"from their acts; {self.unproven_identity} of those projects' dock entries do "
                "not record their identity", *notes)

    def load_decisions(self) -> None:
        """The policies in force over time (each stored text loaded) and the extensions over
        time, against which every decision is replayed."""
        stored = []
        for row in policy_store.history(self.conn):
            try:
                loaded: Policy | None = parse(row.text, source=f"<stored policy {row.id}>")
            except PolicyError as exc:
                loaded = None
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                self.unreadable.append(f"{row.id} ({row.sha256[:12]}) no longer loads: {first}")
            stored.append(decisions.InForce(row.id, row.sha256, row.applied_at, loaded))
        self.timeline = decisions.Timeline(stored, self.policy)
        self.extensions = decisions.Extensions.of(batch_store.every_extension(self.conn))

    # --- anchors -------------------------------------------------------------------------

    def load_anchors(self) -> None:
        """Each anchor's heads, checked against its digest; a digest alone is looked up among
        the anchors the database recorded."""
        known = []
        for given in self.anchors:
            anchor = given
            if anchor.heads is None:
                found = anchoring.stored(self.conn, given.digest)
                if found is None:
                    self.problem("anchor", f"anchor {given.digest[:16]}…: no anchor with this "
                                 "digest is on record here (its record was deleted, or it was "
                                 "taken of another database); check the file `anchor -o` "
                                 "wrote instead")
                    continue
                anchor = found
            if anchoring.digest_of(anchor.projects, anchor.heads or ()) != given.digest:
                self.problem("anchor", f"anchor {given.digest[:16]}…: the heads recorded with "
                             "it do not hash to its digest: they were changed")
                continue
            known.append(anchor)
            for name, seq, hash_ in anchor.heads or ():
                self.anchored.setdefault(name, {})[seq] = (hash_, given.digest[:16])

    def anchored_row(self, name: str, seq: int, hash_: str) -> None:
        """A chain row an anchor holds: it must still have the hash anchored."""
        held = self.anchored.get(name)
        if held is None or seq not in held:
            return
        want, of = held.pop(seq)
        if want != hash_:
            self.problem("anchor", f"{name}: entry {seq} is not the one anchor {of}… holds: "
                         "the chain was rewritten after that anchor was taken",
                         _project_of(name))

    def ledger_heads_anchored(self) -> None:
        for name, held in self.anchored.items():
            if _project_of(name) is not None:
                continue
            for seq, (want, of) in list(held.items()):
                found = ledger_store.entry_hash(self.conn, name, seq)
                if found is not None:
                    held.pop(seq)
                    if found != want:
                        self.problem("anchor", f"ledger {name}: entry {seq} is not the one "
                                     f"anchor {of}… holds: the chain was rewritten after that "
                                     "anchor was taken")

    def missing_anchored(self) -> None:
        for name, held in self.anchored.items():
            for seq, (_, of) in held.items():
                self.problem("anchor", f"{name}: entry {seq}, held by anchor {of}…, is no "
                             "longer on record: the chain was cut or deleted",
                             _project_of(name))

    # --- projects ------------------------------------------------------------------------

    def projects_and_logs(self) -> None:
        """Walk projects, log rows and the `docks` chain side by side, all in id order (a
        merge join)."""
        logs = project_store.every_log_row(self.conn)
        pending = next(logs, None)
        docked = iter(self.docks)
        held = next(docked, None)
        for project in project_store.every(self.conn):
            self.counts["projects"] += 1
            rows = []
            while pending is not None and pending.project_id <= project.id:
                if pending.project_id < project.id:
                    self.orphan_row(pending)
                else:
                    rows.append(pending)
                pending = next(logs, None)
            while held is not None and held.id < project.id:
                self.deleted(held)
                held = next(docked, None)
            said = None
            if held is not None and held.id == project.id:
                said, held = held, next(docked, None)
            self.one_project(project, rows, said)
        while pending is not None:
            self.orphan_row(pending)
            pending = next(logs, None)
        while held is not None:
            self.deleted(held)
            held = next(docked, None)

    def deleted(self, held: replay.Docked) -> None:
        self.problem("project", f"{held.described()} is in the docks chain but not on record: "
                     "it was deleted", held.id)

    def orphan_row(self, row: Any) -> None:
        self.problem("orphan", f"log row {row.id} names project {row.project_id}, which does "
                     "not exist: it was deleted", row.project_id)
        self.anchored_row(anchoring.project_chain(row.project_id), row.seq, row.hash)

    def one_project(self, project: Any, rows: list[Any], docked: replay.Docked | None) -> None:
        pid = project.id
        if self.policy is not None:
            for name, known in (("batch", self.policy.batches), ("region", self.policy.regions),
                                ("category", self.policy.categories)):
                if getattr(project, name) not in known:
                    self.problem("policy", f"project {pid}: {name} {getattr(project, name)!r} is "
                                 "not in the policy in force: no rule applies to it", pid)
        self.counts["log_rows"] += len(rows)
        recorded = _as_recorded(project, rows)
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
            else:  # a row named as changed is not judged as a decision too
                self.decision(recorded, row)
            prev, state = row.hash, row.to_state
            self.anchored_row(anchoring.project_chain(pid), row.seq, row.hash)
            if row.event == "apply" and isinstance((row.payload or {}).get("sha256"), str):
                self.filed.setdefault(pid, {})[row.payload["sha256"]] = (row.payload, row.at)
        if project.version != len(rows):
            self.problem("state", f"project {pid}: version {project.version} but "
                         f"{len(rows)} log rows", pid)
        if rows and project.state != state:
            self.problem("state", f"project {pid}: state {project.state} but its last log row "
                         f"ends in {state}", pid)
        if project.head_hash != prev:
            self.problem("head", f"project {pid}: its chain head is not the hash of its last "
                         "log row", pid)
        if rows:
            self.identity(project, rows)
        self.docked(project, rows, docked)

    def docked(self, project: Any, rows: list[Any], docked: replay.Docked | None) -> None:
        """The project is in the docks chain, with the identity its dock entry records (or,
        for a project whose dock entry records none, the one its row holds)."""
        pid = project.id
        if docked is None:
            self.problem("project", f"project {pid} is not in the docks chain: it was inserted "
                         "behind the record's back", pid)
            return
        dock = rows[0] if rows and rows[0].event == "dock" else None
        said = (dock.payload or {}).get("identity") if dock is not None else None
        if isinstance(said, dict):
            changed = [k for k in proofs.IDENTITY if said.get(k) != docked.identity.get(k)]
            why = "its dock entry was rewritten"
        else:
            changed = [k for k in proofs.IDENTITY
                       if getattr(project, k) != docked.identity.get(k)]
            why = "the project row was changed"
        if changed:
            self.problem("identity", f"project {pid}: {', '.join(changed)} differ from what the "
                         f"docks chain records: {why}", pid)

    def decision(self, project: Any, row: Any) -> None:
        """The log row is a decision the policy in force at its moment would have taken, on
        the project as its chain records it (`_as_recorded`)."""
        judged = self.timeline.judge(self.extensions, project, row)
        if judged is None:
            return
        candidate, denial = judged
        policy = self.policy if candidate is None else candidate.policy
        zone = policy.zone if policy is not None else None
        when = show_time(row.at, zone) if zone is not None else chain.stamp(row.at)
        self.problem("decision", f"project {project.id}: log row seq {row.seq} ({row.event} at "
                     f"{when}) would have been refused by the policy in force then: "
                     f"{denial.message}", project.id)

    def identity(self, project: Any, rows: list[Any]) -> None:
        """The project row says what its log says: identity (dock entry), paper copies (last
        apply entry), created and updated (first and last rows)."""
        pid, dock = project.id, rows[0]
        said = (dock.payload or {}).get("identity") if dock.event == "dock" else None
        if said is None:
            if pid > self.ledger.through("projects"):
                self.problem("identity", f"project {pid}: its dock entry does not record its "
                             "identity", pid)
            else:
                self.unproven_identity += 1  # the adoption digest holds it as found
        else:
            if pid <= self.ledger.through("projects"):
                self.problem("adopted", f"project {pid} records its identity when docked, "
                             "yet the ledger's adoption claims it was held before: the "
                             "adoption was forged", pid)
            changed = [k for k in proofs.IDENTITY if getattr(project, k) != said.get(k)]
            if changed:
                self.problem("identity", f"project {pid}: {', '.join(changed)} differ from "
                             "what its dock entry records: the project row was changed", pid)
        applies = [r for r in rows if r.event == "apply"]
        copies = (applies[-1].payload or {}).get("paper_copies") if applies else None
        if project.paper_copies != copies:
            self.problem("identity", f"project {pid}: paper copies {project.paper_copies} but "
                         f"its apply entry records {copies}", pid)
        if project.created_at != dock.at or project.updated_at != rows[-1].at:
            self.problem("identity", f"project {pid}: its created or updated time is not that "
                         "of its first or last log row", pid)

    def stored_policies(self) -> None:
        """Each stored policy's text still has the digest recorded with it."""
        for row in policy_store.history(self.conn):
            if hashlib.sha256(row.text.encode("utf-8")).hexdigest() != row.sha256:
                self.problem("policy", f"stored policy {row.id}: its text does not match its "
                             "SHA-256: it was changed")

    def documents(self) -> None:
        for doc in document_store.orphans(self.conn):
            self.problem("orphan", f"document {doc.id}: project {doc.project_id} does not exist",
                         doc.project_id)
        seen: set[tuple[int, str]] = set()
        for doc in document_store.every(self.conn):
            self.counts["documents"] += 1
            pid = doc.project_id
            what = f"document {doc.id} of project {pid}"
            content = bytes(doc.content)
            if hashlib.sha256(content).hexdigest() != doc.sha256 or len(content) != doc.size:
                self.problem("document", f"{what}: its bytes do not match their SHA-256 and "
                             "size: the content was changed", pid)
            filed = self.filed.get(pid, {}).get(doc.sha256)
            if filed is None:
                self.problem("document", f"{what}: its SHA-256 is not the one the project's "
                             "log recorded when it was filed", pid)
                continue
            seen.add((pid, doc.sha256))
            payload, at = filed
            if (doc.name != payload.get("document", doc.name)
                    or doc.size != payload.get("size", doc.size) or doc.uploaded_at != at):
                self.problem("document", f"{what}: its name, size or upload time is not what "
                             "the project's apply entry records", pid)
        for pid, filed_docs in self.filed.items():
            for sha in filed_docs:
                if (pid, sha) not in seen:
                    self.problem("document", f"project {pid}: the document its apply entry "
                                 f"records (SHA-256 {sha[:16]}…) is not on record: it was "
                                 "deleted", pid)

    def escalations(self) -> None:
        """Each escalation names an existing project in a state its log went through."""
        self.counts["escalations"] = escalation_store.count(self.conn)
        for esc in escalation_store.unseen(self.conn):
            if esc.found is None:
                self.problem("orphan", f"escalation {esc.id}: project {esc.project_id} does not "
                             "exist", esc.project_id)
            else:
                self.problem("escalation", f"escalation {esc.id}: project {esc.project_id} was "
                             f"never {esc.state_seen}, as the escalation says it saw",
                             esc.project_id)
        for d in escalation_store.lost_deliveries(self.conn):
            self.problem("orphan", f"delivery {d.id}: escalation {d.escalation_id} does not exist")


@dataclass(frozen=True)
class _Recorded:
    """What the decisions on a project are judged by: its id and what its dock entry records."""

    id: int
    batch: str
    region: str
    credit_code: str


def _as_recorded(project: Any, rows: list[Any]) -> _Recorded:
    """The project as its chain records it: the identity of its dock entry (a project row
    changed behind the record's back is named once, as such, not in each decision), or the
    row's for a dock entry that records none."""
    said = (rows[0].payload or {}).get("identity") if rows and rows[0].event == "dock" else None
    if not isinstance(said, dict):
        said = {}
    return _Recorded(project.id, said.get("batch", project.batch),
                     said.get("region", project.region),
                     said.get("credit_code", project.credit_code))


def _project_of(chain_name: str) -> int | None:
    kind, _, key = chain_name.partition(":")
    return int(key) if kind == "project" and key.isdigit() else None
