"""Escalations read at the engine: oldest first, in pages, with their deliveries; the checks
on what is asked for; a dry run delivers nothing."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import delete

from accel666 import InvalidInput, models
from accel666.workflow.deadlines import outbox, queries
from accel666.workflow.deadlines.records import Delivery, DeliveryReport
from accel666.workflow.notifiers import LogNotifier, WebhookNotifier
from tests.escalation.esc_support import (
    drive,
    scanning_in_storage_order,
    stored_newest_first,
)
from tests.helpers import CODE_A, CODE_B, CODE_C, cst

CLOSE = cst(2020, 8, 31, 0, 0, 1)
DEAD = "http://127.0.0.1:9/hook"


def test_escalations_come_oldest_first_in_pages_with_their_deliveries(engine, clock):
    projects = [drive(engine, clock.set, "docked", code=c) for c in (CODE_A, CODE_B, CODE_C)]
    engine.sweep(CLOSE)  # the log alone
    every = engine.escalations()
    assert [(e.id, e.project_id) for e in every] == [(i, p.id) for i, p in enumerate(projects, 1)]
    assert [e.deliveries for e in every] == [
        (Delivery(id=e.id, escalation_id=e.id, notifier="log", endpoint=None, status="pending",
                  attempts=0, last_error=None, next_attempt_at=CLOSE, delivered_at=None),)
        for e in every]
    assert engine.escalations(limit=1) == every[:1]
    assert engine.escalations(limit=1, offset=1) == every[1:2]
    assert engine.escalations(offset=2) == every[2:]
    assert engine.escalations(project_id=projects[1].id) == every[1:2]


@pytest.mark.parametrize(("asked", "field", "value"), [
    ({"limit": 0}, "limit", 0), ({"offset": -1}, "offset", -1),
    ({"project_id": 0}, "project id", 0)])
def test_escalations_refuse_a_page_or_project_out_of_range(engine, asked, field, value):
    with pytest.raises(InvalidInput) as err:
        engine.escalations(**asked)
    assert (err.value.field, err.value.value) == (field, value)


def test_escalate_refuses_a_max_attempts_below_one(engine):
    with pytest.raises(InvalidInput) as err:
        engine.escalate(CLOSE, max_attempts=0)
    assert (err.value.field, err.value.value) == ("max attempts", 0)


def test_a_dry_run_of_escalate_delivers_nothing(engine, clock):
    drive(engine, clock.set, "docked")
    engine.sweep(CLOSE)  # a delivery is due
    run = engine.escalate(CLOSE + timedelta(minutes=1), dry_run=True)
    assert run.delivery == DeliveryReport(0, 0, 0, 0)
    assert run.delivery.failed_escalations == ()
    (escalation,) = engine.escalations()
    assert [(d.status, d.attempts) for d in escalation.deliveries] == [("pending", 0)]


def test_a_claim_takes_the_due_deliveries_after_the_last_one_claimed_at_most_a_claim_s_size(
        engine, clock):
    for code in (CODE_B, CODE_C):
        drive(engine, clock.set, "docked", code=code)
    engine.sweep(CLOSE, webhook=DEAD)
    now = CLOSE.astimezone(UTC)
    first, second = (e.deliveries[0].id for e in engine.escalations())
    minute = timedelta(minutes=1)
    one_at_a_time = LogNotifier(claim_size=1)
    assert [r.id for r in outbox.claim(engine.db, one_at_a_time, "a", now, 0, minute)] == [first]
    log = LogNotifier()
    assert [r.id for r in outbox.claim(engine.db, log, "b", now - minute, 0, minute)] == []
    later = now + minute  # the first one's lease has run out
    assert [r.id for r in outbox.claim(engine.db, log, "b", later, first, minute)] == [second]


def test_overdue_comes_in_pages_and_refuses_a_page_out_of_range(engine, clock):
    for code in (CODE_A, CODE_B, CODE_C):
        drive(engine, clock.set, "docked", code=code)
    every = engine.overdue(now=CLOSE)
    assert len(every) == 3
    assert engine.overdue(now=CLOSE, limit=1) == every[:1]
    assert engine.overdue(now=CLOSE, limit=2, offset=1) == every[1:]
    assert engine.overdue(now=CLOSE, offset=2) == every[2:]
    for asked, field, value in (({"limit": 0}, "limit", 0), ({"offset": -1}, "offset", -1)):
        with pytest.raises(InvalidInput) as err:
            engine.overdue(now=CLOSE, **asked)
        assert (err.value.field, err.value.value) == (field, value)


def test_a_later_webhook_queues_only_for_escalations_without_one_and_leaves_the_log_alone(
        engine, clock):
    """Adoption is per escalation: one already posting to a webhook keeps its one delivery, one
    recorded without gets one, and the log's pending deliveries keep their endpoint."""
    first = drive(engine, clock.set, "docked", code=CODE_A)
    engine.sweep(CLOSE, webhook=DEAD)  # first's escalation: log + webhook deliveries
    drive(engine, clock.set, "docked", code=CODE_B)
    later = CLOSE + timedelta(days=1)
    swept = engine.sweep(later)  # the second's: the log alone
    assert swept.total == 1
    adopted = engine.sweep(later + timedelta(seconds=1), webhook=DEAD + "2")
    by_project = {e.project_id: e for e in engine.escalations()}
    webhooks = {pid: [d.endpoint for d in e.deliveries if d.notifier == "webhook"]
                for pid, e in by_project.items()}
    # first's pending delivery is pointed at the webhook configured now; the second gets one.
    assert webhooks == {first.id: [DEAD + "2"], first.id + 1: [DEAD + "2"]}
    assert adopted.adopted == 2  # one queued, one redirected
    logs = [d for e in by_project.values() for d in e.deliveries if d.notifier == "log"]
    assert [(d.endpoint, d.status) for d in logs] == [(None, "pending"), (None, "pending")]


def test_an_escalation_whose_deliveries_were_deleted_is_still_listed_and_read(engine, clock):
    """Every sweep queues a delivery with each escalation; a database edited by hand may have
    lost them. The escalation is still listed, and read alone, with no deliveries."""
    drive(engine, clock.set, "docked")
    drive(engine, clock.set, "docked", code=CODE_B)
    engine.sweep(CLOSE)
    first, second = engine.escalations()
    with models.writing(engine.db) as conn:
        conn.execute(delete(models.delivery_table)
                     .where(models.delivery_table.c.escalation_id == first.id))
    assert [(e.id, len(e.deliveries)) for e in engine.escalations()] == [
        (first.id, 0), (second.id, 1)]
    assert engine.escalation(first.id).deliveries == ()


def test_reads_come_in_id_order_whatever_order_the_rows_are_stored_in(engine, clock):
    """Overdue projects, each escalation's deliveries and the rows a claim hands over come in
    id order. On PostgreSQL the tables are rewritten newest row first, where a read without an
    order, and without an index to follow, would meet the oldest last."""
    projects = [drive(engine, clock.set, "docked", code=c) for c in (CODE_A, CODE_B, CODE_C)]
    engine.sweep(CLOSE, webhook=DEAD)  # each escalation: a log delivery, then a webhook one
    stored_newest_first(engine.db, models.project_table, models.escalation_table,
                        models.delivery_table)
    now = CLOSE.astimezone(UTC)
    with scanning_in_storage_order(engine.db) as db:
        late = queries.overdue(db, engine.policy, now)
        listed = queries.escalations(db, open_only=False, failed_only=False, project_id=None,
                                     limit=None, offset=0)
        alone = queries.one(db, listed[0].id)
        claimed = outbox.claim(db, WebhookNotifier(), "holder", now, 0, timedelta(minutes=1))
    assert [p.project_id for p in late] == [p.id for p in projects]
    assert [[d.notifier for d in e.deliveries] for e in listed] == [["log", "webhook"]] * 3
    assert [d.notifier for d in alone.deliveries] == ["log", "webhook"]
    assert [r.escalation_id for r in claimed] == [e.id for e in listed]
