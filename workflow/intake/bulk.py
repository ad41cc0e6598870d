"""Docking every row of a sheet in one transaction, or none: each row obeys what `dock` obeys
(who may dock it, the registration region, the batch's docking window, one live project per
enterprise, category and batch: against the database and within the file)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy import Engine as SAEngine
from sqlalchemy.exc import IntegrityError

from accel666 import lifecycle, models
from accel666.errors import NotPermitted, Refused
from accel666.models import LIVE
from accel666.policies import Policy
from accel666.policies import rules as policy_rules
from accel666.record import chain, proofs
from accel666.workflow import store
from accel666.workflow.actor import Actor
from accel666.workflow.changes import audit, docking, machine
from accel666.workflow.changes.guards import Attempt, authorise
from accel666.workflow.intake.rows import RowError

P = models.project_table.c
CHUNK = 1000
Progress = Callable[[int, int], None]  # (rows done, rows in all)


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, with `dry_run`, would do): the projects docked (ids first..last,
    ascending in the file's order) or, if any row failed, nothing and every failing row."""

    imported: int
    dry_run: bool
    batch: str | None
    first_id: int | None = None
    last_id: int | None = None
    errors: tuple[RowError, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """As `import --json` prints it."""
        return {"imported": self.imported, "dry_run": self.dry_run, "batch": self.batch,
                "first_id": self.first_id, "last_id": self.last_id,
                "errors": [e.to_dict() for e in self.errors]}


def dock_all(db: SAEngine, policy: Policy, now: datetime, actor: Actor,
             rows: Sequence[tuple[int, dict[str, str]]], errors: Sequence[RowError],
             chosen: str | None, *, columns: dict[str, str], dry_run: bool = False,
             progress: Progress | None = None) -> ImportResult:
    """Check every row (with the `errors` already found in its cells), then dock them all in
    one transaction unless any failed or it is a dry run. `columns` names each field's heading,
    for the errors."""
    event = "dock"
    with audit.attempt(event, actor, None), models.writing(db) as conn:
        key = chosen or docking.open_batch(conn, policy, now)
        machine.fire(event, lifecycle.NEW, Attempt(  # the window: the same for every row
            policy, event, policy.batches[key], now,
            extension=lambda: store.extended_until(conn, key, "docking")))
        found = sorted([*errors, *_refusals(conn, policy, actor, rows, key, columns)],
                       key=lambda e: (e.row, e.column or ""))
        if found or dry_run:
            return ImportResult(0 if found else len(rows), dry_run, key, errors=tuple(found))
        try:
            ids = _insert(conn, actor, rows, key, now, progress)
        except IntegrityError as exc:
            if not store.is_live_key_violation(exc):
                raise
            raise Refused(event, "duplicate", "another process docked one of these "
                          "enterprises meanwhile; nothing was imported: run the import "
                          "again to see which") from exc
    audit.log.info("imported", batch=key, projects=len(ids), first=ids[0], last=ids[-1],
                   actor=actor.name, role=actor.role, scope=actor.scope, at=now.isoformat())
    return ImportResult(len(ids), False, key, ids[0], ids[-1])


def _refusals(conn: Connection, policy: Policy, actor: Actor,
              rows: Sequence[tuple[int, dict[str, str]]], batch: str,
              columns: dict[str, str]) -> list[RowError]:
    out: list[RowError] = []
    first_of: dict[tuple[str, str], int] = {}
    for number, v in rows:
        try:
            authorise(policy, actor, "dock", source=None, region=v["region"],
                      credit_code=v["credit_code"])
        except NotPermitted as exc:
            out.append(RowError(number, columns["region"], v["region"], exc.reason,
                                "not_permitted"))
            continue
        denial = policy_rules.check_registration(policy, actor.role, actor.scope,
                                                 v["credit_code"])
        if denial is not None:
            out.append(RowError(number, columns["credit_code"], v["credit_code"],
                                denial.message, "refused"))
        pair = (v["credit_code"], v["category"])
        if pair in first_of:
            out.append(RowError(number, columns["credit_code"], v["credit_code"],
                                f"the same enterprise and category as row {first_of[pair]}",
                                "refused"))
        else:
            first_of[pair] = number
    held = _live(conn, batch, [code for code, _ in first_of])
    for number, v in rows:
        holder = held.get((v["credit_code"], v["category"]))
        if holder is not None:
            out.append(RowError(number, columns["credit_code"], v["credit_code"],
                                f"already holds live project {holder} in category "
                                f"{v['category']} of batch {batch}", "refused"))
    return out


def _live(conn: Connection, batch: str, codes: list[str]) -> dict[tuple[str, str], int]:
    """The live projects of `batch` these enterprises hold, by (credit code, category)."""
    held: dict[tuple[str, str], int] = {}
    for start in range(0, len(codes), 500):
        q = select(P.credit_code, P.category, P.id).where(
            P.batch == batch, P.credit_code.in_(codes[start:start + 500]), LIVE)
        held.update({(c, cat): pid for c, cat, pid in conn.execute(q)})
    return held


def _insert(conn: Connection, actor: Actor, rows: Sequence[tuple[int, dict[str, str]]],
            batch: str, now: datetime, progress: Progress | None) -> list[int]:
    """Each project, its dock log row and its chain head, a chunk of rows per statement."""
    state = lifecycle.STATE_OF_PHASE["docking"]
    put = insert(models.project_table).returning(P.id, sort_by_parameter_order=True)
    head = update(models.project_table).where(P.id == bindparam("pid")).values(
        head_hash=bindparam("head"))
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        chunk = [{**v, "batch": batch, "state": state, "version": 1, "created_at": now,
                  "updated_at": now, "head_hash": ""} for _, v in rows[start:start + CHUNK]]
        new = [int(r.id) for r in conn.execute(put, chunk)]
        entries = [audit.log_row(pid, 1, "dock", None, state, actor, now, {
            "identity": {k: p[k] for k in proofs.IDENTITY}}, chain.GENESIS)
            for pid, p in zip(new, chunk, strict=True)]
        conn.execute(insert(models.transition_table), entries)
        conn.execute(head, [{"pid": e["project_id"], "head": e["hash"]} for e in entries])
        ids += new
        if progress is not None:
            progress(len(ids), len(rows))
    return ids
