"""The programme's guards, as the engine applies them: policy decisions turned into errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from accel666.errors import InvalidInput, NotPermitted, Refused
from accel666.policies import Batch, Denial, Policy
from accel666.policies import rules as policy_rules
from accel666.workflow.actor import Actor
from accel666.workflow.changes import inputs


def resolve_actor(policy: Policy, actor: object) -> Actor:
    """Check the actor against the policy and put its scope in canonical form."""
    if not isinstance(actor, Actor):
        raise InvalidInput("actor", f"expected an Actor, got {type(actor).__name__}")
    name = inputs.text("actor name", actor.name)
    # Checked before the lookup: an unhashable role (a list from JSON) must not raise TypeError,
    # and a scope of another type (0, False, []) must not be stored as it is.
    if not isinstance(actor.role, str):
        raise InvalidInput("role", f"expected text, got {type(actor.role).__name__}", actor.role)
    if actor.scope is not None and not isinstance(actor.scope, str):
        raise InvalidInput("scope", f"expected text or None, got {type(actor.scope).__name__}",
                           actor.scope)
    role = policy.roles.get(actor.role)
    if role is None:
        raise InvalidInput("role", f"unknown role {actor.role!r}; roles: {', '.join(policy.roles)}",
                           actor.role)
    scope = actor.scope
    if role.scope == "none":
        if scope:
            raise InvalidInput("scope", f"role {role.key} acts province-wide and takes no scope",
                               scope)
    elif not scope:
        what = {"region": "a region (city:suzhou)", "expert": "an expert's key (expert:wang)"
                }.get(role.scope, "a credit code")
        raise InvalidInput("scope", f"role {role.key} needs {what} as its scope")
    else:
        try:
            scope = inputs.region(policy, scope) if role.scope == "region" else \
                inputs.expert_key(scope) if role.scope == "expert" else inputs.code(scope)
        except InvalidInput as exc:
            raise InvalidInput("scope", f"{role.key} scope {scope!r}: {exc.reason}", scope) from exc
    if (name, scope) == (actor.name, actor.scope):
        return actor
    return Actor(name=name, role=actor.role, scope=scope)


def authorise(
    policy: Policy,
    actor: Actor,
    event: str,
    *,
    source: str | None,
    region: str,
    credit_code: str | None,
    project_id: int | None = None,
) -> None:
    denial = policy_rules.authorise(
        policy, actor.role, actor.scope, event,
        source=source, region=region, credit_code=credit_code,
    )
    if denial is not None:
        raise NotPermitted(event, denial.guard, denial.message, role=actor.role,
                           scope=actor.scope, project_id=project_id, facts=denial.facts)


def refuse(event: str, denial: Denial, project_id: int | None) -> Refused:
    return Refused(event, denial.guard, denial.message, project_id=project_id, facts=denial.facts)


@dataclass
class Attempt:
    """One attempted change, with the facts its guards need. Handed to the state machine."""

    policy: Policy
    event: str
    batch: Batch
    now: datetime
    project_id: int | None = None
    # The latest recorded extension of the event's window, asked for only when the window as
    # the policy sets it says no: extensions only ever lengthen a window.
    extension: Callable[[], date | None] | None = None
    paper_copies: int = 0
    documents: int = 0
    verdict: str | None = None

    def check_guards(self) -> None:
        denial = policy_rules.check_window(self.batch, self.event, self.now)
        if denial is not None and self.extension is not None:
            denial = policy_rules.check_window(self.batch, self.event, self.now, self.extension())
        if denial is None and self.event == "apply":
            denial = policy_rules.check_materials(self.policy, self.paper_copies, self.documents)
        if denial is not None:
            raise refuse(self.event, denial, self.project_id)
