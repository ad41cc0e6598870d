"""The policy the database runs under, stored with it.

The first change on a database records the effective policy (the one given, or the built-in)
in its own transaction: a read, a dry run or a refused change writes nothing. From then on
every Engine on it runs under the stored one, whatever process opens it and with or without
`--policy`. A policy given that differs is refused until it is applied (`Engine.apply_policy`,
`accel666 policy apply`), an audited act that checks every project still belongs to a batch,
region and category of the new policy, and that the new policy does not rewrite what is on
record (workflow.retroactive) unless overridden, with the override recorded. Policies are
compared by the SHA-256 of their canonical text: the effective policy as TOML, every default
spelled out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.errors import InvalidInput, Refused
from accel666.models.stores import ledger as ledger_store
from accel666.models.stores import policies, projects
from accel666.policies import Policy, as_document, parse
from accel666.record import chain, ledger, proofs
from accel666.workflow import logs, retroactive
from accel666.workflow.actor import Actor
from accel666.workflow.changes.guards import authorise

log = logs.get_logger("accel666.policy")
FIRST_USE = "the policy in force when the database was first used"


@dataclass(frozen=True)
class StoredPolicy:
    """A policy as the database records it: its digest, who applied it, when and why, and
    whether it was applied over the problems `policy apply` found (`overridden`)."""

    id: int
    sha256: str
    applied_at: datetime
    actor: str
    role: str
    reason: str
    override: bool = False
    overridden: tuple[str, ...] = ()


def canonical(policy: Policy) -> str:
    """The policy's canonical text: the effective policy as TOML, every default spelled out."""
    import tomli_w

    return tomli_w.dumps(as_document(policy))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FirstUse:
    """The binding of a database to the policy its first change runs under: written in the
    transaction of the first act appended to the ledger (every change of a new database
    appends one), kept waiting until it is seen committed."""

    def __init__(self, policy: Policy) -> None:
        self.text = canonical(policy)
        self.sha256 = digest(self.text)
        self._written_in: object | None = None

    def __call__(self, conn: Connection, at: datetime) -> bool:
        """Write the binding unless the database holds a policy; True once it does."""
        transaction = conn.get_transaction()
        if transaction is not None and transaction is self._written_in:
            return False  # written in this very transaction, not committed yet
        ledger.lock(conn, ledger.POLICY)  # another process may be binding now: after it
        row = policies.latest(conn)
        if row is None:
            self._written_in = transaction
            _insert(conn, self.text, at, "accel666", "system", FIRST_USE)
            return False
        if row.sha256 != self.sha256 and self._written_in is None:
            raise _differs(row, self.sha256, "the one this command runs under")
        return True  # bound: to this policy, or to one applied since


def bind(db: SAEngine, given: Policy | None) -> Policy:
    """The policy an Engine on `db` runs under: the stored one. Before the first change it is
    `given` (or the built-in), recorded with that change. A `given` policy that differs from
    the stored one is InvalidInput (field "policy") naming both digests."""
    with models.reading(db) as conn:
        row = policies.latest(conn)
    if row is None:
        chosen = given if given is not None else parse_builtin()
        binding = FirstUse(chosen)
        waiting = ledger.pending_first_append(db)
        if isinstance(waiting, FirstUse) and waiting.sha256 != binding.sha256:
            raise InvalidInput(
                "policy", f"another Engine on this database runs under policy "
                f"{waiting.sha256[:12]}, not yet recorded, and the one given ({chosen.source}) "
                f"differs ({binding.sha256[:12]}): give both the same policy", chosen.source)
        if not isinstance(waiting, FirstUse):
            ledger.before_first_append(db, binding)
        return chosen
    if given is None:
        return parse(row.text, source=f"<policy {row.sha256[:12]} stored in the database>")
    mine = digest(canonical(given))
    if mine != row.sha256:
        raise _differs(row, mine, f"the one given ({given.source})", given.source)
    return given


def _differs(row: Any, mine: str, what: str, source: str | None = None) -> InvalidInput:
    return InvalidInput(
        "policy",
        f"this database runs under policy {row.sha256[:12]} (applied "
        f"{row.applied_at:%Y-%m-%d} by {row.actor}), and {what} "
        f"differs ({mine[:12]}): to change the programme's rules, apply it with "
        "`accel666 policy apply FILE --as province`; to use the stored one, give no policy",
        source)


def parse_builtin() -> Policy:
    from accel666.policies import load

    return load(None)


def apply(db: SAEngine, current: Policy, new: Policy, now: datetime, actor: Actor,
          reason: str, *, override: bool = False) -> StoredPolicy:
    """Put `new` in force, as an audited act of whoever may extend deadlines (the province),
    after checking that every project keeps a batch, region and category it knows, and that
    `new` changes no window that has closed, refuses no decision on record and sets no
    target below what is published: Refused (guard "retroactive", naming each problem)
    unless `override`, which is recorded with the problems it overrode."""
    event = "policy"
    with models.writing(db) as conn:
        authorise(current, actor, "extend", source=None, region="", credit_code=None)
        ledger.first_append(conn, now)  # a database's first change binds its policy first
        misfits = _misfits(conn, new)
        if misfits:
            raise Refused(event, "projects", "the new policy does not know what projects on "
                          "record use: " + "; ".join(f"{k} {', '.join(v)}"
                                                     for k, v in misfits.items()),
                          facts=misfits)
        problems = retroactive.problems(conn, current, new, now)
        if problems and not override:
            raise Refused(event, "retroactive", "the new policy would change what is already "
                          "on record: " + "; ".join(problems) + " (--override with a --reason "
                          "applies it anyway; the override is recorded)",
                          facts={"problems": problems})
        stored = _insert(conn, canonical(new), now, actor.name, actor.role, reason,
                         overridden=tuple(problems) if override else None)
    log.info("policy_applied", sha256=stored.sha256, actor=actor.name, role=actor.role,
             reason=reason, at=now.isoformat(), override=stored.override,
             overridden=list(stored.overridden))
    return stored


def _misfits(conn: Connection, policy: Policy) -> dict[str, list[str]]:
    """The batches, regions and categories projects on record use that `policy` lacks."""
    known: dict[str, Collection[str]] = {"batch": policy.batches, "region": policy.regions,
                                         "category": policy.categories}
    out: dict[str, list[str]] = {}
    for name, values in known.items():
        missing = [str(v) for v in projects.values_used(conn, name) if v not in values]
        if missing:
            out[name] = missing
    return out


def _insert(conn: Connection, text: str, now: datetime, actor: str, role: str,
            reason: str, *, overridden: tuple[str, ...] | None = None) -> StoredPolicy:
    sha = digest(text)
    values = {"sha256": sha, "applied_at": now, "actor": actor, "role": role, "reason": reason}
    new_id = policies.insert_one(conn, text=text, sha256=sha, applied_at=now, actor=actor,
                                 role=role, reason=reason)
    body = chain.fields({"id": new_id, **values}, proofs.POLICY)
    if overridden is not None:
        body.update(override=True, overridden=list(overridden))
    ledger.append(conn, ledger.POLICY, "apply", now, actor, role, body)
    return StoredPolicy(new_id, sha, now, actor, role, reason, overridden is not None,
                        overridden or ())


def history(db: SAEngine) -> list[StoredPolicy]:
    """Every policy applied to the database, oldest first, with any override its act
    recorded."""
    with models.reading(db) as conn:
        rows = policies.history(conn)
        acts = {entry.body.get("id"): entry.body
                for entry in ledger_store.chain_entries(conn, ledger.POLICY)
                if isinstance(entry.body, dict)}
    out = []
    for r in rows:
        act = acts.get(r.id, {})
        overridden = act.get("overridden") if act.get("override") is True else None
        out.append(StoredPolicy(r.id, r.sha256, r.applied_at, r.actor, r.role, r.reason,
                                overridden is not None,
                                tuple(str(p) for p in overridden or ())))
    return out
