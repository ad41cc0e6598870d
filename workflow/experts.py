"""Experts: the province's registry of those who review applications on its panels.

Each expert has a key (the scope it acts under: `expert:KEY` on the command line, an operator
of role `expert:KEY` over HTTP), a name, a unit, and the enterprises (credit codes) and
regions it must stay away from: a panel of such a project refuses it. Adding one is an act of
the province, chained in the ledger's `experts` chain, which `verify` replays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.errors import InvalidInput, NotPermitted, Refused
from accel666.models.stores import experts as expert_store
from accel666.policies import Policy
from accel666.policies.rules import LookupFailed, find_region
from accel666.record import ledger, review
from accel666.workflow import logs
from accel666.workflow.actor import Actor
from accel666.workflow.changes import audit, inputs
from accel666.workflow.changes.guards import resolve_actor

log = logs.get_logger("accel666.experts")
KEEPER = "province"  # the registry and the panels are the province's
EXPERT = "expert"  # the role an expert acts as, its scope the expert's key
MAX_AVOID = 100


@dataclass(frozen=True)
class Expert:
    """An expert of the registry: key, name, unit, what it must avoid (credit codes and
    region codes), who added it and when."""

    id: int
    key: str
    name: str
    unit: str | None
    avoid: tuple[str, ...]
    added_at: datetime
    added_by: str

    def to_dict(self, zone: tzinfo | None = None) -> dict[str, Any]:
        """The expert as a JSON-ready document, times ISO 8601 in `zone` (default UTC)."""
        return {"key": self.key, "name": self.name, "unit": self.unit,
                "avoid": list(self.avoid),
                "added_at": self.added_at.astimezone(zone or UTC).isoformat(),
                "added_by": self.added_by}


def expert_from(row: Any) -> Expert:
    return Expert(id=row.id, key=row.key, name=row.name, unit=row.unit,
                  avoid=tuple(row.avoid or ()), added_at=row.added_at, added_by=row.added_by)


def keeper(policy: Policy, actor: Actor, act: str, doing: str) -> Actor:
    """`actor`, checked, if it is the province; NotPermitted (the act `act`, described as
    `doing`) otherwise."""
    who = resolve_actor(policy, actor)
    if who.role != KEEPER:
        raise NotPermitted(act, "role", f"role {who.role} may not {doing}: it is the "
                           f"province's (allowed: {KEEPER})", role=who.role, scope=who.scope)
    return who


def avoided(policy: Policy, items: Iterable[object]) -> tuple[str, ...]:
    """What an expert must avoid, each a credit code or a region (code, Chinese name or
    pinyin; kept as its code), in the order given, once each."""
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise InvalidInput("avoid", "expected a list of credit codes and regions", items)
    out: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str):
            raise InvalidInput("avoid", f"expected text, got {type(item).__name__}", item)
        try:
            out[find_region(policy, item).code] = None
            continue
        except LookupFailed:
            pass
        try:
            out[inputs.code(item)] = None
        except InvalidInput as exc:
            raise InvalidInput("avoid", f"{item!r} is neither a region (code, name or pinyin) "
                               f"nor a valid credit code ({exc.reason})", item) from exc
    if len(out) > MAX_AVOID:
        raise InvalidInput("avoid", f"at most {MAX_AVOID} entries", len(out))
    return tuple(out)


class Experts:
    """The Engine's part that keeps the registry."""

    def __init__(self, db: SAEngine, policy: Policy) -> None:
        self.db = db
        self.policy = policy

    def add(self, actor: Actor, key: str, *, name: str, unit: str | None,
            avoid: Iterable[object], now: datetime) -> Expert:
        """Add the expert `key` to the registry (the province)."""
        who = keeper(self.policy, actor, "expert", "add an expert")
        checked = inputs.expert_key(key)
        shown_name = inputs.text("name", name)
        shown_unit = None if unit is None else inputs.text("unit", unit)
        avoids = avoided(self.policy, avoid)
        values: dict[str, Any] = {"key": checked, "name": shown_name, "unit": shown_unit,
                                  "avoid": list(avoids), "added_at": now, "added_by": who.name}
        with audit.attempt("expert", who, None), models.writing(self.db) as conn:
            ledger.lock(conn, ledger.EXPERTS)
            if expert_store.by_key(conn, checked) is not None:
                raise Refused("expert", "duplicate", f"an expert with key {checked} is in the "
                              "registry already (a key is never given twice)",
                              facts={"key": checked})
            new_id = expert_store.insert_one(conn, values)
            ledger.append(conn, ledger.EXPERTS, "add", now, who.name, who.role,
                          review.expert_body({"id": new_id, **values}), locked=True)
        log.info("expert_added", key=checked, actor=who.name, at=now.isoformat())
        return Expert(id=new_id, key=checked, name=shown_name, unit=shown_unit, avoid=avoids,
                      added_at=now, added_by=who.name)

    def listed(self, actor: Actor | None = None) -> list[Expert]:
        """Every expert, in the order they were added, as `actor` may read the registry: the
        province (or no actor) all of it, an expert its own entry; anyone else is
        NotPermitted (guard reads): whom an expert must avoid is the province's to know."""
        who = None if actor is None else resolve_actor(self.policy, actor)
        if who is not None and who.role not in (KEEPER, EXPERT):
            raise NotPermitted("read", "reads", f"role {who.role} may not read the registry "
                               f"of experts: it is the province's (allowed: {KEEPER}; an "
                               "expert reads its own entry)", role=who.role, scope=who.scope)
        with models.reading(self.db) as conn:
            found = [expert_from(r) for r in expert_store.listed(conn)]
        if who is not None and who.role == EXPERT:
            return [x for x in found if x.key == who.scope]
        return found
