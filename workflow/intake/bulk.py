"""Docking every row of a sheet in one transaction, or none, through the dock path
(`changes.docking`): each row obeys what `dock` obeys (who may dock it, the registration region,
the batch's docking window, one live project per enterprise, category and batch), and every row
that would fail (against the database and within the file) is found before anything is
written. The whole import is one entry of the `docks` chain; a dry run, or an import with a
failing row, writes nothing at all (not even the policy binding a first change records)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine
from sqlalchemy.exc import IntegrityError

from accel666 import models
from accel666.errors import NotPermitted, Refused
from accel666.models.stores import projects
from accel666.policies import Policy
from accel666.workflow.actor import Actor
from accel666.workflow.changes import audit, docking
from accel666.workflow.changes.docking import Progress
from accel666.workflow.intake.rows import RowError


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
    header_row: int = 1  # where the headings were found, below any title rows

    def to_dict(self) -> dict[str, Any]:
        """As `import --json` prints it."""
        return {"imported": self.imported, "dry_run": self.dry_run, "batch": self.batch,
                "first_id": self.first_id, "last_id": self.last_id,
                "header_row": self.header_row, "errors": [e.to_dict() for e in self.errors]}


def dock_all(db: SAEngine, policy: Policy, now: datetime, actor: Actor,
             rows: Sequence[tuple[int, dict[str, str]]], errors: Sequence[RowError],
             chosen: str | None, *, columns: dict[str, str], letters: dict[str, str],
             header_row: int = 1, dry_run: bool = False,
             progress: Progress | None = None) -> ImportResult:
    """Check every row (with the `errors` already found in its cells), then dock them all in
    one transaction unless any failed or it is a dry run. `columns` names each field's heading
    and `letters` its column's letter, for the errors; `header_row` is where the headings
    were."""
    event = docking.EVENT
    with audit.attempt(event, actor, None), models.writing(db) as conn:
        opened = docking.opening(conn, policy, now, chosen)  # the same window for every row
        key = opened.batch
        found = sorted([*errors, *_refusals(conn, policy, actor, rows, key, columns,
                                             letters)],
                       key=lambda e: (e.row, e.column or ""))
        if found or dry_run:
            return ImportResult(0 if found else len(rows), dry_run, key, errors=tuple(found),
                                header_row=header_row)
        try:
            docked = docking.dock_projects(conn, actor, now, opened, [v for _, v in rows],
                                           progress)
        except IntegrityError as exc:
            if not projects.is_live_key_violation(exc):
                raise
            raise Refused(event, "duplicate", "another process docked one of these "
                          "enterprises meanwhile; nothing was imported: run the import "
                          "again to see which") from exc
    first, last = docked[0][0], docked[-1][0]
    audit.log.info("imported", batch=key, projects=len(docked), first=first, last=last,
                   actor=actor.name, role=actor.role, scope=actor.scope, at=now.isoformat())
    return ImportResult(len(docked), False, key, first, last, header_row=header_row)


def _refusals(conn: Connection, policy: Policy, actor: Actor,
              rows: Sequence[tuple[int, dict[str, str]]], batch: str,
              columns: dict[str, str], letters: dict[str, str]) -> list[RowError]:
    """Every row the dock path would refuse: the actor may not dock it, the enterprise is
    registered elsewhere, an earlier row holds its enterprise and category, or a live project
    of the batch does."""
    out: list[RowError] = []
    first_of: dict[tuple[str, str], int] = {}
    for number, v in rows:
        try:
            docking.permit(policy, actor, v)
        except NotPermitted as exc:
            out.append(RowError(number, columns["region"], v["region"], exc.reason,
                                "not_permitted", f"{letters['region']}{number}"))
            continue
        except Refused as exc:
            out.append(RowError(number, columns["credit_code"], v["credit_code"], exc.reason,
                                "refused", f"{letters['credit_code']}{number}"))
        pair = (v["credit_code"], v["category"])
        if pair in first_of:
            out.append(RowError(number, columns["credit_code"], v["credit_code"],
                                f"the same enterprise and category as row {first_of[pair]}",
                                "refused", f"{letters['credit_code']}{number}"))
        else:
            first_of[pair] = number
    held = projects.live_holders(conn, batch, [code for code, _ in first_of])
    for number, v in rows:
        holder = held.get((v["credit_code"], v["category"]))
        if holder is not None:
            out.append(RowError(number, columns["credit_code"], v["credit_code"],
                                f"already holds live project {holder} in category "
                                f"{v['category']} of batch {batch}", "refused",
                                f"{letters['credit_code']}{number}"))
    return out
