"""How escalations look: JSON documents for scripts, text for people. Times in China time."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import click

from accel666.cli import output
from accel666.views import labels
from accel666.views.documents import escalation_dict as escalation_dict
from accel666.views.documents import overdue_dict as overdue_dict

if TYPE_CHECKING:
    from accel666 import Escalation, EscalationRun, OverdueProject, Policy, SweepResult

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_PART = re.compile(r"(\d+)([smhd])")
_WHOLE = re.compile(r"(?:\d+[smhd])+")


class Duration(click.ParamType):  # type: ignore[type-arg]
    """A duration such as 90s, 15m, 1h30m or 2d."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> timedelta:
        if isinstance(value, timedelta):
            return value
        text = str(value).strip().lower()
        if not _WHOLE.fullmatch(text):
            self.fail(f"{value!r} is not a duration such as 90s, 15m, 1h30m or 2d", param, ctx)
        seconds = sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(text))
        if seconds < 1:
            self.fail(f"{value!r} is shorter than one second", param, ctx)
        try:
            return timedelta(seconds=seconds)
        except OverflowError:
            self.fail(f"{value!r} is too long a duration", param, ctx)


def span(delta: timedelta) -> str:
    """3d 04:05:06, as people read a lateness (in the language in use)."""
    return labels.current().span(int(delta.total_seconds()))


def target(role: str, scope: str | None, policy: Policy) -> str:
    """Whom an escalation is addressed to: city:320500 苏州市 (苏州市工信局 in Chinese)."""
    shown = labels.current()
    if shown.lang != "en":
        return shown.role(role, scope, policy)
    if scope is None:
        return role
    return f"{role}:{scope} {output.region_name(scope, policy)}" if scope in policy.regions \
        else f"{role}:{scope}"


def sweep_dict(result: SweepResult, policy: Policy) -> dict[str, Any]:
    data: dict[str, Any] = {
        "now": output.local(result.now, policy), "dry_run": result.dry_run,
        "recorded": [{"batch": c.batch, "phase": c.phase, "level": c.level, "count": c.count}
                     for c in result.recorded],
        "total": result.total, "first_id": result.first_id, "last_id": result.last_id,
        "resolved": result.resolved, "enqueued": result.enqueued, "adopted": result.adopted,
    }
    if result.dry_run:
        data["planned"] = [{"project_id": p, "phase": ph, "level": lv}
                           for p, ph, lv in result.planned]
    return data


def run_dict(run: EscalationRun, policy: Policy) -> dict[str, Any]:
    d = run.delivery
    return {**sweep_dict(run.sweep, policy),
            "delivery": {"attempted": d.attempted, "delivered": d.delivered,
                         "retrying": d.retrying, "failed": d.failed,
                         "failed_escalations": list(d.failed_escalations)}}


def run_text(run: EscalationRun, policy: Policy) -> str:
    s, d = run.sweep, run.delivery
    shown = labels.current()
    parts = ", ".join(f"{c.batch} {shown.phase(c.phase)} L{c.level}: {c.count}"
                      for c in s.recorded)
    facts = {"moment": output.shown(s.now, policy), "n": s.total,
             "parts": f" ({parts})" if parts else "", "resolved": s.resolved,
             "delivered": d.delivered, "retrying": d.retrying, "failed": d.failed}
    if s.dry_run:
        return labels._("swept at {moment}: would record {n} escalation(s){parts}, would "
                        "resolve {resolved}").format(**facts)
    return labels._("swept at {moment}: recorded {n} escalation(s){parts}, resolved "
                    "{resolved}; deliveries: {delivered} delivered, {retrying} to retry, "
                    "{failed} failed").format(**facts)


def level(n: int, *, acked: bool = False, lapsed: bool = False) -> str:
    """An escalation's level as people read it: L1, L1 (acked), L3 lapsed."""
    if acked:
        return labels._("L{n} (acked)").format(n=n)
    return labels._("L{n} lapsed").format(n=n) if lapsed else f"L{n}"


def overdue_row(o: OverdueProject, policy: Policy) -> tuple[Any, ...]:
    following = labels._("L{n} at {moment}").format(
        n=o.next_level, moment=output.shown(o.next_due_at, policy)) if o.next_level else "-"
    shown = labels.current()
    return (o.project_id, shown.region(o.region, policy), o.batch, shown.phase(o.phase),
            shown.state(o.state),
            output.shown(o.deadline, policy), span(o.late_by),
            level(o.level, acked=o.acknowledged) if o.level else "-", following, o.title)


OVERDUE_HEADERS = ("project", "region", "batch", "phase", "state", "deadline", "late by",
                   "level", "next", "title")


def overdue_text(rows: list[OverdueProject], policy: Policy) -> None:
    """The table on stdout, the count on stderr."""
    output.table(OVERDUE_HEADERS, (overdue_row(o, policy) for o in rows))
    click.echo(labels._("{n} overdue").format(n=len(rows)), err=True)


def escalation_row(e: Escalation, policy: Policy) -> tuple[Any, ...]:
    shown = labels.current()
    ack = shown.actor(e.acked_by, e.ack_role, None, policy) \
        if e.acked_at and e.acked_by and e.ack_role else "-"
    deliveries = ", ".join(f"{shown.delivery(d.notifier, d.status)}×{d.attempts}"
                           for d in e.deliveries)
    return (e.id, e.project_id, shown.phase(e.phase), level(e.level, lapsed=e.lapsed),
            target(e.target_role, e.target_scope, policy), output.shown(e.fired_at, policy),
            span(timedelta(seconds=e.lateness_seconds)), ack,
            output.shown(e.resolved_at, policy), deliveries or "-")


ESCALATION_HEADERS = ("id", "project", "phase", "level", "target", "fired", "late",
                      "acknowledged", "resolved", "deliveries")


def escalations_text(rows: list[Escalation], policy: Policy) -> None:
    """The table on stdout, the count on stderr."""
    output.table(ESCALATION_HEADERS, (escalation_row(e, policy) for e in rows))
    click.echo(labels._("{n} escalation(s)").format(n=len(rows)), err=True)


def ack_text(e: Escalation, _policy: Policy) -> str:
    return labels._("escalation {id} (project {project}, {phase} L{level}) acknowledged by "
                    "{by}").format(id=e.id, project=e.project_id,
                                   phase=labels.current().phase(e.phase), level=e.level,
                                   by=e.acked_by)


def rearm_text(e: Escalation, _policy: Policy) -> str:
    return labels._("escalation {id}: failed deliveries re-armed").format(id=e.id)
