"""The JSON documents of the engine's records, as `--json` prints them and the HTTP service
serves them: one shape for each record, times in the programme's zone with their offset."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accel666.policies import Policy
    from accel666.workflow.deadlines.records import Escalation, OverdueProject
    from accel666.workflow.records import BatchStatus, Extension, Project, Transition


def shown(moment: datetime | None, policy: Policy) -> str:
    """A moment as people read it, to the second, in the programme's zone with its offset
    (`2020-07-15 23:59:59 +08:00`); `-` for none."""
    if moment is None:
        return "-"
    local_time = moment.astimezone(policy.zone)
    off = local_time.strftime("%z")
    return f"{local_time:%Y-%m-%d %H:%M:%S} {off[:3]}:{off[3:]}"


def local(moment: datetime | None, policy: Policy) -> str | None:
    """ISO 8601 in the programme's zone, with its offset."""
    return None if moment is None else moment.astimezone(policy.zone).isoformat()


def project_dict(p: Project, policy: Policy) -> dict[str, Any]:
    """A project as it stands."""
    region = policy.regions.get(p.region)
    return {
        "id": p.id, "title": p.title, "enterprise": p.enterprise, "credit_code": p.credit_code,
        "region": p.region, "region_name": region.name if region else None,
        "category": p.category, "batch": p.batch, "state": p.state, "version": p.version,
        "paper_copies": p.paper_copies, "created_at": local(p.created_at, policy),
        "updated_at": local(p.updated_at, policy),
    }


def transition_dict(t: Transition, policy: Policy) -> dict[str, Any]:
    """One entry of a project's transition log."""
    return {"seq": t.seq, "event": t.event, "from_state": t.from_state, "to_state": t.to_state,
            "actor": t.actor, "role": t.role, "scope": t.scope, "at": local(t.at, policy),
            "payload": t.payload}


def batch_dict(b: BatchStatus, policy: Policy) -> dict[str, Any]:
    """A batch and its phase windows, as extended."""
    return {"key": b.key, "name": b.name, "windows": [
        {"phase": w.phase, "opens_at": local(w.opens_at, policy),
         "closes_at": local(w.closes_at, policy), "extended": w.extended, "open": w.open}
        for w in b.windows]}


def extension_dict(x: Extension, policy: Policy) -> dict[str, Any]:
    """A deadline extension and its revocation, if any."""
    return {"id": x.id, "batch": x.batch, "phase": x.phase, "until": x.until.isoformat(),
            "reason": x.reason, "actor": x.actor, "role": x.role, "at": local(x.at, policy),
            "follows": x.follows, "override": x.override, "carried": list(x.carried),
            "revoked_at": local(x.revoked_at, policy), "revoked_by": x.revoked_by,
            "revoked_role": x.revoked_role, "revoke_reason": x.revoke_reason}


def facts(history: Sequence[Transition]) -> dict[str, Any]:
    """What a project's log says beyond its state: the materials filed (the last apply
    entry) and the decisions taken (opinion, review score and verdict, reasons)."""
    found: dict[str, Any] = {"materials": None, "opinion": None, "review": None,
                             "reasons": []}
    for t in history:
        p = t.payload
        if t.event == "apply":
            found["materials"] = {"paper_copies": p.get("paper_copies"),
                                  "document": p.get("document"), "size": p.get("size"),
                                  "sha256": p.get("sha256")}
        elif t.event == "recommend":
            found["opinion"] = p.get("opinion")
        elif t.event == "review":  # a review from before panels has none: its score stands
            found["review"] = {"score": p.get("score"), "verdict": p.get("verdict"),
                               "panel": p.get("panel"), "override": p.get("override") is True}
        if "reason" in p:
            found["reasons"].append({"event": t.event, "reason": p["reason"]})
    return found


def shown_project_dict(p: Project, history: Sequence[Transition], policy: Policy
                       ) -> dict[str, Any]:
    """`show --json`: the project, what can happen next, and what its log records."""
    from accel666.lifecycle import events_from

    return {**project_dict(p, policy), "next_events": list(events_from(p.state)),
            **facts(history)}


def region_name(code: str, policy: Policy) -> str:
    """The region's Chinese name, or its code when the policy does not know it."""
    region = policy.regions.get(code)
    return region.name if region else code


def overdue_dict(o: OverdueProject, policy: Policy) -> dict[str, Any]:
    """A project past a deadline, with its escalation so far."""
    return {"project_id": o.project_id, "title": o.title, "enterprise": o.enterprise,
            "region": o.region, "region_name": region_name(o.region, policy),
            "batch": o.batch, "phase": o.phase, "state": o.state,
            "deadline": local(o.deadline, policy),
            "late_seconds": int(o.late_by.total_seconds()), "level": o.level,
            "acknowledged": o.acknowledged, "next_level": o.next_level,
            "next_due_at": local(o.next_due_at, policy)}


def escalation_dict(e: Escalation, policy: Policy) -> dict[str, Any]:
    """An escalation with its acknowledgement, resolution and deliveries."""
    return {
        "id": e.id, "project_id": e.project_id, "batch": e.batch, "phase": e.phase,
        "deadline": local(e.deadline, policy), "level": e.level,
        "due_at": local(e.due_at, policy), "fired_at": local(e.fired_at, policy),
        "lateness_seconds": e.lateness_seconds, "target_role": e.target_role,
        "target_scope": e.target_scope, "state_seen": e.state_seen,
        "idempotency_key": e.idempotency_key, "lapsed": e.lapsed, "open": e.open,
        "acked_at": local(e.acked_at, policy), "acked_by": e.acked_by,
        "ack_role": e.ack_role, "ack_scope": e.ack_scope, "ack_note": e.ack_note,
        "resolved_at": local(e.resolved_at, policy),
        "deliveries": [
            {"notifier": d.notifier, "endpoint": d.endpoint, "status": d.status,
             "attempts": d.attempts, "last_error": d.last_error,
             "next_attempt_at": local(d.next_attempt_at, policy),
             "delivered_at": local(d.delivered_at, policy)}
            for d in e.deliveries],
    }
