"""One state change of one existing project, inside the caller's write transaction: authorise,
guard, fire the machine, chain the log row, compare-and-set. Every event on a project takes
this path, whether fired alone (`Engine._advance`) or for each project of a batch
(`changes.batches.publish`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from accel666.models.stores import batches, projects
from accel666.policies import PHASE_OF_EVENT, Policy
from accel666.workflow.actor import Actor
from accel666.workflow.changes import audit, machine, notice_gate
from accel666.workflow.changes.guards import Attempt, authorise
from accel666.workflow.records import Project, project_from

# Extra column values a change writes besides its state (apply: the paper copies), computed in
# the transaction once the guards have passed.
Extra = Callable[[Connection, Any, datetime], dict[str, Any]]


def change(
    conn: Connection,
    policy: Policy,
    actor: Actor,
    row: Any,
    event: str,
    now: datetime,
    payload: dict[str, Any],
    *,
    extension: Callable[[], date | None] | None = None,
    extra: Extra | None = None,
    paper_copies: int = 0,
    documents: int = 0,
    verdict: str | None = None,
) -> Project:
    """Fire `event` on the project `row` (as loaded in this transaction) and write the change:
    the project moves from its version to the next, and its log gains the row. `extension`
    gives the latest extension of the event's window; by default it is read when needed."""
    pid = row.id
    authorise(policy, actor, event, source=row.state, region=row.region,
              credit_code=row.credit_code, project_id=pid)
    phase = PHASE_OF_EVENT.get(event)
    if extension is None and phase is not None:
        def extension() -> date | None:
            return batches.extended_until(conn, row.batch, phase)
    step = Attempt(policy, event, policy.batches[row.batch], now, project_id=pid,
                extension=extension, paper_copies=paper_copies, documents=documents,
                verdict=verdict)
    state = machine.fire(event, row.state, step)
    notice_gate.check(conn, policy, row, event, now)  # the public notice, where it gates
    entry = audit.log_row(pid, row.version + 1, event, row.state, state, actor, now, payload,
                          row.head_hash)
    values = {"state": state, "updated_at": now, "head_hash": entry["hash"]}
    if extra is not None:
        values.update(extra(conn, row, now))
    projects.compare_and_set(conn, event, pid, row.version, values)
    projects.log(conn, entry)
    return project_from({**row._asdict(), **values, "version": row.version + 1})
