"""The public notice through the library: who may start it, what it announces, when it closes
(China's working days), objections only while it is open, and signing waiting for it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accel666 import Actor, Engine, InvalidInput, NotFound, NotPermitted, Refused
from accel666.policies import parse
from tests.helpers import CODE_A, CODE_B, FakeClock, cst
from tests.notice.notice_support import (
    AFTER,
    CLOSES_AT,
    PROVINCE,
    STARTED_AT,
    TENCENT,
    reviewed,
    under_notice,
)
from tests.workflow.wf_support import snapshot


def test_a_notice_over_national_day_closes_on_14_october(builtin, clock):
    first = reviewed(builtin, clock, CODE_A)
    failed = reviewed(builtin, clock, CODE_B, verdict="fail")
    clock.set(STARTED_AT)
    notice = builtin.start_notice(PROVINCE, "2020-1")
    assert notice.closes_at == CLOSES_AT
    assert notice.closes_at.isoformat() == "2020-10-14T23:59:59.999999+08:00"
    assert [p.id for p in notice.projects] == [first]  # the failed one was rejected
    assert failed not in [p.id for p in notice.projects]
    shown = builtin.notice("2020-1")
    doc = shown.to_dict(builtin.policy.zone)
    assert list(doc)[:5] == ["batch", "started_at", "closes_at", "open", "contact"]
    assert doc["closes_at"] == "2020-10-14T23:59:59.999999+08:00"
    assert [p["id"] for p in doc["projects"]] == [first]
    assert doc["objections"] == []
    assert builtin.verify().ok


def test_nothing_reviewed_is_refused_and_writes_nothing(builtin, clock):
    clock.set(STARTED_AT)
    before = snapshot(builtin)
    with pytest.raises(Refused) as caught:
        builtin.start_notice(PROVINCE, "2020-1")
    assert (caught.value.guard, caught.value.exit_code) == ("notice", 4)
    assert snapshot(builtin) == before


def test_a_second_notice_announces_only_what_the_first_did_not(builtin, clock):
    under_notice(builtin, clock, 1)
    with pytest.raises(Refused):
        builtin.start_notice(PROVINCE, "2020-1")
    later = reviewed(builtin, clock, CODE_B)
    clock.set(STARTED_AT + timedelta(days=1))
    second = builtin.start_notice(PROVINCE, "2020-1")
    assert [p.id for p in second.projects] == [later]
    assert len(builtin.notice("2020-1").notices) == 2


def test_only_the_province_starts_a_notice(builtin, clock):
    reviewed(builtin, clock)
    clock.set(STARTED_AT)
    with pytest.raises(NotPermitted):
        builtin.start_notice(TENCENT, "2020-1")
    with pytest.raises(InvalidInput):
        builtin.start_notice(PROVINCE, "2099-9")
    with pytest.raises(NotFound):
        builtin.notice("2020-1")


def test_a_year_no_calendar_knows_is_refused(db_url):
    clock = FakeClock(cst(2020, 7, 1, 10, 0, 0))
    with Engine(db_url, clock=clock) as engine:
        reviewed(engine, clock)
        clock.set(cst(2099, 12, 28, 10, 0, 0))
        before = snapshot(engine)
        with pytest.raises(Refused) as caught:
            engine.start_notice(PROVINCE, "2020-1")
        assert caught.value.guard == "calendar"
        assert caught.value.facts == {"year": 2099}
        assert snapshot(engine) == before


def test_the_policy_calendar_lets_a_notice_run_in_a_year_the_library_does_not_know(db_url):
    policy = parse('extends = "builtin"\n[calendar]\nholidays = [2099-01-01, 2099-01-02]\n'
                   'workdays = [2099-01-04]\n')
    clock = FakeClock(cst(2020, 7, 1, 10, 0, 0))
    with Engine(db_url, clock=clock, policy=policy) as engine:
        reviewed(engine, clock)
        clock.set(cst(2099, 1, 1, 9, 0, 0))
        notice = engine.start_notice(PROVINCE, "2020-1")
        assert notice.closes_at == cst(2099, 1, 8, 23, 59, 59, 999999)


def test_objections_only_while_the_notice_is_open(builtin, clock):
    first, _ = under_notice(builtin, clock)
    clock.set(CLOSES_AT)  # the last instant: still open
    received = builtin.object(PROVINCE, first, name="张三", unit="某某公司", text="数据不实")
    assert (received.notice_id, received.open, received.unit) == (1, True, "某某公司")
    clock.set(AFTER)  # 00:00:00 the day after: closed
    before = snapshot(builtin)
    with pytest.raises(Refused) as caught:
        builtin.object(PROVINCE, first, name="李四", text="逾期")
    assert caught.value.guard == "notice"
    assert "2020-09-30T09:00:00+08:00 to 2020-10-14T23:59:59.999999+08:00" in caught.value.reason
    assert "has closed" in caught.value.reason
    assert snapshot(builtin) == before


def test_an_objection_to_a_project_never_under_notice_is_refused(builtin, clock):
    pid = reviewed(builtin, clock)
    with pytest.raises(Refused) as caught:
        builtin.object(PROVINCE, pid, name="张三", text="数据不实")
    assert caught.value.guard == "notice"
    with pytest.raises(NotFound):
        builtin.object(PROVINCE, 999, name="张三", text="数据不实")


@pytest.mark.parametrize("name", ["", "   ", None])
def test_an_objection_without_a_name_is_invalid(builtin, clock, name):
    first, _ = under_notice(builtin, clock)
    before = snapshot(builtin)
    with pytest.raises(InvalidInput) as caught:
        builtin.object(PROVINCE, first, name=name, text="数据不实")  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.exit_code) == ("name", 2)
    assert snapshot(builtin) == before


def test_signing_waits_for_the_notice_to_close(builtin, clock):
    unnoticed = reviewed(builtin, clock, CODE_B)
    clock.set(cst(2020, 10, 1, 9, 0, 0))
    with pytest.raises(Refused) as caught:
        builtin.sign(PROVINCE, unnoticed)
    assert caught.value.guard == "notice"
    assert "has not been under public notice" in caught.value.reason
    first = reviewed(builtin, clock, CODE_A)
    clock.set(STARTED_AT)
    builtin.start_notice(PROVINCE, "2020-1")
    clock.set(CLOSES_AT)
    with pytest.raises(Refused) as caught:
        builtin.sign(PROVINCE, first)
    assert caught.value.guard == "notice"
    assert "open until 2020-10-14T23:59:59.999999+08:00" in caught.value.reason
    clock.set(AFTER)
    assert builtin.sign(PROVINCE, first).state == "signed"


def test_an_open_objection_holds_signing_until_it_is_resolved(builtin, clock):
    first, second = under_notice(builtin, clock)
    objection = builtin.object(PROVINCE, first, name="张三", text="数据不实")
    clock.set(AFTER)
    with pytest.raises(Refused) as caught:
        builtin.sign(TENCENT, first)
    assert caught.value.facts["open_objections"] == 1
    assert builtin.sign(TENCENT, second).state == "signed"
    resolved, project = builtin.resolve_objection(PROVINCE, objection.id, outcome="dismissed",
                                                  reason="经核查，数据属实")
    assert (resolved.outcome, resolved.open, project) == ("dismissed", False, None)
    assert builtin.sign(TENCENT, first).state == "signed"
    assert builtin.verify().ok


def test_an_upheld_objection_rejects_the_project(builtin, clock):
    first, _ = under_notice(builtin, clock)
    objection = builtin.object(PROVINCE, first, name="张三", text="数据不实")
    clock.set(cst(2020, 10, 9, 10, 0, 0))
    resolved, project = builtin.resolve_objection(PROVINCE, objection.id, outcome="upheld",
                                                  reason="核查属实，取消资格")
    assert resolved.outcome == "upheld"
    assert project is not None and project.state == "rejected"
    last = builtin.history(first)[-1]
    assert (last.event, last.from_state, last.to_state, last.role) == (
        "reject", "reviewed", "rejected", "province")
    assert last.payload == {"reason": f"objection {objection.id} upheld: 核查属实，取消资格"}
    with pytest.raises(Refused) as caught:
        builtin.resolve_objection(PROVINCE, objection.id, outcome="dismissed", reason="再议")
    assert caught.value.guard == "resolved"
    assert builtin.verify().ok
    # The public list under notice no longer holds it.
    clock.set(cst(2020, 10, 10, 10, 0, 0))
    public = builtin.public()[0].to_dict()
    assert [p["credit_code"] for p in public["under_notice"][0]["projects"]] == [CODE_B]


def test_resolving_takes_an_outcome_and_a_reason(builtin, clock):
    first, _ = under_notice(builtin, clock)
    objection = builtin.object(PROVINCE, first, name="张三", text="数据不实")
    with pytest.raises(InvalidInput):
        builtin.resolve_objection(PROVINCE, objection.id, outcome="maybe", reason="x")
    with pytest.raises(InvalidInput):
        builtin.resolve_objection(PROVINCE, objection.id, outcome="upheld", reason=" ")
    with pytest.raises(NotFound):
        builtin.resolve_objection(PROVINCE, 99, outcome="upheld", reason="x")
    with pytest.raises(NotPermitted):
        builtin.resolve_objection(Actor("sz", "city", "suzhou"), objection.id,
                                  outcome="upheld", reason="x")
    assert builtin.objections()[0].open


def test_no_notice_gate_signs_as_before(engine, clock):
    """`[notice] gates = ""` (the tests' usual policy): signing waits for nothing."""
    pid = reviewed(engine, clock)
    clock.set(cst(2020, 10, 1, 9, 0, 0))
    assert engine.sign(PROVINCE, pid).state == "signed"
