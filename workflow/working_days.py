"""China's working days as the programme counts them: the policy's [calendar] for the years it
names, then China's official calendar as the `chinese-calendar` library ships it (weekends,
statutory holidays and adjusted working days (调休) from 2004 to the last year it knows). A
notice that would run into a year neither knows is Refused (guard "calendar"), never guessed.
"""

from __future__ import annotations

from datetime import date, datetime

import chinese_calendar

from accel666.errors import Refused
from accel666.policies import Policy
from accel666.policies import working_days as rules

CALENDAR = "calendar"  # the guard's name


def official(day: date) -> bool | None:
    """Is `day` a working day by China's official calendar? None for a year it does not know."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # "no available data for year …"
        return None


def known(policy: Policy) -> rules.Known:
    """The working days `policy` counts: its [calendar], then the official calendar."""
    return rules.combined(policy.calendar, official)


def notice_closes(policy: Policy, started_at: datetime, event: str = "notice") -> datetime:
    """When a notice started at `started_at` closes under `policy` ([notice] working_days);
    Refused (guard "calendar") if its days run into a year no calendar knows."""
    try:
        return rules.closes_at(started_at, policy.notice.working_days, known(policy),
                               policy.zone)
    except rules.UnknownYear as exc:
        raise Refused(event, CALENDAR, str(exc), facts={"year": exc.year}) from exc
