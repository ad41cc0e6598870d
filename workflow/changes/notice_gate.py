"""The public notice's guard: an event of the policy's `[notice] gates` (builtin: sign) waits
until the project's notice has closed with no objection left open."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from accel666.errors import Refused
from accel666.models.stores import notices
from accel666.policies import Policy

NOTICE = "notice"  # the guard's name


def check(conn: Connection, policy: Policy, row: Any, event: str, now: datetime) -> None:
    """Refused (guard "notice") unless `event` is not gated, or the project's notice closed
    before `now` and none of its objections is open."""
    if event not in policy.notice.gates:
        return
    pid = row.id
    notice = notices.notice_of(conn, pid)
    if notice is None:
        raise Refused(event, NOTICE, f"project {pid} has not been under public notice: the "
                      f"province starts one with `notice start {row.batch}`",
                      project_id=pid, facts={"notice": None, "batch": row.batch})
    facts = {"notice": notice.id, "started_at": notice.started_at.isoformat(),
             "closes_at": notice.closes_at.isoformat()}
    if now <= notice.closes_at:
        raise Refused(event, NOTICE, f"the public notice of project {pid} is open until "
                      f"{notice.closes_at.astimezone(policy.zone).isoformat()}",
                      project_id=pid, facts=facts)
    waiting = notices.open_objections(conn, pid)
    if waiting:
        raise Refused(event, NOTICE, f"{waiting} objection(s) to project {pid} are not "
                      "resolved yet", project_id=pid, facts={**facts, "open_objections": waiting})
