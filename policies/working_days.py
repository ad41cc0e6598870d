"""Working days in China: which days count toward a public notice (weekends and statutory
holidays off, adjusted working days (调休) on), and when a notice of N working days closes.

Pure: whether a day is a working day comes from a `Known` function the caller passes (the
policy's own [calendar] first, then China's official calendar as a maintained library ships
it); a day in a year that nobody knows is `UnknownYear`, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from accel666.policies.model import WorkCalendar

# Is `day` a working day? None when the calendar does not know the day's year.
Known = Callable[[date], bool | None]
MAX_WORKING_DAYS = 60  # a notice longer than this is a typo in the policy


class UnknownYear(ValueError):
    """No calendar known to the programme holds `year`: its working days cannot be counted."""

    def __init__(self, year: int) -> None:
        super().__init__(f"no calendar of working days is known for {year}: add the year's "
                         "statutory holidays and adjusted working days to the policy's "
                         "[calendar] table (holidays = [...], workdays = [...])")
        self.year = year


def from_policy(calendar: WorkCalendar, day: date) -> bool | None:
    """What the policy's [calendar] says of `day`: None for a year it does not name; in a year
    it names, a listed holiday is off, a listed working day on, any other day works Monday to
    Friday."""
    if day.year not in calendar.years:
        return None
    if day in calendar.holidays:
        return False
    if day in calendar.workdays:
        return True
    return day.weekday() < 5


def combined(calendar: WorkCalendar, official: Known) -> Known:
    """The policy's calendar for the years it names, `official` for the others."""
    def known(day: date) -> bool | None:
        found = from_policy(calendar, day)
        return official(day) if found is None else found
    return known


def nth_working_day_after(start: date, n: int, known: Known) -> date:
    """The `n`th working day after `start` (`start` itself does not count); UnknownYear if a
    day on the way is in a year `known` does not hold."""
    if n < 1:
        raise ValueError(f"a notice runs at least one working day, not {n}")
    day, left = start, n
    while left:
        day += timedelta(days=1)
        working = known(day)
        if working is None:
            raise UnknownYear(day.year)
        if working:
            left -= 1
    return day


def last_instant(day: date, zone: ZoneInfo) -> datetime:
    """23:59:59.999999 of `day` in `zone`: the last moment a notice on its last day is open."""
    return datetime.combine(day, time.max, tzinfo=zone)


def closes_at(started_at: datetime, n: int, known: Known, zone: ZoneInfo) -> datetime:
    """When a notice started at `started_at` (aware) closes: the last instant of the `n`th
    working day after the day it started, in `zone`."""
    start_day = started_at.astimezone(zone).date()
    return last_instant(nth_working_day_after(start_day, n, known), zone)


def is_open(started_at: datetime, closes: datetime, now: datetime) -> bool:
    """Is a notice open at `now`: from its start to its close, both included."""
    return started_at <= now <= closes
