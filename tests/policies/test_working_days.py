"""Working days: the notice's close counted over China's calendar, the policy's [calendar] for
years the library does not know, and a year nobody knows refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from accel666.errors import Refused
from accel666.policies import PolicyError, as_document, load, parse
from accel666.policies import working_days as rules
from accel666.policies.model import NOTICE_OFF, NoticeRule, WorkCalendar
from accel666.workflow.working_days import notice_closes, official
from tests.helpers import CST, cst

BUILTIN = load(None)


def with_tables(extra: str) -> str:
    return 'extends = "builtin"\n' + extra


def test_national_day_2020():
    """Started 2020-09-30: National Day week off (1-8 October), Saturday 10 October worked."""
    closes = notice_closes(BUILTIN, cst(2020, 9, 30, 9, 0, 0))
    assert closes == datetime(2020, 10, 14, 23, 59, 59, 999999, tzinfo=CST)
    assert closes.isoformat() == "2020-10-14T23:59:59.999999+08:00"


def test_the_start_day_does_not_count_whatever_the_hour():
    # Monday 2020-11-02, from its first to its last instant: five working days after it.
    for moment in (cst(2020, 11, 2, 0, 0, 0), datetime(2020, 11, 2, 23, 59, 59, 999999, CST)):
        assert notice_closes(BUILTIN, moment).date() == date(2020, 11, 9)


def test_the_start_day_is_the_day_in_china():
    """16:00 UTC on Sunday 1 November is 00:00 on Monday 2 November in China; a minute
    earlier it is still Sunday."""
    moment = datetime(2020, 11, 1, 16, 0, 0, tzinfo=UTC)
    assert notice_closes(BUILTIN, moment).date() == date(2020, 11, 9)
    assert notice_closes(BUILTIN, moment - timedelta(minutes=1)).date() == date(2020, 11, 6)


def test_official_calendar():
    assert official(date(2020, 10, 10)) is True   # a Saturday worked (调休)
    assert official(date(2020, 10, 5)) is False   # a Monday of National Day week
    assert official(date(2020, 10, 12)) is True
    assert official(date(2020, 10, 11)) is False  # an ordinary Sunday
    assert official(date(2200, 1, 5)) is None


def test_a_year_nobody_knows_is_refused():
    with pytest.raises(Refused) as caught:
        notice_closes(BUILTIN, cst(2099, 12, 28, 10, 0, 0))
    assert caught.value.guard == "calendar"
    assert caught.value.facts == {"year": 2099}
    assert "[calendar]" in caught.value.reason


def test_a_notice_running_into_an_unknown_year_is_refused():
    """Late December of a known year is known; the days after New Year's Day are not."""
    last = max(y for y in range(2004, 2200) if official(date(y, 6, 1)) is not None)
    with pytest.raises(Refused) as caught:
        notice_closes(BUILTIN, cst(last, 12, 29, 10, 0, 0))
    assert caught.value.facts == {"year": last + 1}


def test_the_policy_calendar_knows_a_year_the_library_does_not():
    policy = parse(with_tables('[calendar]\nholidays = [2099-01-01, 2099-01-02]\n'
                               'workdays = [2099-01-04]\n'))
    assert policy.calendar == WorkCalendar(frozenset({date(2099, 1, 1), date(2099, 1, 2)}),
                                           frozenset({date(2099, 1, 4)}))
    # 2099-01-01 is a Thursday: Friday 2nd off, Saturday 3rd off, Sunday 4th worked, then
    # Monday 5th to Thursday 8th.
    closes = notice_closes(policy, cst(2099, 1, 1, 9, 0, 0))
    assert closes == datetime(2099, 1, 8, 23, 59, 59, 999999, tzinfo=CST)


def test_pure_counting_with_a_table():
    week = {(d := date(2021, 3, 1) + timedelta(days=i)): d.weekday() < 5 for i in range(14)}

    def known(day: date) -> bool | None:
        return week.get(day)

    assert rules.nth_working_day_after(date(2021, 3, 1), 4, known) == date(2021, 3, 5)
    assert rules.nth_working_day_after(date(2021, 3, 5), 1, known) == date(2021, 3, 8)
    with pytest.raises(rules.UnknownYear):
        rules.nth_working_day_after(date(2021, 3, 13), 1, lambda d: None)
    with pytest.raises(ValueError):
        rules.nth_working_day_after(date(2021, 3, 1), 0, known)


def test_open_includes_both_ends():
    start = cst(2020, 9, 30, 9, 0, 0)
    closes = datetime(2020, 10, 14, 23, 59, 59, 999999, tzinfo=CST)
    assert rules.is_open(start, closes, closes)
    assert not rules.is_open(start, closes, cst(2020, 10, 15, 0, 0, 0))
    assert not rules.is_open(start, closes, start - timedelta(microseconds=1))


def test_the_builtin_notice():
    assert BUILTIN.notice == NoticeRule(working_days=5, gates=("sign",))
    assert "书面" in BUILTIN.notice.contact


def test_no_notice_table_gates_nothing_and_keeps_the_canonical_text():
    bare = parse(with_tables("[notice]\ngates = \"\"\n"))
    assert bare.notice == NOTICE_OFF
    assert "notice" not in as_document(bare)
    assert as_document(BUILTIN)["notice"]["gates"] == "sign"


def test_notice_and_calendar_round_trip():
    import tomli_w

    policy = parse(with_tables('[notice]\nworking_days = 7\ngates = "sign,publish"\n'
                               'contact = "书面反映"\n[calendar]\nholidays = [2099-01-01]\n'))
    again = parse(tomli_w.dumps(as_document(policy)))
    assert again.notice == NoticeRule(7, ("sign", "publish"), "书面反映")
    assert again.calendar == policy.calendar


@pytest.mark.parametrize(("table", "problem"), [
    ("[notice]\nworking_days = 0\n", "notice.working_days: must be from 1 to 60"),
    ("[notice]\nworking_days = 61\n", "notice.working_days: must be from 1 to 60"),
    ("[notice]\nworking_days = \"5\"\n", "notice.working_days: expected int"),
    ("[notice]\ngates = \"sing\"\n", "unknown event 'sing'"),
    ("[notice]\ncontact = \" \"\n", "notice.contact: must say how to object"),
    ("[notice]\nworkingdays = 5\n", "unknown key 'workingdays'"),
    ("[calendar]\nholidays = [\"2027-01-01\"]\n", "calendar.holidays[0]: expected a date"),
    ("[calendar]\nholidays = [2027-01-01]\nworkdays = [2027-01-01]\n",
     "2027-01-01 is both a holiday and a working day"),
    ("[calendar]\nholiday = []\n", "unknown key 'holiday'"),
])
def test_bad_notice_and_calendar_tables(table, problem):
    with pytest.raises(PolicyError) as caught:
        parse(with_tables(table))
    assert problem in str(caught.value)
