"""A policy as plain data in the shape of its file: what `parse` reads back to an equal policy.

Dates stay `date` values (TOML writes them as dates, JSON callers as ISO strings); keys come in
the order the built-in file writes them, every default spelled out. One table is left implied
unless asked for: [reads], when every role reads as its scope implies, so that the canonical
text of such a policy (the text whose SHA-256 a database records) is the one it had before
[reads] existed.
"""

from __future__ import annotations

from typing import Any

from accel666.lifecycle import ACTS, PHASES, STATES
from accel666.policies.model import (
    IMPLIED_REACH,
    NOTICE_OFF,
    Batch,
    Grant,
    Ladder,
    Policy,
    WorkCalendar,
)


def as_document(policy: Policy, *, complete: bool = False) -> dict[str, Any]:
    """The effective policy (after `extends`) as nested dicts, lists, text, numbers and dates;
    with `complete`, the [reads] table too when it is what the roles' scopes imply."""
    doc: dict[str, Any] = {
        "timezone": policy.zone.key,
        "targets_by": policy.targets_by,
        "province": policy.province,
        "regions": [{"code": r.code, "name": r.name, "key": r.key}
                    for r in policy.regions.values()],
        "materials": {
            "min_paper_copies": policy.materials.min_paper_copies,
            "electronic_documents": policy.materials.electronic_documents,
            "max_document_bytes": policy.materials.max_document_bytes,
        },
        "categories": [{"key": c.key, "name": c.name, "english": c.english, "target": c.target}
                       for c in policy.categories.values()],
        "roles": {r.key: {"scope": r.scope} for r in policy.roles.values()},
        "permissions": {event: [_grant(g) for g in policy.permissions[event]]
                        for event in ACTS},
    }
    reads = {r.key: policy.reads.get(r.key) or IMPLIED_REACH[r.scope]
             for r in policy.roles.values()}
    if complete or any(kind != IMPLIED_REACH[policy.roles[role].scope]
                       for role, kind in reads.items()):
        doc["reads"] = reads
    doc["batches"] = [_batch(b) for b in policy.batches.values()]
    doc["extensions"] = {"reopen_within_days": policy.reopen_within_days}
    if policy.escalation != Ladder():
        doc["escalation"] = _ladder(policy.escalation)
    if policy.notice != NOTICE_OFF:
        doc["notice"] = {"working_days": policy.notice.working_days,
                         "gates": ",".join(policy.notice.gates), "contact": policy.notice.contact}
    if policy.calendar != WorkCalendar():
        doc["calendar"] = {"holidays": sorted(policy.calendar.holidays),
                           "workdays": sorted(policy.calendar.workdays)}
    if policy.review is not None:  # none: the canonical text of a policy from before panels
        doc["review"] = {"panel_size": policy.review.panel_size,
                         "quorum": policy.review.quorum, "pass_mark": policy.review.pass_mark,
                         "aggregate": policy.review.aggregate}
    return doc


def _grant(grant: Grant) -> dict[str, Any]:
    if grant.sources is None:
        return {"role": grant.role}
    return {"role": grant.role, "from": [s for s in STATES if s in grant.sources]}


def _batch(batch: Batch) -> dict[str, Any]:
    windows = {}
    for phase in PHASES:
        w = batch.windows[phase]
        windows[phase] = {"closes": w.closes} if w.opens is None else {"opens": w.opens,
                                                                        "closes": w.closes}
    return {"key": batch.key, "name": batch.name,
            "windows_out_of_order": batch.windows_out_of_order, "windows": windows}


def _ladder(ladder: Ladder) -> dict[str, Any]:
    return {
        "ack_stops_ladder": ladder.ack_stops_ladder,
        "supervisor": ladder.supervisor,
        "webhook": ladder.webhook or "",
        "webhook_timeout_seconds": ladder.webhook_timeout_seconds,
        "max_attempts": ladder.max_attempts,
        "backoff_seconds": ladder.backoff_seconds,
        "backoff_max_seconds": ladder.backoff_max_seconds,
        "phases": {r.phase: {"overdue": list(r.states), "responsible": r.responsible}
                   for r in ladder.phases.values()},
        "levels": [{"level": lv.level, "delay_days": lv.delay_days, "target": lv.target,
                    "lapses": lv.lapses} for lv in ladder.levels],
    }
