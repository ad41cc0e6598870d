"""Acknowledgements: who may give one, once, and whether it stops the ladder."""

from __future__ import annotations

import logging
from datetime import UTC

import pytest

from accel666 import Actor, Engine, InvalidInput, NotFound, NotPermitted, Refused
from tests.escalation.esc_support import PROVINCE, city, drive, ladder, policy_with
from tests.helpers import CODE_B, cst, events


def _two_overdue_with_l1(engine, clock):
    a = drive(engine, clock.set, "docked")
    b = drive(engine, clock.set, "docked", code=CODE_B)
    engine.sweep(cst(2020, 8, 31, 0, 0, 1))
    first_a, first_b = engine.escalations()
    assert (first_a.project_id, first_b.project_id) == (a.id, b.id)
    return a, b, first_a


def test_acknowledgement_stops_the_ladder(engine, clock):
    """The bureau acknowledges A's L1: A gets no L2 or L3, B climbs the whole ladder."""
    a, b, first_a = _two_overdue_with_l1(engine, clock)
    clock.set(cst(2020, 9, 1, 9, 30))
    acked = engine.ack(city("苏州"), first_a.id, "已电话催办")
    assert (acked.acked_by, acked.ack_role, acked.ack_scope, acked.ack_note) == (
        "city-苏州", "city", "320500", "已电话催办")
    assert acked.acked_at == cst(2020, 9, 1, 9, 30).astimezone(UTC)
    assert not acked.open
    engine.sweep(cst(2020, 9, 7, 0, 0, 1))
    assert ladder(engine) == [(a.id, "application", 1), (b.id, "application", 1),
                              (b.id, "application", 2), (b.id, "application", 3)]
    (row_a,) = [o for o in engine.overdue(now=cst(2020, 9, 8)) if o.project_id == a.id]
    assert (row_a.level, row_a.acknowledged, row_a.next_level) == (1, True, None)
    assert [e.id for e in engine.escalations(open_only=True)] == [
        e.id for e in engine.escalations() if e.project_id == b.id]


def test_with_the_flag_off_acknowledgement_does_not_stop_it(db_url, clock):
    policy = policy_with(("ack_stops_ladder = true", "ack_stops_ladder = false"))
    with Engine(db_url, clock=clock, policy=policy) as engine:
        a, b, first_a = _two_overdue_with_l1(engine, clock)
        engine.ack(PROVINCE, first_a.id, "知悉")
        engine.sweep(cst(2020, 9, 3, 0, 0, 1))
        assert ladder(engine)[2:] == [(a.id, "application", 2), (b.id, "application", 2)]
        (row_a,) = [o for o in engine.overdue(now=cst(2020, 9, 4)) if o.project_id == a.id]
        assert (row_a.acknowledged, row_a.next_level) == (True, 3)


def test_an_acknowledged_l2_stops_l3(engine, clock):
    project = drive(engine, clock.set, "applied")
    engine.sweep(cst(2020, 9, 3, 0, 0, 1))
    second = engine.escalations()[1]
    assert (second.level, second.target_role) == (2, "province")
    engine.ack(PROVINCE, second.id, "处理中")
    engine.sweep(cst(2020, 9, 10))
    assert ladder(engine) == [(project.id, "recommendation", 1),
                              (project.id, "recommendation", 2)]


@pytest.mark.parametrize(("actor", "guard", "scope", "message"), [
    (Actor("nj", "city", "nanjing"), "scope", "320100",
     "ack not permitted: city:320100 may not acknowledge an escalation addressed to "
     "city:320500"),
    (Actor("tx", "tencent"), "role", None,
     "ack not permitted: role tencent may not acknowledge an escalation addressed to city "
     "(allowed: city, province)"),
])
def test_only_the_target_or_the_province_may_acknowledge(engine, clock, caplog, actor, guard,
                                                         scope, message):
    a, _, first_a = _two_overdue_with_l1(engine, clock)
    with caplog.at_level(logging.INFO, logger="accel666"), pytest.raises(NotPermitted) as err:
        engine.ack(actor, first_a.id, "x")
    assert err.value.message == message
    assert (err.value.event, err.value.guard, err.value.role, err.value.scope,
            err.value.project_id) == ("ack", guard, actor.role, scope, a.id)
    assert err.value.facts == {"role": actor.role, "scope": scope, "target_role": "city",
                               "target_scope": "320500"}
    (refused,) = events(caplog.records, "refused")
    assert (refused["trigger"], refused["guard"], refused["project_id"]) == ("ack", guard, a.id)
    assert events(caplog.records, "ack") == []
    assert engine.escalation(first_a.id).acked_at is None


def test_a_city_may_not_acknowledge_a_provincial_level(engine, clock):
    drive(engine, clock.set, "docked")
    engine.sweep(cst(2020, 9, 3, 0, 0, 1))
    second = engine.escalations()[1]
    with pytest.raises(NotPermitted) as err:
        engine.ack(city("suzhou"), second.id, "x")
    assert err.value.guard == "role"


def test_an_escalation_is_acknowledged_once(engine, clock):
    a, _, first_a = _two_overdue_with_l1(engine, clock)
    clock.set(cst(2020, 9, 1, 10))
    engine.ack(city("suzhou"), first_a.id, "一")
    with pytest.raises(Refused) as err:
        engine.ack(PROVINCE, first_a.id, "二")
    assert err.value.message == ("ack refused: escalation 1 was already acknowledged by "
                                 "city-suzhou (city) at 2020-09-01 10:00:00 +08:00")
    assert (err.value.event, err.value.guard, err.value.project_id) == ("ack", "acknowledged",
                                                                        a.id)
    assert err.value.facts == {"escalation_id": first_a.id, "acked_by": "city-suzhou"}
    assert engine.escalation(first_a.id).ack_note == "一"


def test_an_acknowledgement_is_logged_with_who_and_what(engine, clock, caplog):
    a, _, first_a = _two_overdue_with_l1(engine, clock)
    clock.set(cst(2020, 9, 1, 9, 30))
    with caplog.at_level(logging.INFO, logger="accel666"):
        engine.ack(city("suzhou"), first_a.id, "已电话催办")
    assert events(caplog.records, "ack") == [{
        "event": "ack", "escalation": first_a.id, "project": a.id, "phase": "application",
        "level": 1, "actor": "city-suzhou", "role": "city", "scope": "320500",
        "note": "已电话催办", "at": "2020-09-01T01:30:00+00:00"}]


def test_acknowledging_an_unknown_escalation(engine):
    with pytest.raises(NotFound) as err:
        engine.ack(PROVINCE, 99, "x")
    assert err.value.message == "escalation 99 not found"


def test_reading_an_unknown_or_invalid_escalation(engine):
    with pytest.raises(NotFound) as missing:
        engine.escalation(99)
    assert (missing.value.kind, missing.value.key) == ("escalation", 99)
    with pytest.raises(InvalidInput) as invalid:
        engine.escalation(0)
    assert (invalid.value.field, invalid.value.message) == (
        "escalation id", "invalid escalation id: must be 1 or more (got 0)")


def test_an_acknowledgement_in_one_phase_does_not_stop_another_phases_ladder(engine, clock):
    """A's application L1 is acknowledged; after an extension (which carries recommendation
    along to 09-06) A applies, is not recommended in time, and that phase's ladder climbs on:
    L1 and L2 are recorded."""
    a = drive(engine, clock.set, "docked")
    engine.sweep(cst(2020, 8, 31, 0, 0, 1))
    (application_l1,) = engine.escalations()
    clock.set(cst(2020, 9, 1, 9))
    engine.ack(city("suzhou"), application_l1.id, "已催办")
    engine.extend(PROVINCE, "2020-1", phase="application", until="2020-09-06", reason="补交")
    clock.set(cst(2020, 9, 2, 9))
    engine.apply(Actor("ent", "enterprise", a.credit_code), a.id, paper_copies=2,
                 document=b"%PDF", document_name="a.pdf")
    now = cst(2020, 9, 10, 0, 0, 1)  # recommendation L2 is due (closed 09-07 00:00, +3 days)
    dry = engine.sweep(now, dry_run=True)
    assert sorted(dry.planned) == [(a.id, "recommendation", 1), (a.id, "recommendation", 2)]
    engine.sweep(now)
    assert ladder(engine) == [(a.id, "application", 1), (a.id, "recommendation", 1),
                              (a.id, "recommendation", 2)]
    (row,) = engine.overdue(now=now)
    assert (row.phase, row.level, row.acknowledged, row.next_level) == (
        "recommendation", 2, False, 3)


def test_a_dry_run_honours_an_acknowledgement_as_the_sweep_does(engine, clock):
    """With A's L1 acknowledged, the dry run at L2's moment announces only B's L2, exactly what
    the real sweep then records."""
    _, b, first_a = _two_overdue_with_l1(engine, clock)
    engine.ack(city("suzhou"), first_a.id, "已电话催办")
    now = cst(2020, 9, 3, 0, 0, 1)
    dry = engine.sweep(now, dry_run=True)
    assert dry.planned == ((b.id, "application", 2),)
    real = engine.sweep(now)
    assert real.recorded == dry.recorded
    assert ladder(engine)[2:] == [(b.id, "application", 2)]
