"""Replaying recorded decisions: each row of a project's transition log checked against a
policy's rules as the engine checked them when the row was written (who may fire the event,
the registration region of a dock, the phase window with the extensions in force at that
moment, the materials of an application), and the policy in force at each moment (the stored
policies, by when they were applied).

`verify` replays every decision against the policy of its time; `policy apply` replays a
batch's decisions against the policy about to be put in force.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from accel666.lifecycle import PHASE_OF_EVENT
from accel666.policies import Denial, Policy
from accel666.policies import rules as policy_rules

MATERIALS = policy_rules.MATERIALS


@dataclass(frozen=True)
class ExtensionAct:
    """One extension as the decisions after it saw it: in force from `at` until `revoked_at`."""

    batch: str
    phase: str
    until: date
    at: datetime
    revoked_at: datetime | None


class Extensions:
    """The extensions of each window over time: the day a window was extended to at a moment."""

    def __init__(self, acts: Iterable[ExtensionAct]) -> None:
        self._by_window: dict[tuple[str, str], list[ExtensionAct]] = {}
        for act in acts:
            self._by_window.setdefault((act.batch, act.phase), []).append(act)

    @classmethod
    def of(cls, rows: Iterable[Any]) -> Extensions:
        """From extension rows (batch, phase, until, at, revoked_at)."""
        return cls(ExtensionAct(r.batch, r.phase, r.until, r.at, r.revoked_at) for r in rows)

    def until(self, batch: str, phase: str, moment: datetime) -> date | None:
        """The latest day the window was extended to at `moment`: extensions granted by then
        and not revoked before it (one revoked at that very moment still counts)."""
        days = [a.until for a in self._by_window.get((batch, phase), ())
                if a.at <= moment and (a.revoked_at is None or a.revoked_at >= moment)]
        return max(days, default=None)


def refusal(policy: Policy, extensions: Extensions, project: Any, row: Any) -> Denial | None:
    """Why `policy` would have refused the log row `row` of `project` (its batch, region and
    credit code) at the row's moment, or None if it would have let it through. A batch the
    policy does not know is not judged here (`verify` names such a project on its own)."""
    batch = policy.batches.get(project.batch)
    if batch is None:
        return None
    event = row.event
    if event not in policy.permissions or row.role not in policy.roles:
        return Denial(policy_rules.ROLE, f"role {row.role} may not {event} (no such role or "
                      "act in the policy)")
    try:
        denial = policy_rules.authorise(
            policy, row.role, row.scope, event, source=row.from_state, region=project.region,
            credit_code=project.credit_code)
        if denial is None and event == "dock":
            denial = policy_rules.check_registration(policy, row.role, row.scope,
                                                     project.credit_code)
    except KeyError as exc:  # a region or role the policy does not hold, named in a message
        return Denial(policy_rules.SCOPE, f"{row.role}:{row.scope} names {exc} unknown to the "
                      "policy")
    if denial is not None:
        return denial
    phase = PHASE_OF_EVENT.get(event)
    if phase is not None and phase in batch.windows:
        denial = policy_rules.check_window(batch, event, row.at,
                                           extensions.until(batch.key, phase, row.at))
        if denial is not None:
            return denial
    if event == "apply":
        return _materials(policy, row.payload or {})
    return None


def _materials(policy: Policy, payload: dict[str, Any]) -> Denial | None:
    copies = payload.get("paper_copies")
    documents = 1 if isinstance(payload.get("sha256"), str) else 0
    denial = policy_rules.check_materials(policy, copies if isinstance(copies, int) else 0,
                                          documents)
    if denial is not None:
        return denial
    size, most = payload.get("size"), policy.materials.max_document_bytes
    if isinstance(size, int) and size > most:
        return Denial(MATERIALS, f"the document is {size} bytes, over the {most} bytes the "
                      "policy allows", {"size": size, "max_document_bytes": most})
    return None


@dataclass(frozen=True)
class InForce:
    """A stored policy and when it was applied (`policy` None: its text no longer loads)."""

    id: int
    sha256: str
    applied_at: datetime
    policy: Policy | None


class Timeline:
    """The policies a database has run under, by the moment each was applied. A moment
    before the first is judged by the first (it was recorded with the first change); a
    database that recorded none is judged by `fallback`."""

    def __init__(self, stored: Sequence[InForce], fallback: Policy | None) -> None:
        self.stored = sorted(stored, key=lambda p: (p.applied_at, p.id))
        self._moments = [p.applied_at for p in self.stored]
        self.fallback = fallback

    def at(self, moment: datetime) -> list[InForce | None]:
        """The policy in force at `moment`, then, if it was applied at that very moment, the
        one it replaced (a decision at the same moment may have come first): each a
        candidate, None for the fallback."""
        if not self.stored:
            return [None]
        i = bisect.bisect_right(self._moments, moment) - 1
        if i < 0:
            return [self.stored[0]]
        found: list[InForce | None] = [self.stored[i]]
        j = i - 1
        while j >= 0 and self.stored[j + 1].applied_at == moment:
            found.append(self.stored[j])
            j -= 1
        return found

    def judge(self, extensions: Extensions, project: Any, row: Any
              ) -> tuple[InForce | None, Denial] | None:
        """The refusal of the policy in force at the row's moment (with the policy that judged
        it), or None if a candidate in force then lets it through or none can judge it."""
        first: tuple[InForce | None, Denial] | None = None
        for candidate in self.at(row.at):
            policy = self.fallback if candidate is None else candidate.policy
            if policy is None:
                return None  # a stored text that no longer loads: not judged (`unproven`)
            denial = refusal(policy, extensions, project, row)
            if denial is None:
                return None
            first = first or (candidate, denial)
        return first
