"""Every comparison the engine makes with `now`, at the instant itself, one microsecond before
and one microsecond after: window opening and closing (guards and `batches`), `overdue`, the
moment a level falls due (sweep, dry run and the scheduler's plan), a delivery's next attempt
and its lease, and the choice of batch for docking."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from accel666 import policies
from accel666.policies import escalation as ladder_rules
from accel666.policies.rules import check_window
from accel666.workflow.deadlines import outbox as delivery
from tests.helpers import cst
from tests.workflow.wf_support import PROVINCE, dock, drive

US = timedelta(microseconds=1)
BEFORE, AT, AFTER = -US, timedelta(0), US
EDGES = [pytest.param(BEFORE, id="1us-before"), pytest.param(AT, id="at"),
         pytest.param(AFTER, id="1us-after")]
POLICY = policies.load()
BATCH = POLICY.batches["2020-1"]
APPLICATION_CLOSES = cst(2020, 8, 31)  # 00:00 China time after the last day, 2020-08-30
SIGNING_OPENS = cst(2020, 10, 1)


def _is_open_from(offset: timedelta) -> bool:
    return offset >= AT


def _is_open_until(offset: timedelta) -> bool:
    return offset < AT


@pytest.mark.parametrize("offset", EDGES)
@pytest.mark.parametrize("event", ["dock", "apply", "recommend", "review", "sign", "publish"])
def test_a_window_guard_closes_at_its_closing_instant(event, offset):
    phase = policies.PHASE_OF_EVENT[event]
    closes = BATCH.windows[phase].closes_at
    assert (check_window(BATCH, event, closes + offset) is None) is _is_open_until(offset)


@pytest.mark.parametrize("offset", EDGES)
@pytest.mark.parametrize("event", ["sign", "publish"])
def test_a_window_guard_opens_at_its_opening_instant(event, offset):
    assert (check_window(BATCH, event, SIGNING_OPENS + offset) is None) is _is_open_from(offset)


@pytest.mark.parametrize("offset", EDGES)
def test_batches_shows_a_window_closed_from_its_closing_instant(engine, clock, offset):
    clock.set((APPLICATION_CLOSES + offset).astimezone(UTC))
    (batch,) = engine.batches()
    windows = {w.phase: w for w in batch.windows}
    assert windows["application"].open is _is_open_until(offset)
    assert windows["application"].closes_at == APPLICATION_CLOSES - US


@pytest.mark.parametrize("offset", EDGES)
def test_batches_shows_a_window_open_from_its_opening_instant(engine, clock, offset):
    clock.set((SIGNING_OPENS + offset).astimezone(UTC))
    (batch,) = engine.batches()
    assert {w.phase: w.open for w in batch.windows}["signing"] is _is_open_from(offset)


@pytest.mark.parametrize("offset", EDGES)
def test_a_project_is_overdue_from_the_closing_instant(engine, clock, offset):
    project = drive(engine, clock.set, "docked")
    rows = engine.overdue(now=APPLICATION_CLOSES + offset)
    if offset < AT:
        assert rows == []
    else:
        (row,) = rows
        assert (row.project_id, row.phase, row.late_by) == (project.id, "application", offset)


@pytest.mark.parametrize("offset", EDGES)
@pytest.mark.parametrize(("level", "due"), [(1, APPLICATION_CLOSES),
                                            (2, APPLICATION_CLOSES + timedelta(days=3))])
def test_a_level_is_recorded_from_its_due_instant(engine, clock, level, due, offset):
    project = drive(engine, clock.set, "docked")
    now = due + offset
    expected = offset >= AT
    planned = set(engine.sweep(now, dry_run=True).planned)
    engine.sweep(now)
    recorded = {(e.project_id, e.phase, e.level) for e in engine.escalations()}
    assert ((project.id, "application", level) in planned) is expected
    assert ((project.id, "application", level) in recorded) is expected


@pytest.mark.parametrize("offset", EDGES)
def test_the_scheduler_plans_a_moment_only_while_it_is_ahead(offset):
    moments = ladder_rules.future_moments(POLICY, {}, APPLICATION_CLOSES + offset)
    assert (APPLICATION_CLOSES.astimezone(UTC) in moments) is (offset < AT)


@pytest.mark.parametrize("offset", EDGES)
def test_a_delivery_is_attempted_from_its_next_attempt_instant(engine, clock, offset):
    drive(engine, clock.set, "docked")
    fired = APPLICATION_CLOSES.astimezone(UTC)
    assert engine.sweep(fired).enqueued == 1  # the log delivery, due at once
    report = engine.deliver(fired + offset)
    assert report.attempted == (0 if offset < AT else 1)


@pytest.mark.parametrize("offset", EDGES)
def test_a_claim_is_free_again_from_the_instant_its_lease_ends(engine, clock, offset):
    drive(engine, clock.set, "docked")
    fired = APPLICATION_CLOSES.astimezone(UTC)
    engine.sweep(fired)
    lease = timedelta(seconds=60)
    log = engine.notifiers.get("log")
    assert len(delivery.claim(engine.db, log, "first", fired, 0, lease)) == 1
    again = delivery.claim(engine.db, log, "second", fired + lease + offset, 0, lease)
    assert len(again) == (0 if offset < AT else 1)


@pytest.mark.parametrize("offset", EDGES)
def test_docking_without_a_batch_honours_an_extension_from_the_closing_instant(engine, clock,
                                                                               offset):
    """Docking closes at 2020-07-16 00:00; an extension to 07-20 keeps the batch the one open
    for docking at the instant the policy's window closes and after it."""
    engine.extend(PROVINCE, "2020-1", phase="docking", until="2020-07-20", reason="延期")
    clock.set((cst(2020, 7, 16) + offset).astimezone(UTC))
    project = dock(engine, batch=None)
    assert project.batch == "2020-1"
