"""What every change leaves behind: its row in the transition log and its structured log events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from accel666.errors import WorkflowError
from accel666.record import chain
from accel666.workflow import logs
from accel666.workflow.actor import Actor
from accel666.workflow.records import Project

log = logs.get_logger("accel666.workflow")


def log_row(project_id: int, seq: int, event: str, source: str | None, dest: str,
            actor: Actor, now: datetime, payload: dict[str, Any], prev: str) -> dict[str, Any]:
    """The transition-log row for one change, chained to the hash of the project's previous row.

    `seq` is the version the change produced; the row's `hash` becomes the project's head.
    """
    row = {"project_id": project_id, "seq": seq, "event": event, "from_state": source,
           "to_state": dest, "actor": actor.name, "role": actor.role, "scope": actor.scope,
           "at": now, "payload": payload}
    row["hash"] = chain.row_hash(row, prev)
    return row


@contextmanager
def attempt(trigger: str, actor: Actor, project_id: int | None) -> Iterator[None]:
    """Log every refusal of an attempted change with its facts; the error goes on to the caller."""
    try:
        yield
    except WorkflowError as exc:
        fields: dict[str, Any] = {"trigger": trigger, "project": project_id, "actor": actor.name,
                                  "role": actor.role, "scope": actor.scope}
        details = exc.details()
        details.pop("event", None)
        details.pop("role", None)
        details.pop("scope", None)
        # Merged into one mapping: a detail named like a field (InvalidInput's "reason") must not
        # turn the refusal into a TypeError/KeyError of the logging call.
        log.warning("refused", **{**details, **fields, "error": type(exc).__name__,
                                  "reason": exc.message})
        raise


def transitioned(record: Project, trigger: str, source: str | None, actor: Actor,
                 payload: dict[str, Any]) -> None:
    log.info("transition", trigger=trigger, project=record.id, from_state=source,
             to_state=record.state, version=record.version, batch=record.batch,
             region=record.region, category=record.category, actor=actor.name, role=actor.role,
             scope=actor.scope, at=record.updated_at.isoformat(), payload=payload)
