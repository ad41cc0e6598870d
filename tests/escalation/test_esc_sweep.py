"""The sweep on every backend: boundaries of every window, catch-up, moving on, extensions."""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from accel666 import Engine, models
from accel666.models.ledger import LedgerRow
from accel666.workflow.deadlines.records import SweepResult
from tests.escalation.esc_support import (
    PROVINCE,
    SECOND,
    TICK,
    WINDOWS,
    city,
    drive,
    ladder,
    policy_with,
    scanning_in_storage_order,
)
from tests.helpers import CODE_B, CODE_C, CODE_D, cst, events, no_notice_policy

DAY = timedelta(days=1)


@pytest.fixture(params=["fakeclock", "freezegun"])
def travel(request, db_url, clock):
    """(engine, set_time): the engine's clock moved by a FakeClock, or the frozen wall clock."""
    if request.param == "fakeclock":
        eng = Engine(db_url, clock=clock, policy=no_notice_policy())
        try:
            yield eng, clock.set
        finally:
            eng.close()
        return
    with freeze_time(cst(2020, 7, 1, 12).astimezone(UTC)) as frozen:
        eng = Engine(db_url, policy=no_notice_policy())
        try:
            yield eng, lambda moment: frozen.move_to(moment.astimezone(UTC))
        finally:
            eng.close()


@pytest.mark.parametrize("phase", list(WINDOWS))
def test_every_window_boundary_and_one_second_after(travel, phase):
    """Nothing at the last instant of the window (or of each delay); each level one second on."""
    engine, set_time = travel
    state, close, role = WINDOWS[phase]
    project = drive(engine, set_time, state)
    scope = "320500" if role == "city" else None
    steps = [(close - TICK, []), (close + SECOND, [1]),
             (close + 3 * DAY - TICK, [1]), (close + 3 * DAY + SECOND, [1, 2]),
             (close + 7 * DAY - TICK, [1, 2]), (close + 7 * DAY + SECOND, [1, 2, 3])]
    for moment, levels in steps:
        set_time(moment)
        engine.sweep()
        assert ladder(engine) == [(project.id, phase, lv) for lv in levels], moment
    first, second, third = engine.escalations()
    assert (first.target_role, first.target_scope) == (role, scope)
    assert (second.target_role, second.target_scope, third.target_role) == ("province", None,
                                                                           "province")
    assert [e.lapsed for e in (first, second, third)] == [False, False, True]
    assert first.deadline == close.astimezone(UTC) and first.state_seen == state
    assert third.due_at == (close + 7 * DAY).astimezone(UTC)
    assert third.fired_at == (close + 7 * DAY + SECOND).astimezone(UTC)
    assert [e.lateness_seconds for e in (first, second, third)] == [1, 1, 1]


def test_catch_up_after_a_week_of_downtime(engine, clock):
    """One sweep after a week down records every level once, in order, with its lateness."""
    docked = drive(engine, clock.set, "docked")
    applied = drive(engine, clock.set, "applied", code=CODE_B)
    now = cst(2020, 9, 7, 12, 0, 0)
    result = engine.sweep(now)
    records = engine.escalations()
    assert ladder(engine) == [
        (docked.id, "application", 1), (applied.id, "recommendation", 1),
        (docked.id, "application", 2), (applied.id, "recommendation", 2),
        (docked.id, "application", 3), (applied.id, "recommendation", 3)]
    assert (result.first_id, result.last_id) == (records[0].id, records[-1].id)
    assert [result.recorded_id(i) for i in (records[0].id - 1, records[0].id, records[-1].id,
                                            records[-1].id + 1)] == [False, True, True, False]
    assert [e.id for e in records] == sorted(e.id for e in records)
    assert [(c.phase, c.level, c.count) for c in result.recorded] == [
        ("application", 1, 1), ("recommendation", 1, 1), ("application", 2, 1),
        ("recommendation", 2, 1), ("application", 3, 1), ("recommendation", 3, 1)]
    for e in records:
        assert e.fired_at == now.astimezone(UTC)
        assert e.lateness_seconds == int((e.fired_at - e.due_at).total_seconds())
    assert [e.lateness_seconds for e in records[::2]] == [
        7 * 86400 + 12 * 3600, 4 * 86400 + 12 * 3600, 12 * 3600]
    again = engine.sweep(now + timedelta(hours=1))
    assert (again.total, again.first_id, again.last_id) == (0, None, None)
    assert not again.recorded_id(records[0].id)
    assert len(engine.escalations()) == 6


@pytest.mark.parametrize(("first", "last"), [(None, None), (None, 3), (3, None)])
def test_a_sweep_result_without_its_id_range_recorded_no_id(first, last):
    result = SweepResult(now=cst(2020, 9, 1), dry_run=False, recorded=(), first_id=first,
                         last_id=last, resolved=0, enqueued=0)
    assert result.recorded_id(3) is False


def test_a_project_that_moves_on_is_not_escalated_further(engine, clock):
    """Declined between two sweeps: no L2, and resolved_at is when it left `applied`."""
    moved = drive(engine, clock.set, "applied")
    stays = drive(engine, clock.set, "applied", code=CODE_B)
    engine.sweep(cst(2020, 8, 31, 0, 0, 1))
    assert ladder(engine) == [(moved.id, "recommendation", 1), (stays.id, "recommendation", 1)]
    clock.set(cst(2020, 9, 1, 10, 0, 0))
    engine.reject(city("suzhou"), moved.id, reason="材料不全")
    result = engine.sweep(cst(2020, 9, 3, 0, 0, 1))
    assert result.resolved == 1
    assert ladder(engine)[2:] == [(stays.id, "recommendation", 2)]
    first = engine.escalations(project_id=moved.id)[0]
    assert first.resolved_at == cst(2020, 9, 1, 10, 0, 0).astimezone(UTC)
    assert engine.escalations(project_id=stays.id)[0].resolved_at is None
    assert engine.sweep(cst(2020, 9, 4)).resolved == 0


def test_a_project_that_left_before_the_sweep_is_not_escalated(engine, clock):
    """Withdrawn after the close but before any sweep ran: nothing is recorded for it."""
    project = drive(engine, clock.set, "docked")
    clock.set(cst(2020, 8, 31, 8, 0, 0))
    engine.withdraw(city("suzhou"), project.id, reason="撤回")
    assert engine.sweep(cst(2020, 9, 10)).total == 0
    assert ladder(engine) == []


def test_ended_projects_never_escalate(engine, clock):
    """Published, rejected and withdrawn projects are in no overdue state."""
    published = drive(engine, clock.set, "signed")
    rejected = drive(engine, clock.set, "applied", code=CODE_B)
    withdrawn = drive(engine, clock.set, "docked", code=CODE_C)
    engine.reject(city("suzhou"), rejected.id, reason="材料不全")
    engine.withdraw(city("suzhou"), withdrawn.id, reason="撤回")
    clock.set(cst(2020, 10, 20))
    engine.publish(PROVINCE, published.id)
    assert engine.sweep(cst(2021, 1, 1)).total == 0
    assert engine.overdue(now=cst(2021, 1, 1)) == []


def test_a_deadline_extended_after_l1_moves_the_later_levels(engine, clock):
    """L1 stays on record with the old deadline; L2 falls due at the new close plus 3 days."""
    project = drive(engine, clock.set, "docked")
    engine.sweep(cst(2020, 8, 31, 0, 0, 1))
    clock.set(cst(2020, 9, 1, 9, 0, 0))
    engine.extend(PROVINCE, "2020-1", phase="application", until="2020-09-06", reason="延期")
    assert engine.sweep(cst(2020, 9, 3, 0, 0, 1)).total == 0  # the old L2 moment
    assert engine.sweep(cst(2020, 9, 9, 23, 59, 59, 999_999)).total == 0
    assert engine.overdue(now=cst(2020, 9, 5)) == []  # the window is open again
    assert engine.sweep(cst(2020, 9, 10, 0, 0, 1)).total == 1
    first, second = engine.escalations()
    assert (first.level, first.deadline) == (1, cst(2020, 8, 31).astimezone(UTC))
    assert (second.project_id, second.level) == (project.id, 2)
    assert second.deadline == cst(2020, 9, 7).astimezone(UTC)
    assert second.due_at == cst(2020, 9, 10).astimezone(UTC)
    assert second.lateness_seconds == 1


def test_a_kunshan_project_is_escalated_to_the_kunshan_bureau(engine, clock):
    """A pilot county's project goes to its own bureau (320583), not to Suzhou's."""
    drive(engine, clock.set, "docked", region="kunshan")
    engine.sweep(cst(2020, 8, 31, 0, 0, 1))
    (e,) = engine.escalations()
    assert (e.target_role, e.target_scope) == ("city", "320583")


def test_dry_run_writes_nothing_and_predicts_the_sweep(engine, clock):
    docked = drive(engine, clock.set, "docked")
    applied = drive(engine, clock.set, "applied", code=CODE_B)
    now = cst(2020, 9, 3, 0, 0, 1)
    before = _counts(engine)
    dry = engine.sweep(now, dry_run=True)
    assert _counts(engine) == before
    assert dry.dry_run and (dry.first_id, dry.last_id) == (None, None)
    assert sorted(dry.planned) == sorted(
        [(docked.id, "application", 1), (docked.id, "application", 2),
         (applied.id, "recommendation", 1), (applied.id, "recommendation", 2)])
    real = engine.sweep(now)
    assert real.recorded == dry.recorded
    assert sorted(ladder(engine)) == sorted(dry.planned)
    assert engine.sweep(now, dry_run=True).total == 0


def test_dry_run_counts_the_resolutions_the_sweep_makes(engine, clock):
    """Of four overdue projects with an L1, one left and was resolved by a sweep, a second
    left since, two stay: the dry run announces that one resolution, queues nothing, and the
    sweep then makes exactly that resolution."""
    left_first = drive(engine, clock.set, "docked")
    left_later = drive(engine, clock.set, "docked", code=CODE_B)
    stays = [drive(engine, clock.set, "docked", code=code).id for code in (CODE_C, CODE_D)]
    engine.sweep(cst(2020, 8, 31, 0, 0, 1))
    clock.set(cst(2020, 9, 1, 9, 0, 0))
    engine.withdraw(city("suzhou"), left_first.id, reason="撤回")
    assert engine.sweep(cst(2020, 9, 1, 10, 0, 0)).resolved == 1
    engine.withdraw(city("suzhou"), left_later.id, reason="撤回")
    now = cst(2020, 9, 2, 10, 0, 0)
    dry = engine.sweep(now, dry_run=True)
    assert (dry.resolved, dry.enqueued, dry.total) == (1, 0, 0)
    assert engine.sweep(now).resolved == dry.resolved
    assert [e.project_id for e in engine.escalations(open_only=True)] == stays


def test_the_sweep_queues_one_delivery_per_notifier_in_the_same_transaction(engine, clock):
    drive(engine, clock.set, "docked")
    result = engine.sweep(cst(2020, 8, 31, 0, 0, 1), webhook="http://127.0.0.1:9/hook")
    assert result.enqueued == 2
    (e,) = engine.escalations()
    assert [(d.notifier, d.status, d.attempts, d.endpoint) for d in e.deliveries] == [
        ("log", "pending", 0, None), ("webhook", "pending", 0, "http://127.0.0.1:9/hook")]


def test_overdue_lists_phase_deadline_lateness_and_level(engine, clock):
    docked = drive(engine, clock.set, "docked")
    drive(engine, clock.set, "docked", code=CODE_C, region="nanjing")
    assert engine.overdue(now=cst(2020, 8, 30, 23, 59, 59)) == []
    (unswept,) = engine.overdue(region="苏州", now=cst(2020, 8, 31))
    assert (unswept.level, unswept.next_level, unswept.next_due_at) == (
        None, 1, cst(2020, 8, 31).astimezone(UTC))
    engine.sweep(cst(2020, 8, 31, 0, 0, 1))
    rows = engine.overdue(region="苏州", now=cst(2020, 9, 1, 6, 0, 0))
    assert len(rows) == 1
    (o,) = rows
    assert (o.project_id, o.phase, o.state, o.level, o.acknowledged) == (
        docked.id, "application", "docked", 1, False)
    assert (o.title, o.enterprise, o.region, o.batch) == (
        "云上工厂", "苏州某某科技有限公司", "320500", "2020-1")
    assert o.deadline == cst(2020, 8, 31).astimezone(UTC)
    assert o.late_by == timedelta(days=1, hours=6)
    assert (o.next_level, o.next_due_at) == (2, cst(2020, 9, 3).astimezone(UTC))
    assert len(engine.overdue(now=cst(2020, 9, 1))) == 2


def test_overdue_lists_a_phase_that_closed_before_an_earlier_one(db_url, clock):
    """Windows out of order: application closes after recommendation. A project overdue in
    recommendation is listed while the application window is still open."""
    policy = policy_with(
        ('name = "2020年第一批"', 'name = "2020年第一批"\nwindows_out_of_order = true'),
        ("application = { closes = 2020-08-30 }", "application = { closes = 2020-09-20 }"))
    with Engine(db_url, clock=clock, policy=policy) as engine:
        applied = drive(engine, clock.set, "applied")
        (row,) = engine.overdue(now=cst(2020, 9, 5))
        assert (row.project_id, row.phase, row.deadline) == (
            applied.id, "recommendation", cst(2020, 8, 31).astimezone(UTC))


def test_sweep_needs_an_aware_moment(engine):
    from datetime import datetime

    from accel666 import InvalidInput

    with pytest.raises(InvalidInput) as err:
        engine.sweep(datetime(2020, 9, 1))
    assert err.value.message == "invalid now: pass an aware datetime"


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.db.connect() as conn:
        return (conn.execute(select(func.count()).select_from(models.escalation_table))
                .scalar_one(),
                conn.execute(select(func.count()).select_from(models.delivery_table))
                .scalar_one())



def test_each_resolution_is_dated_when_its_own_project_left(engine, clock):
    first = drive(engine, clock.set, "applied")
    second = drive(engine, clock.set, "applied", code=CODE_B)
    engine.sweep(cst(2020, 8, 31, 0, 0, 1))
    for project, day in ((first, 1), (second, 2)):
        clock.set(cst(2020, 9, day, 10, 0, 0))
        engine.reject(city("suzhou"), project.id, reason="材料不全")
    assert engine.sweep(cst(2020, 9, 2, 12, 0, 0)).resolved == 2
    assert [e.resolved_at for e in engine.escalations()] == [
        cst(2020, 9, 1, 10, 0, 0).astimezone(UTC), cst(2020, 9, 2, 10, 0, 0).astimezone(UTC)]


def test_a_sweep_that_records_nothing_queues_nothing(engine, clock):
    drive(engine, clock.set, "docked")
    result = engine.sweep(cst(2020, 8, 30, 12))  # before any window closed
    assert (result.total, result.enqueued, result.adopted) == (0, 0, 0)
    assert result.dry_run is False


def test_the_sweeps_chain_records_each_sweep_as_the_system(engine, clock):
    drive(engine, clock.set, "docked")
    engine.sweep(cst(2020, 8, 31, 0, 0, 1))
    entry = LedgerRow.__table__.c
    with engine.db.connect() as conn:
        rows = conn.execute(select(entry.seq, entry.kind, entry.actor, entry.role)
                            .where(entry.chain == "sweeps")).all()
    assert [tuple(r) for r in rows] == [(1, "sweep", "accel666", "system")]


def test_a_level_addressed_to_the_enterprise_is_scoped_to_its_credit_code(db_url, clock):
    policy = policy_with(('target = "province"       # 省工信厅两化融合推进处',
                          'target = "enterprise"'))
    eng = Engine(db_url, clock=clock, policy=policy)
    try:
        project = drive(eng, clock.set, "docked")
        eng.sweep(cst(2020, 9, 3, 0, 0, 1))
        assert [(e.level, e.target_role, e.target_scope) for e in eng.escalations()] == [
            (1, "city", "320500"), (2, "enterprise", project.credit_code)]
    finally:
        eng.close()


def test_a_sweep_logs_what_it_recorded_resolved_queued_and_adopted(engine, clock, caplog):
    drive(engine, clock.set, "docked")
    moved = drive(engine, clock.set, "applied", code=CODE_B)
    with caplog.at_level(logging.INFO, logger="accel666"):
        engine.sweep(cst(2020, 8, 31, 0, 0, 1))
        clock.set(cst(2020, 9, 1, 10, 0, 0))
        engine.reject(city("suzhou"), moved.id, reason="材料不全")
        engine.sweep(cst(2020, 9, 1, 12, 0, 0), webhook="http://127.0.0.1:9/hook")
    assert events(caplog.records, "sweep") == [
        {"event": "sweep", "now": "2020-08-30T16:00:01+00:00", "recorded": 2, "resolved": 0,
         "enqueued": 2, "adopted": 0,
         "by_level": {"2020-1/application/L1": 1, "2020-1/recommendation/L1": 1}},
        {"event": "sweep", "now": "2020-09-01T04:00:00+00:00", "recorded": 0, "resolved": 1,
         "enqueued": 0, "adopted": 1, "by_level": {}},
    ]


def test_an_escalation_whose_state_no_longer_counts_is_resolved_at_the_sweep(engine, clock):
    """A policy put in force later does not count the project's state as overdue any more, and
    the project never left it: its log cannot say when, so the sweep's moment is recorded."""
    drive(engine, clock.set, "docked")
    engine.sweep(cst(2020, 8, 31, 0, 0, 1))
    clock.set(cst(2020, 9, 1, 9))
    engine.apply_policy(PROVINCE, policy_with(('application = { overdue = ["docked"]',
                                               'application = { overdue = ["applied"]')),
                        reason="口径调整")
    assert engine.sweep(cst(2020, 9, 1, 10)).resolved == 1
    assert [e.resolved_at for e in engine.escalations()] == [cst(2020, 9, 1, 10).astimezone(UTC)]


def test_a_project_counted_overdue_later_is_escalated_though_others_already_were(engine, clock):
    """Whether a project already has a level is asked of that project alone."""
    docked = drive(engine, clock.set, "docked")
    applied = drive(engine, clock.set, "applied", code=CODE_B)
    engine.sweep(cst(2020, 8, 31, 0, 0, 1))
    clock.set(cst(2020, 9, 1, 9))
    engine.apply_policy(PROVINCE, policy_with((
        'application = { overdue = ["docked"]', 'application = { overdue = ["docked", "applied"]')),
        reason="口径调整")
    assert engine.sweep(cst(2020, 9, 1, 10)).total == 1
    assert ladder(engine) == [(docked.id, "application", 1), (applied.id, "recommendation", 1),
                              (applied.id, "application", 1)]
    # Oldest first for one project too, not in the order of its phases' names.
    assert [e.phase for e in engine.escalations(project_id=applied.id)] == [
        "recommendation", "application"]


def test_a_level_records_its_projects_in_project_order_whatever_their_state(db_url, clock):
    eng = Engine(db_url, clock=clock, policy=policy_with((
        'application = { overdue = ["docked"]', 'application = { overdue = ["docked", "applied"]')))
    try:
        docked = drive(eng, clock.set, "docked")
        applied = drive(eng, clock.set, "applied", code=CODE_B)
        eng.sweep(cst(2020, 8, 31, 0, 0, 1))
        assert ladder(eng) == [(docked.id, "application", 1), (applied.id, "application", 1),
                               (applied.id, "recommendation", 1)]
    finally:
        eng.close()


def test_a_sweeps_digests_follow_the_ids_whatever_order_the_rows_are_stored_in(db_url, clock):
    """verify recomputes a sweep's digests in id order, so the sweep must read its rows in id
    order too. An acknowledgement rewrites the older escalation, which a PostgreSQL table then
    stores after the newer one; resolved by one sweep, the two are read back in that order
    by a plan without an index, unless the query orders them."""
    with Engine(db_url, clock=clock) as setup:
        older = drive(setup, clock.set, "docked")
        newer = drive(setup, clock.set, "docked", code=CODE_B)
        setup.sweep(cst(2020, 8, 31, 0, 0, 1))
        first, _ = setup.escalations()
        clock.set(cst(2020, 9, 1, 9))
        setup.ack(city("suzhou"), first.id, "已催办")
        for project in (older, newer):
            setup.withdraw(city("suzhou"), project.id, reason="企业放弃")
        db = setup.db
    with scanning_in_storage_order(db) as plain, Engine(plain, clock=clock) as engine:
        assert engine.sweep(cst(2020, 9, 2)).resolved == 2
    with Engine(db_url, clock=clock) as engine:
        report = engine.verify()
        assert report.ok, report.problems
