"""Replaying the ledger's chains (record.ledger) and comparing every row they prove:
extensions and revocations, escalations (recorded, acknowledged, resolved), stored policies,
operators (granted and revoked), the deliveries of the outbox (record.outbox), the experts
and the panels' seats (record.review), and what the
`adopted` chain fixed of the rows held before schema 0007. The `docks` chain, which holds
every project docked, is read on its own (`Docks`), beside the projects, in id order. Used by
`verify`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from accel666.models.stores import batches as batch_store
from accel666.models.stores import escalations as escalation_store
from accel666.models.stores import ledger as ledger_store
from accel666.models.stores import operators as operator_store
from accel666.models.stores import policies as policy_store
from accel666.record import chain, proofs
from accel666.record import notices as notices_record
from accel666.record import outbox as outbox_record
from accel666.record import review as review_record
from accel666.record.ledger import DOCKS, EXPERTS, NOTICES, OPERATORS, OUTBOX, PANELS

Report = Callable[[str, str], None]  # (kind, message)


@dataclass
class _Sweep:
    seq: int
    body: dict[str, Any]
    recorded: chain.Digest = field(default_factory=chain.Digest)
    resolved: chain.Digest = field(default_factory=chain.Digest)
    tally: dict[tuple[str, str, int], int] = field(default_factory=dict)

    def rung(self, row: Any) -> dict[str, Any] | None:
        """What the entry says every escalation of the row's rung shares, if it has the rung."""
        for rung in self.body.get("rungs", ()):
            if (rung["batch"], rung["phase"], rung["level"]) == (row.batch, row.phase,
                                                                 row.level):
                return {k: rung[k] for k in proofs.RUNG}
        return None

    def rungs_hold(self) -> bool:
        """Each rung recorded as many escalations as the entry says."""
        said = {(r["batch"], r["phase"], r["level"]): r["count"]
                for r in self.body.get("rungs", ())}
        return said == self.tally


class Ledger:
    """What the ledger's chains say the tables hold, read in one pass over the ledger."""

    def __init__(self, conn: Connection, report: Report) -> None:
        self.conn = conn
        self.report = report
        self.rows = 0
        self.heads: dict[str, tuple[int, str]] = {}
        self.adopted: dict[str, Any] | None = None
        self.adopted_at: Any = None
        self.extensions: dict[int, dict[str, Any]] = {}  # id -> fields the chain says
        self.revoked_later: set[int] = set()
        self.acks: dict[int, dict[str, Any]] = {}
        self.sweeps: list[_Sweep] = []
        self.policies: dict[int, dict[str, Any]] = {}
        self.operators: dict[int, dict[str, Any]] = {}  # id -> fields the chain says
        self.outbox = outbox_record.Replay(report)
        self.notices = notices_record.NoticesReplay(report)
        self.review = review_record.ReviewReplay(report)

    def through(self, table: str) -> int:
        """The last id of `table` held before the ledger began (0 if none were)."""
        return int(self.adopted[table]["through"]) if self.adopted else 0

    def read(self) -> None:
        prev, name, last = chain.GENESIS, None, 0
        for row in ledger_store.entries(self.conn, excluding=(DOCKS,)):
            self.rows += 1
            if row.chain != name:
                prev, name, last = chain.GENESIS, row.chain, 0
            where = f"ledger {row.chain} entry {row.seq} ({row.kind})"
            if row.seq != last + 1:
                self.report("ledger", f"ledger {row.chain}: entry {row.seq} follows entry "
                            f"{last}: an entry is missing")
            if chain.entry_hash(row._mapping, prev) != row.hash:
                self.report("ledger", f"{where} does not match its hash: the entry or one "
                            "before it was changed")
            prev, last = row.hash, row.seq
            self.heads[row.chain] = (row.seq, row.hash)
            self._take(row, where)

    def _take(self, row: Any, where: str) -> None:
        body, kind = row.body, row.kind
        try:
            if row.chain == OPERATORS:  # its kinds are its own ("revoke" is no extension's)
                self._take_operator(kind, body, where)
            elif row.chain == OUTBOX:
                self.outbox.take(row.seq, kind, body)
            elif row.chain == NOTICES:  # its kinds are its own too
                self.notices.take(row.seq, kind, body)
            elif row.chain in (EXPERTS, PANELS):
                self.review.take(row.chain, kind, body, where)
            elif kind == "extend":
                for ext in body["extensions"]:
                    self.extensions[int(ext["id"])] = {
                        **ext, **dict.fromkeys(proofs.REVOCATION)}
            elif kind == "revoke":
                for ext_id in body["ids"]:
                    revocation = {k: body[k] for k in proofs.REVOCATION}
                    if ext_id in self.extensions:
                        self.extensions[ext_id].update(revocation)
                    else:
                        self.revoked_later.add(ext_id)
                        self.extensions[ext_id] = {"revocation_only": revocation}
            elif kind == "ack":
                self.acks[int(row.chain.split(":", 1)[1])] = {k: body[k] for k in proofs.ACK}
            elif kind == "sweep":
                self.sweeps.append(_Sweep(row.seq, body))
            elif kind == "apply":
                self.policies[int(body["id"])] = body
            elif kind == "adopt":
                self.adopted, self.adopted_at = body, row.at
            else:
                self.report("ledger", f"{where}: no such kind of act")
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            self.report("ledger", f"{where}: its body is not what such an act records ({exc})")

    def _take_operator(self, kind: str, body: Any, where: str) -> None:
        if kind == "grant":
            self.operators[int(body["id"])] = {
                **{k: body[k] for k in proofs.OPERATOR},
                **dict.fromkeys(proofs.OPERATOR_REVOCATION)}
        elif kind == "revoke":
            said = self.operators.get(int(body["id"]))
            if said is None:
                self.report("operator", f"{where} revokes operator {body['id']}, which the "
                            "chain never granted")
            else:
                said.update({k: body[k] for k in proofs.OPERATOR_REVOCATION})
        else:
            self.report("ledger", f"{where}: no such kind of act")

    # --- extensions ----------------------------------------------------------------------

    def check_extensions(self) -> None:
        legacy = self.through("extensions")
        seen: set[int] = set()
        for row in batch_store.every_extension(self.conn):
            seen.add(row.id)
            said = self.extensions.get(row.id)
            found = chain.fields(row, proofs.EXTENSION_ACT + proofs.REVOCATION)
            if row.id <= legacy:  # the adoption digest holds the rest
                if said is not None and "revocation_only" in said and \
                        {k: found[k] for k in proofs.REVOCATION} != said["revocation_only"]:
                    self.report("extension", f"extension {row.id}: its revocation is not "
                                "the one its batch's chain records")
                continue
            if said is None or "revocation_only" in said:
                self.report("extension", f"extension {row.id} ({row.batch}, {row.phase}) is "
                            "not in its batch's chain: it was inserted behind the record's back")
            elif said != found:
                changed = sorted(k for k in found if found[k] != said.get(k))
                self.report("extension", f"extension {row.id} ({row.batch}, {row.phase}): "
                            f"{', '.join(changed)} differ from what its batch's chain records")
        for ext_id, said in self.extensions.items():
            if ext_id not in seen and "revocation_only" not in said:
                self.report("extension", f"extension {ext_id} ({said.get('batch')}, "
                            f"{said.get('phase')}) is in its batch's chain but not on record: "
                            "it was deleted")

    # --- escalations ---------------------------------------------------------------------

    def check_escalations(self) -> None:
        legacy = self.through("escalations")
        sweeps = sorted((s for s in self.sweeps if s.body.get("first") is not None),
                        key=lambda s: s.body["first"])
        firsts = [s.body["first"] for s in sweeps]
        by_seq = {s.seq: s for s in self.sweeps}
        seen: set[int] = set()
        columns = dict.fromkeys(proofs.RECORDED + proofs.ACK + ("resolved_at", "resolved_in"))
        cached: dict[tuple[int, str, str, int], dict[str, Any] | None] = {}
        for row in escalation_store.every(self.conn, tuple(columns)):
            seen.add(row.id)
            what = f"escalation {row.id} (project {row.project_id}, {row.phase} L{row.level})"
            if row.id > legacy:
                i = bisect.bisect_right(firsts, row.id) - 1
                if i >= 0 and row.id <= sweeps[i].body["last"]:
                    sweep = sweeps[i]
                    key = (sweep.seq, row.batch, row.phase, row.level)
                    if key not in cached:
                        cached[key] = sweep.rung(row)
                    if cached[key] != chain.fields(row, proofs.RUNG):
                        self.report("escalation", f"{what}: its rung's deadline, due time, "
                                    "target or lapse is not what its sweep recorded")
                    tally = (row.batch, row.phase, row.level)
                    sweep.tally[tally] = sweep.tally.get(tally, 0) + 1
                    sweep.recorded.add_values(getattr(row, n) for n in proofs.RECORDED_ROW)
                else:
                    self.report("escalation", f"{what} was recorded by no sweep: it was "
                                "inserted behind the record's back")
            if row.resolved_in is not None:
                resolver = by_seq.get(row.resolved_in)
                if resolver is None:
                    self.report("escalation", f"{what} names sweep {row.resolved_in} as its "
                                "resolver, which the sweeps' chain does not hold")
                else:
                    resolver.resolved.add(chain.fields(row, proofs.RESOLUTION))
            elif row.resolved_at is not None and row.id > legacy:
                self.report("escalation", f"{what} was resolved by no sweep: its resolution "
                            "was written behind the record's back")
            ack = chain.fields(row, proofs.ACK)
            said = self.acks.get(row.id)
            if said is not None and said != ack:
                self.report("escalation", f"{what}: its acknowledgement is not the one its "
                            "chain records")
            elif said is None and row.acked_at is not None and row.id > legacy:
                self.report("escalation", f"{what} is acknowledged, but its chain records no "
                            "acknowledgement")
        for esc_id in sorted(set(self.acks) - seen):
            self.report("escalation", f"escalation {esc_id} has an acknowledgement in the "
                        "ledger but is not on record: it was deleted")
        for sweep in self.sweeps:
            if not sweep.rungs_hold():
                self.report("escalation", f"sweep {sweep.seq} at {sweep.body.get('now')}: "
                            "the escalations on record per rung are not as many as it recorded")
            for part in ("recorded", "resolved"):
                if getattr(sweep, part).summary() != sweep.body.get(part):
                    self.report("escalation", f"sweep {sweep.seq} at {sweep.body.get('now')}: "
                                f"the escalations it {part} are not those it chained (a row "
                                "was changed, inserted or deleted)")

    # --- policies and adoption -----------------------------------------------------------

    def check_policies(self) -> None:
        legacy = self.through("policies")
        seen: set[int] = set()
        for row in policy_store.every(self.conn, proofs.POLICY):
            seen.add(row.id)
            if row.id <= legacy:
                continue
            said = self.policies.get(row.id)
            # The act may say more (an override and what it overrode): its fields must agree.
            if said is None or {k: said.get(k) for k in proofs.POLICY} != chain.fields(
                    row, proofs.POLICY):
                self.report("policy", f"stored policy {row.id} is not the one the policy "
                            "chain records: it was inserted or changed")
        for pol_id in sorted(set(self.policies) - seen):
            self.report("policy", f"stored policy {pol_id} is in the policy chain but not on "
                        "record: it was deleted")

    # --- operators -----------------------------------------------------------------------

    def check_operators(self) -> None:
        """Each operator row is what its grant (and revocation) in the operators chain
        records: its role, scope and token's SHA-256 included."""
        names = proofs.OPERATOR + proofs.OPERATOR_REVOCATION
        seen: set[int] = set()
        for row in operator_store.every(self.conn, names):
            seen.add(row.id)
            what = f"operator {row.id} ({row.name})"
            said = self.operators.get(row.id)
            if said is None:
                self.report("operator", f"{what} is not in the operators chain: it was "
                            "inserted behind the record's back")
                continue
            found = chain.fields(row, names)
            changed = [k for k in names if found[k] != said.get(k)]
            if changed:
                self.report("operator", f"{what}: {', '.join(changed)} differ from what the "
                            "operators chain records")
        for op_id in sorted(set(self.operators) - seen):
            self.report("operator", f"operator {op_id} ({self.operators[op_id].get('name')}) "
                        "is in the operators chain but not on record: it was deleted")

    def check_adoption(self) -> None:
        """The rows held before the ledger began are still as they were found, and nothing
        chained since claims to be one of them (a forged adoption would exempt rows from
        their acts' proof)."""
        if self.adopted is None:
            return
        through = {k: self.through(k) for k in ("projects", "extensions", "escalations",
                                                "policies")}
        later = {
            "extensions": [i for i, e in self.extensions.items() if "revocation_only" not in e],
            "policies": list(self.policies),
            "escalations": [s.body["first"] for s in self.sweeps
                            if s.body.get("first") is not None],
        }
        for table, ids in later.items():
            if any(i <= through[table] for i in ids):
                self.report("adopted", f"the ledger's adoption claims {table} up to id "
                            f"{through[table]} were held before it began, but later acts "
                            "created some of them: the adoption was forged")
        now = proofs.adoption(self.conn, through, acked_later=self.acks,
                              revoked_later=self.revoked_later)
        for table, summary in now.items():
            if summary != self.adopted[table]:
                self.report("adopted", f"the {table} held when the ledger began (ids up to "
                            f"{through[table]}) are no longer as they were found then: a row "
                            "was changed, inserted or deleted")


@dataclass(frozen=True)
class Docked:
    """A project as the `docks` chain holds it: its id, its identity, the entry's seq."""

    id: int
    identity: dict[str, Any]
    seq: int

    def described(self) -> str:
        said = self.identity
        return (f"project {self.id} ({said.get('title')!r}, enterprise {said.get('enterprise')}, "
                f"credit code {said.get('credit_code')}, region {said.get('region')}, category "
                f"{said.get('category')}, batch {said.get('batch')})")


class Docks:
    """The `docks` chain replayed entry by entry (its hashes and seqs checked as every chain's
    are), yielding each project it holds in id order: ids ascend along the chain, since a dock
    holds the chain's lock from before it inserts its projects. Only one entry's body is held
    at a time."""

    def __init__(self, conn: Connection, report: Report) -> None:
        self.conn = conn
        self.report = report
        self.rows = 0

    def __iter__(self) -> Iterator[Docked]:
        prev, last, last_id = chain.GENESIS, 0, 0
        for row in ledger_store.chain_entries(self.conn, DOCKS):
            self.rows += 1
            where = f"ledger {DOCKS} entry {row.seq} ({row.kind})"
            if row.seq != last + 1:
                self.report("ledger", f"ledger {DOCKS}: entry {row.seq} follows entry {last}: an "
                            "entry is missing")
            if chain.entry_hash(row._mapping, prev) != row.hash:
                self.report("ledger", f"{where} does not match its hash: the entry or one "
                            "before it was changed")
            prev, last = row.hash, row.seq
            try:
                held = [(int(item[0]), dict(zip(proofs.IDENTITY, item[1:], strict=True)))
                        for item in row.body["projects"]]
            except (KeyError, TypeError, ValueError, IndexError) as exc:
                self.report("ledger", f"{where}: its body is not what such an act records "
                            f"({exc})")
                continue
            for pid, identity in held:
                if pid <= last_id:
                    self.report("ledger", f"{where}: project {pid} follows project {last_id}: "
                                "the chain's projects are out of order")
                    continue
                last_id = pid
                yield Docked(pid, identity, row.seq)
