"""Docking: new projects enter the lifecycle in the batch named, or the one open for docking.

One path docks them, one project (`dock`) or a bureau's sheet of them (`intake.bulk`), in the
caller's write transaction: `permit` says whether the actor may dock a project (who may dock
it, the registration region), `opening` finds the batch and checks its docking window, and
`dock_projects` writes the projects, their first log rows chained from genesis, their chain
heads and the act's one entry in the programme-wide `docks` chain of the ledger (each
project's id and identity), so that a project deleted with all its rows is still named. The
live-project key of the database is the duplicate check: nothing is read before the insert,
and the project that holds the key is looked up only after a refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine
from sqlalchemy.exc import IntegrityError

from accel666 import lifecycle, models
from accel666.errors import InvalidInput, Refused
from accel666.models.stores import batches, projects
from accel666.policies import Policy
from accel666.policies import rules as policy_rules
from accel666.record import chain, ledger, proofs
from accel666.workflow.actor import Actor
from accel666.workflow.changes import audit, machine
from accel666.workflow.changes.guards import Attempt, authorise, refuse
from accel666.workflow.records import Project, project_from

EVENT = "dock"
CHUNK = 1000  # projects written per statement
Progress = Callable[[int, int], None]  # (projects docked, projects in all)


@dataclass(frozen=True)
class Opening:
    """Where docked projects go: the batch, and the state a dock there starts a project in."""

    batch: str
    state: str


def permit(policy: Policy, actor: Actor, values: Mapping[str, str]) -> None:
    """May `actor` dock the project `values` describes: NotPermitted if its role or scope may
    not dock in the project's region, Refused if the enterprise is registered elsewhere."""
    authorise(policy, actor, EVENT, source=None, region=values["region"],
              credit_code=values["credit_code"])
    if denial := policy_rules.check_registration(policy, actor.role, actor.scope,
                                                 values["credit_code"]):
        raise refuse(EVENT, denial, None)


def opening(conn: Connection, policy: Policy, now: datetime, chosen: str | None) -> Opening:
    """Batch `chosen`, or the one batch open for docking at `now`, once its docking window
    (extensions included) is checked: Refused if it is closed."""
    key = chosen or open_batch(conn, policy, now)
    step = Attempt(policy, EVENT, policy.batches[key], now,
                   extension=lambda: batches.extended_until(conn, key, "docking"))
    return Opening(key, machine.fire(EVENT, lifecycle.NEW, step))


def dock_projects(conn: Connection, actor: Actor, now: datetime, opened: Opening,
                  values: Sequence[Mapping[str, str]], progress: Progress | None = None
                  ) -> list[tuple[int, str]]:
    """Write the projects `values` describe (checked, each permitted) in the `opened` batch,
    each with its dock log row (its identity, chained from genesis) and its chain head, `CHUNK`
    projects per statement, and the act's one `dock` entry in the `docks` chain holding each
    project's id and identity (a dock's one, or all of a sheet's); (id, head hash) of each, in
    order. The chain's lock is taken first, so ids ascend along the chain. `IntegrityError`
    if one breaks the live-project key (see `projects.is_live_key_violation`);
    `progress(done, total)` after each chunk."""
    state, fixed = opened.state, new_row({}, opened, now)
    ledger.lock(conn, ledger.DOCKS)
    docked: list[tuple[int, str]] = []
    held: list[list[Any]] = []
    for start in range(0, len(values), CHUNK):
        rows = [{**v, **fixed} for v in values[start:start + CHUNK]]
        ids = projects.insert_new(conn, rows)
        entries = [audit.log_row(pid, 1, EVENT, None, state, actor, now, identity(row),
                                 chain.GENESIS) for pid, row in zip(ids, rows, strict=True)]
        projects.log_all(conn, entries)
        heads = [(entry["project_id"], entry["hash"]) for entry in entries]
        projects.set_heads(conn, heads)
        held += [[pid, *(row[name] for name in proofs.IDENTITY)]
                 for pid, row in zip(ids, rows, strict=True)]
        docked += heads
        if progress is not None:
            progress(len(docked), len(values))
    ledger.append(conn, ledger.DOCKS, EVENT, now, actor.name, actor.role,
                  {"scope": actor.scope, "projects": held}, locked=True)
    return docked


def new_row(values: Mapping[str, str], opened: Opening, now: datetime) -> dict[str, Any]:
    """The row of a project docked in the `opened` batch at `now`, before its head is known."""
    return {**values, "batch": opened.batch, "state": opened.state, "version": 1,
            "created_at": now, "updated_at": now, "head_hash": ""}


def identity(row: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of a dock log row: the project's identity, which decides who may act on it
    (its chain holds it)."""
    return {"identity": {name: row[name] for name in proofs.IDENTITY}}


def dock(db: SAEngine, policy: Policy, now: datetime, actor: Actor, values: dict[str, str],
         chosen: str | None) -> Project:
    """Dock the project described by `values` (checked) in batch `chosen`, or in the one batch
    open for docking at `now`; its first log row in the same transaction."""
    with audit.attempt(EVENT, actor, None):
        permit(policy, actor, values)
        key = chosen
        try:
            with models.writing(db) as conn:
                opened = opening(conn, policy, now, chosen)
                key = opened.batch
                [(project_id, head)] = dock_projects(conn, actor, now, opened, [values])
        except IntegrityError as exc:
            if key is None or not projects.is_live_key_violation(exc):
                raise
            raise _duplicate(values, key, _live_holder(db, values, key)) from exc
        row = new_row(values, opened, now)
        record = project_from({**row, "id": project_id, "paper_copies": None,
                               "head_hash": head})
    audit.transitioned(record, EVENT, None, actor, identity(row))
    return record


def open_batch(conn: Connection, policy: Policy, now: datetime) -> str:
    """The one batch whose docking window is open at `now`, extensions included."""
    all_batches = policy.batches.values()
    closed = [b for b in all_batches if now >= b.windows["docking"].closes_at]
    # Only an extension can reopen a closed window: read them only if one has closed.
    extended = batches.all_extensions(conn) if closed else {}
    open_now = [b.key for b in all_batches if policy_rules.check_window(
        b, EVENT, now, extended.get((b.key, "docking"))) is None]
    if len(open_now) == 1:
        return open_now[0]
    if not open_now:
        raise Refused(EVENT, "window", "no batch is open for docking now; name one "
                      f"(batches: {', '.join(policy.batches)})", facts={"now": str(now)})
    raise InvalidInput("batch", f"several batches are open for docking ({', '.join(open_now)});"
                       " name one", None)


def _live_holder(db: SAEngine, values: Mapping[str, str], batch: str) -> int | None:
    """The project that holds the live key a dock ran into (None if it has since ended)."""
    with models.reading(db) as conn:
        return projects.live_holder(conn, values["credit_code"], values["category"], batch)


def _duplicate(values: Mapping[str, str], batch: str, other: int | None) -> Refused:
    held = f"live project {other}" if other is not None else "a live project"
    return Refused(
        EVENT, "duplicate",
        f"enterprise {values['credit_code']} already holds {held} in category "
        f"{values['category']} of batch {batch}",
        project_id=other,
        facts={"credit_code": values["credit_code"], "category": values["category"],
               "batch": batch},
    )
