"""A role's worklist: what it may do next, and by when, soonest deadline first.

For each event of a phase the policy lets the role fire (apply, recommend, review, sign,
publish), the projects it may act on in a state the event moves from, with the close of the
phase's window (extensions counted); for an expert, the projects on its panels it has still
to score, by the close of the review window; then the open escalations addressed to it, to
acknowledge. Only what it may act on now or later: a window already closed is past doing
(`accel666 overdue` lists those). What a worklist holds is what the command line, the
service and the dashboard show the operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine as SAEngine

from accel666 import lifecycle, models
from accel666.models.stores import batches as batch_store
from accel666.models.stores import panels as panel_store
from accel666.models.stores import projects as project_store
from accel666.policies import Policy
from accel666.policies import rules as policy_rules
from accel666.workflow.actor import Actor
from accel666.workflow.changes.guards import resolve_actor
from accel666.workflow.deadlines.records import Escalation
from accel666.workflow.reads import viewer

# The events a worklist offers: those that complete a phase (dock, reject and withdraw are
# not work that waits on anyone).
EVENTS = tuple(p.event for p in lifecycle.PHASE_LIST if p.event != "dock")
SCORE = "score"  # an expert's task: its score on a project of its panels
UNDER_REVIEW = "recommended"  # the state a project is scored in


@dataclass(frozen=True)
class Task:
    """One thing to do: `event` on project `project_id` (or, for `ack`, escalation
    `escalation_id`), by `due` (None: no deadline), opening at `opens` if not open yet."""

    event: str
    project_id: int
    title: str
    state: str
    batch: str | None
    due: datetime | None
    opens: datetime | None = None
    escalation_id: int | None = None
    level: int | None = None

    def to_dict(self, zone: Any) -> dict[str, Any]:
        """As `todo --json` prints it and `GET /todo` answers (times in `zone`)."""
        def local(moment: datetime | None) -> str | None:
            return None if moment is None else moment.astimezone(zone).isoformat()

        return {"event": self.event, "project_id": self.project_id, "title": self.title,
                "state": self.state, "batch": self.batch, "due": local(self.due),
                "opens": local(self.opens), "escalation_id": self.escalation_id,
                "level": self.level}


def tasks(db: SAEngine, policy: Policy, actor: Actor, now: datetime,
          escalations: list[Escalation]) -> list[Task]:
    """`actor`'s worklist at `now`: the projects it may move on, by the close of each
    event's window, then the `escalations` (open ones) addressed to it; soonest first."""
    who = viewer(policy, actor)  # the actor resolved, with its reach
    assert who is not None
    checked = who.actor
    found: list[Task] = []
    with models.reading(db) as conn:
        for event in EVENTS:
            grants = [g for g in policy.permissions.get(event, []) if g.role == checked.role]
            if not grants:
                continue
            phase = lifecycle.PHASE_OF_EVENT[event]
            sources = {s for e in lifecycle.TRANSITIONS if e.event == event for s in e.sources}
            windows: dict[str, tuple[datetime | None, datetime] | None] = {}
            for state in sorted(sources):
                for row in project_store.find(conn, state=state,
                                              reach=who.within):
                    if policy_rules.authorise(policy, checked.role, checked.scope, event,
                                              source=row.state, region=row.region,
                                              credit_code=row.credit_code) is not None:
                        continue
                    if row.batch not in windows:
                        windows[row.batch] = _window(conn, policy, row.batch, phase)
                    window = windows[row.batch]
                    if window is None or window[1] < now:
                        continue  # no such batch any more, or past doing
                    opens, last = window
                    found.append(Task(event, row.id, row.title, row.state, row.batch,
                                      last, opens if opens is not None and opens > now
                                      else None))
        if checked.role == "expert" and checked.scope is not None:
            for row in panel_store.to_score(conn, checked.scope, UNDER_REVIEW):
                window = _window(conn, policy, row.batch, lifecycle.PHASE_OF_EVENT["review"])
                if window is not None and window[1] >= now:
                    opens, last = window
                    found.append(Task(SCORE, row.id, row.title, row.state, row.batch, last,
                                      opens if opens is not None and opens > now else None))
        for e in escalations:
            if e.target_role == checked.role and (e.target_scope is None
                                                 or e.target_scope == checked.scope):
                project = project_store.load(conn, e.project_id)
                found.append(Task("ack", e.project_id, "" if project is None else project.title,
                                  e.state_seen, e.batch, None, escalation_id=e.id,
                                  level=e.level))
    return sorted(found, key=lambda t: (t.due is None, t.due or now, t.project_id, t.event))


def _window(conn: Any, policy: Policy, batch: str, phase: str
            ) -> tuple[datetime | None, datetime] | None:
    """When the batch's `phase` window opens (None: from the start) and its last moment
    (23:59:59.999999 of its last day), extensions counted; None for a batch the policy no
    longer has."""
    found = policy.batches.get(batch)
    if found is None:
        return None
    window = policy_rules.effective_window(found.windows[phase],
                                           batch_store.extended_until(conn, batch, phase))
    return window.opens_at, policy_rules.last_moment(window)


def offered(policy: Policy, actor: Actor, project: Any) -> tuple[str, ...]:
    """The lifecycle's events `actor` may fire on `project` as its role, its scope and the
    project's state go, in the definition's order: what a page offers it. A window or another
    guard may still refuse one when it is fired, as it would from the command line."""
    checked = resolve_actor(policy, actor)
    events = dict.fromkeys(e.event for e in lifecycle.TRANSITIONS
                           if project.state in e.sources and e.event != "dock")
    return tuple(event for event in events
                 if event in policy.permissions
                 and policy_rules.authorise(policy, checked.role, checked.scope, event,
                                            source=project.state, region=project.region,
                                            credit_code=project.credit_code) is None)
