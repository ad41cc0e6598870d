"""Who may read what, as the Engine applies it: an actor's reach from the policy's [reads], as
the condition it puts on the stores' lists and the refusal of a project beyond it.

A viewer is an actor checked against the policy, with its reach; a project, or a region, beyond
that reach is NotPermitted (guard `reads`).

Without an actor there is no viewer and nothing is narrowed: whoever holds the database (the
command line without --as, a host service) reads every project.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from accel666.errors import NotFound, NotPermitted
from accel666.models.stores import panels as panel_store
from accel666.models.stores import projects as project_store
from accel666.policies import Denial, Policy
from accel666.policies import rules as policy_rules
from accel666.policies.rules import Reach
from accel666.workflow.actor import Actor
from accel666.workflow.changes.guards import resolve_actor

READ = "read"  # the act a refusal names
# The project column each kind of reach narrows by (a reach of "all" narrows nothing).
COLUMNS = {"region": "region", "own": "credit_code", "panel": project_store.PANEL}


@dataclass(frozen=True)
class Viewer:
    """An actor reading, with its reach: the projects it may read."""

    actor: Actor
    reach: Reach

    @property
    def within(self) -> project_store.Within:
        """The stores' condition: (column, value), or None for a reader of every project."""
        if self.reach.kind == "all" or self.reach.scope is None:
            return None
        return COLUMNS[self.reach.kind], self.reach.scope


def viewer(policy: Policy, actor: Actor | None) -> Viewer | None:
    """The viewer `actor` is under `policy` (InvalidInput for a role or scope it does not
    know), or None when no actor is given."""
    if actor is None:
        return None
    checked = resolve_actor(policy, actor)
    return Viewer(checked, policy_rules.reach(policy, checked.role, checked.scope))


def within(who: Viewer | None) -> project_store.Within:
    """The condition `who`'s reach puts on a list (None: every project)."""
    return None if who is None else who.within


def _refused(who: Viewer, denial: Denial, project_id: int | None = None) -> NotPermitted:
    return NotPermitted(READ, denial.guard, denial.message, role=who.actor.role,
                        scope=who.actor.scope, project_id=project_id, facts=denial.facts)


def check_project(policy: Policy, who: Viewer | None, row: Any,
                  conn: Connection | None = None) -> None:
    """NotPermitted unless `who` (None: anyone) may read the project of `row`; an expert's
    panels are read on `conn`."""
    if who is None:
        return
    on_panel = who.reach.kind == "panel" and conn is not None and who.actor.scope is not None \
        and panel_store.sits_on(conn, row.id, who.actor.scope)
    denial = policy_rules.may_read(policy, who.actor.role, who.actor.scope, project_id=row.id,
                                   region=row.region, credit_code=row.credit_code,
                                   on_panel=on_panel)
    if denial is not None:
        raise _refused(who, denial, row.id)


def check_region(policy: Policy, who: Viewer | None, region: str | None) -> None:
    """NotPermitted if `who` is bound to a region and asks for another's projects."""
    if who is None:
        return
    denial = policy_rules.may_read_region(policy, who.actor.role, who.actor.scope, region)
    if denial is not None:
        raise _refused(who, denial)


def readable(conn: Connection, policy: Policy, who: Viewer | None, project_id: int) -> Any:
    """The project's row, if `who` may read it: NotFound when there is none, NotPermitted when
    it is beyond `who`'s reach."""
    row = project_store.load(conn, project_id)
    if row is None:
        raise NotFound("project", project_id)
    check_project(policy, who, row, conn)
    return row
