"""The review's decision: the province alone, its score agreeing with its verdict against the
pass mark (a panel of 0), or following the expert panel ([review] panel_size above 0).

With a panel, the review waits for the quorum; the verdict is the panel's aggregate against
the pass mark and the recorded score is the aggregate; a verdict against the panel is an
override, recorded with its reason. What the province asked is checked before the change's
transaction (`prepare`); the panel is read inside it, the `panels` chain locked so that no
score lands between the reading and the decision (`Decide`). A policy without [review] keeps
the review as it was before panels: score and verdict, independent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from accel666.errors import InvalidInput, Refused
from accel666.models.stores import panels as panel_store
from accel666.policies import Policy, Review
from accel666.policies import review as rules
from accel666.record import ledger
from accel666.workflow.actor import Actor
from accel666.workflow.changes.guards import authorise, refuse

EVENT = "review"
UNDER_REVIEW = "recommended"
# What the log row of a review holds, by how it was decided.
Decided = tuple[dict[str, Any], str | None]
Decision = Callable[[Connection, Actor, Any], Decided]


def _needs(payload: dict[str, Any]) -> None:
    for name in ("score", "verdict"):
        if name not in payload:
            raise InvalidInput(name, f"{EVENT} needs score, verdict", None)


def prepare(policy: Policy, payload: dict[str, Any]) -> Decision | None:
    """Check what the province asked of the review against the policy: None when the payload
    stands as given (the province alone), else the decision to take in the transaction."""
    override = payload.pop("override", False)
    reason = payload.get("reason")
    setting = policy.review
    if setting is None or setting.panel_size == 0:
        if override:
            raise InvalidInput("override", "there is no panel to go against: the province "
                               "reviews alone ([review] panel_size is 0 or missing)", True)
        if reason is not None:
            raise InvalidInput("reason", f"{EVENT} takes a reason only with an override",
                               reason)
        _needs(payload)
        denial = rules.check_agreement(setting, payload["score"], payload["verdict"])
        if denial is not None:
            raise refuse(EVENT, denial, None)
        return None
    if "score" in payload:
        raise Refused(EVENT, rules.NO_PANEL, "the expert panel scores this project and its "
                      "aggregate is the review's score: leave the score out (a verdict "
                      "against the panel takes --override with --reason)",
                      facts={"score": payload["score"], "panel_size": setting.panel_size})
    verdict = payload.get("verdict")
    if override and verdict is None:
        raise InvalidInput("verdict", "an override needs the verdict it gives", None)
    if override and reason is None:
        raise InvalidInput("reason", "an override needs its reason", None)
    if reason is not None and not override:
        raise InvalidInput("reason", f"{EVENT} takes a reason only with an override", reason)
    return Decide(policy, setting, verdict, bool(override), reason)


@dataclass(frozen=True)
class Decide:
    """The review following the panel, taken in the change's transaction."""

    policy: Policy
    setting: Review
    verdict: str | None
    override: bool
    reason: str | None

    def __call__(self, conn: Connection, actor: Actor, row: Any) -> Decided:
        authorise(self.policy, actor, EVENT, source=row.state, region=row.region,
                  credit_code=row.credit_code, project_id=row.id)
        if row.state != UNDER_REVIEW:  # the state's own refusal follows
            return {}, self.verdict
        ledger.lock(conn, ledger.PANELS)  # no score lands between this reading and the review
        seats = [s for s in panel_store.seats(conn, row.id) if s.recused_at is None]
        scores = [s.score for s in seats if s.score is not None]
        outcome, value = rules.outcome(self.setting, scores) if seats else (rules.PENDING, None)
        if outcome == rules.PENDING:
            awaited = [s.expert for s in seats if s.score is None]
            waiting = f"; awaited: {', '.join(awaited)}" if awaited else ""
            raise Refused(EVENT, rules.QUORUM, f"project {row.id}'s panel has {len(scores)} of "
                          f"the {self.setting.quorum} scores its quorum needs{waiting}",
                          project_id=row.id,
                          facts={"scored": len(scores), "quorum": self.setting.quorum,
                                 "awaited": awaited})
        score = rules.shown(value)
        verdict = self.verdict or outcome
        if verdict != outcome and not self.override:
            raise Refused(EVENT, rules.NO_PANEL, f"the panel's outcome is {outcome} (score "
                          f"{score:g} against the pass mark {self.setting.pass_mark}): a "
                          f"verdict of {verdict} goes against it and needs --override with "
                          "--reason", project_id=row.id,
                          facts={"outcome": outcome, "score": score, "verdict": verdict,
                                 "pass_mark": self.setting.pass_mark})
        if verdict == outcome and self.override:
            raise InvalidInput("override", f"the verdict agrees with the panel's outcome "
                               f"({outcome}): there is nothing to override", True)
        payload: dict[str, Any] = {
            "score": score, "verdict": verdict,
            "panel": {"experts": len(seats), "scored": len(scores),
                      "aggregate": self.setting.aggregate,
                      "pass_mark": self.setting.pass_mark, "outcome": outcome}}
        if self.override:
            payload.update(override=True, reason=self.reason)
        return payload, verdict
