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
    """3d 04:05:06, as people read a lateness."""
    seconds = int(delta.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{days}d {hours:02}:{minutes:02}:{secs:02}"


def target(role: str, scope: str | None, policy: Policy) -> str:
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
    verb = "would record" if s.dry_run else "recorded"
    parts = ", ".join(f"{c.batch} {c.phase} L{c.level}: {c.count}" for c in s.recorded)
    line = (f"swept at {output.shown(s.now, policy)}: {verb} {s.total} escalation(s)"
            f"{f' ({parts})' if parts else ''}, "
            f"{'would resolve' if s.dry_run else 'resolved'} {s.resolved}")
    if not s.dry_run:
        line += (f"; deliveries: {d.delivered} delivered, {d.retrying} to retry, "
                 f"{d.failed} failed")
    return line


def overdue_row(o: OverdueProject, policy: Policy) -> tuple[Any, ...]:
    following = f"L{o.next_level} at {output.shown(o.next_due_at, policy)}" if o.next_level \
        else "-"
    shown = labels.current()
    return (o.project_id, shown.region(o.region, policy), o.batch, shown.phase(o.phase),
            shown.state(o.state),
            output.shown(o.deadline, policy), span(o.late_by),
            f"L{o.level}{' (acked)' if o.acknowledged else ''}" if o.level else "-", following,
            o.title)


OVERDUE_HEADERS = ("project", "region", "batch", "phase", "state", "deadline", "late by",
                   "level", "next", "title")


def overdue_text(rows: list[OverdueProject], policy: Policy) -> None:
    """The table on stdout, the count on stderr."""
    output.table(OVERDUE_HEADERS, (overdue_row(o, policy) for o in rows))
    click.echo(labels._("{n} overdue").format(n=len(rows)), err=True)


def escalation_row(e: Escalation, policy: Policy) -> tuple[Any, ...]:
    ack = f"{e.acked_by} ({e.ack_role})" if e.acked_at else "-"
    deliveries = ", ".join(f"{d.notifier}:{d.status}×{d.attempts}" for d in e.deliveries)
    return (e.id, e.project_id, e.phase, f"L{e.level}{' lapsed' if e.lapsed else ''}",
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
    return (f"escalation {e.id} (project {e.project_id}, {e.phase} L{e.level}) acknowledged "
            f"by {e.acked_by}")


def rearm_text(e: Escalation, _policy: Policy) -> str:
    return f"escalation {e.id}: failed deliveries re-armed"
