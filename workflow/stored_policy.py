"""The policy the database runs under, stored with it.

The first use of a database records the effective policy (the one given, or the built-in);
from then on every Engine on it runs under the stored one, whatever process opens it and with
or without `--policy`. A policy given that differs is refused until it is applied
(`Engine.apply_policy`, `accel666 policy apply`), an audited act that checks every project
still belongs to a batch, region and category of the new policy. Policies are compared by the
SHA-256 of their canonical text: the effective policy as TOML, every default spelled out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.errors import InvalidInput, Refused
from accel666.models.stores import policies, projects
from accel666.policies import Policy, as_document, parse
from accel666.record import chain, ledger, proofs
from accel666.workflow import logs
from accel666.workflow.actor import Actor
from accel666.workflow.changes.guards import authorise

log = logs.get_logger("accel666.policy")
FIRST_USE = "the policy in force when the database was first used"


@dataclass(frozen=True)
class StoredPolicy:
    """A policy as the database records it: its digest, who applied it, when and why."""

    id: int
    sha256: str
    applied_at: datetime
    actor: str
    role: str
    reason: str


def canonical(policy: Policy) -> str:
    """The policy's canonical text: the effective policy as TOML, every default spelled out."""
    import tomli_w

    return tomli_w.dumps(as_document(policy))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bind(db: SAEngine, now: datetime, given: Policy | None, *, record: bool) -> Policy:
    """The policy an Engine on `db` runs under: the stored one. Before the first use it is
    `given` (or the built-in), recorded if `record`. A `given` policy that differs from the
    stored one is InvalidInput (field "policy") naming both digests."""
    with models.reading(db) as conn:
        row = policies.latest(conn)
    if row is None:
        chosen = given if given is not None else parse_builtin()
        if record:
            text = canonical(chosen)
            with models.writing(db) as conn:
                if policies.latest(conn) is None:  # another process may have been first
                    _insert(conn, text, now, "accel666", "system", FIRST_USE)
        return chosen
    if given is None:
        return parse(row.text, source=f"<policy {row.sha256[:12]} stored in the database>")
    mine = digest(canonical(given))
    if mine != row.sha256:
        raise InvalidInput(
            "policy",
            f"this database runs under policy {row.sha256[:12]} (applied "
            f"{row.applied_at:%Y-%m-%d} by {row.actor}), and the one given ({given.source}) "
            f"differs ({mine[:12]}): to change the programme's rules, apply it with "
            "`accel666 policy apply FILE --as province`; to use the stored one, give no policy",
            given.source)
    return given


def parse_builtin() -> Policy:
    from accel666.policies import load

    return load(None)


def apply(db: SAEngine, current: Policy, new: Policy, now: datetime, actor: Actor,
          reason: str) -> StoredPolicy:
    """Put `new` in force, as an audited act of whoever may extend deadlines (the province),
    after checking that every project keeps a batch, region and category it knows."""
    event = "policy"
    with models.writing(db) as conn:
        authorise(current, actor, "extend", source=None, region="", credit_code=None)
        misfits = _misfits(conn, new)
        if misfits:
            raise Refused(event, "projects", "the new policy does not know what projects on "
                          "record use: " + "; ".join(f"{k} {', '.join(v)}"
                                                     for k, v in misfits.items()),
                          facts=misfits)
        text = canonical(new)
        stored = _insert(conn, text, now, actor.name, actor.role, reason)
    log.info("policy_applied", sha256=stored.sha256, actor=actor.name, role=actor.role,
             reason=reason, at=now.isoformat())
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
            reason: str) -> StoredPolicy:
    sha = digest(text)
    values = {"sha256": sha, "applied_at": now, "actor": actor, "role": role, "reason": reason}
    new_id = policies.insert_one(conn, text=text, sha256=sha, applied_at=now, actor=actor,
                                 role=role, reason=reason)
    ledger.append(conn, ledger.POLICY, "apply", now, actor, role,
                  chain.fields({"id": new_id, **values}, proofs.POLICY))
    return StoredPolicy(new_id, sha, now, actor, role, reason)


def history(db: SAEngine) -> list[StoredPolicy]:
    """Every policy applied to the database, oldest first."""
    with models.reading(db) as conn:
        rows = policies.history(conn)
    return [StoredPolicy(r.id, r.sha256, r.applied_at, r.actor, r.role, r.reason) for r in rows]

