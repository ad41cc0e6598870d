"""What the record's chains prove about each table, as lists of columns, and the adoption
digests over the rows a database held when it was upgraded to schema 0007.

Rows written later are proved one by one by their chain entries (record.ledger and the
transition log); rows written before could only be fixed as they were found, one digest per
table, recorded in the `adopted` chain by migration 0007 and recomputed by `verify`. Migration
0011 adopted the projects and the deliveries a database held into the `docks` and `outbox`
chains, one by one (`held_projects`, `held_deliveries`).
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from typing import Any

from sqlalchemy import Connection, Table

from accel666.models.escalations import delivery_table, escalation_table
from accel666.models.stores import ledger as ledger_store
from accel666.models.tables import extension_table, policy_table, project_table
from accel666.record import chain

# A project's identity, recorded in its dock entry.
IDENTITY = ("title", "enterprise", "credit_code", "region", "category", "batch")
# A project as an entry of the `docks` chain holds it: one list of these values each.
DOCKED = ("id", *IDENTITY)
# A delivery of the outbox as an entry of the `outbox` chain holds it, as the act left it:
# where it goes, its state and how often it was attempted (one list of these values each).
DELIVERY = ("id", "escalation_id", "notifier", "endpoint", "status", "attempts")
EXTENSION_ACT = ("id", "batch", "phase", "until", "reason", "actor", "role", "at", "follows",
                 "override")
REVOCATION = ("revoked_at", "revoked_by", "revoked_role", "revoke_reason")
RECORDED = ("id", "project_id", "batch", "phase", "deadline", "level", "due_at", "fired_at",
            "lateness_seconds", "target_role", "target_scope", "state_seen", "idempotency_key",
            "lapsed")
# What a sweep's entry proves of each escalation it recorded: the columns that vary from row to
# row go into its digest; the rest are the same for every row of a rung (batch, phase, level),
# and the entry lists them once per rung.
RECORDED_ROW = ("id", "project_id", "phase", "level", "state_seen", "target_scope",
                "idempotency_key")
RUNG = ("batch", "phase", "level", "deadline", "due_at", "fired_at", "lateness_seconds",
        "target_role", "lapsed")
ACK = ("acked_at", "acked_by", "ack_role", "ack_scope", "ack_note")
RESOLUTION = ("id", "resolved_at")
POLICY = ("id", "sha256", "applied_at", "actor", "role", "reason")
# An operator as its grant records it (the SHA-256 of its token included: a swapped hash
# would let another token in), and its revocation.
OPERATOR = ("id", "name", "role", "scope", "token_sha256", "granted_at", "granted_by")
OPERATOR_REVOCATION = ("revoked_at", "revoked_by", "revoke_reason")

# An expert as the `experts` chain records its addition; a panel seat as the `panels` chain
# records its assignment, and the recusal and the score later written on it.
EXPERT = ("id", "key", "name", "unit", "avoid", "added_at", "added_by")
SEAT = ("id", "project_id", "expert", "assigned_at", "assigned_by")
RECUSAL = ("recused_at", "recuse_reason")
SCORE = ("score", "comment", "scored_at")

ADOPTED_CHAIN = "adopted"


def _without(values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {**values, **dict.fromkeys(names)}


def adoption(conn: Connection, through: dict[str, int], *, acked_later: Container[int] = (),
             resolved_later: Container[int] = (), revoked_later: Container[int] = ()
             ) -> dict[str, dict[str, Any]]:
    """The digest of each table's rows up to `through[table]` as they stood at adoption: what
    later chain entries changed (an acknowledgement, a resolution, a revocation) is taken out."""
    def digest(table: Table, names: tuple[str, ...], key: str, adjust: Any,
               extra: tuple[str, ...] = ()) -> dict[str, Any]:
        d = chain.Digest()
        # Only the columns named: a migration runs this against the schema of its revision.
        columns = tuple(dict.fromkeys(("id", *names, *extra)))
        for row in ledger_store.held(conn, table, columns, through[key]):
            d.add(adjust(row, chain.fields(row, names)))
        return {"through": through[key], **d.summary()}

    def project(row: Any, values: dict[str, Any]) -> dict[str, Any]:
        return values

    def extension(row: Any, values: dict[str, Any]) -> dict[str, Any]:
        return _without(values, REVOCATION) if row.id in revoked_later else values

    def escalation(row: Any, values: dict[str, Any]) -> dict[str, Any]:
        if row.id in acked_later:
            values = _without(values, ACK)
        if row.resolved_in is not None or row.id in resolved_later:
            values = _without(values, ("resolved_at",))
        return values

    return {
        "projects": digest(project_table, ("id", *IDENTITY, "created_at"), "projects", project),
        "extensions": digest(extension_table, EXTENSION_ACT + REVOCATION, "extensions",
                             extension),
        "escalations": digest(escalation_table, RECORDED + ACK + ("resolved_at",),
                              "escalations", escalation, ("resolved_in",)),
        "policies": digest(policy_table, POLICY, "policies", project),
    }


def held_projects(conn: Connection, through: int, chunk: int) -> Iterator[list[list[Any]]]:
    """The projects with ids up to `through`, `chunk` at a time, each as `DOCKED` values:
    the bodies of the `docks` chain's adoption entries (migration 0011)."""
    part: list[list[Any]] = []
    for row in ledger_store.held(conn, project_table, DOCKED, through):
        part.append([row.id, *(getattr(row, n) for n in IDENTITY)])
        if len(part) == chunk:
            yield part
            part = []
    if part:
        yield part


def held_deliveries(conn: Connection, through: int, chunk: int) -> Iterator[list[list[Any]]]:
    """The deliveries with ids up to `through`, `chunk` at a time, each as `DELIVERY` values:
    the bodies of the `outbox` chain's adoption entries (migration 0011)."""
    part: list[list[Any]] = []
    for row in ledger_store.held(conn, delivery_table, DELIVERY, through):
        part.append(list(row))
        if len(part) == chunk:
            yield part
            part = []
    if part:
        yield part
