"""Delivery through the outbox: a webhook on a loopback server, retries with backoff, failure."""

from __future__ import annotations

import json
import logging
import socket
import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from accel666 import InvalidInput, NotFound, NotPermitted, Refused
from tests.escalation.esc_support import PROVINCE, city, drive, receiver
from tests.helpers import CODE_B, CODE_C, CODE_D, cst, events

CLOSE = cst(2020, 8, 31, 0, 0, 1)


def test_a_webhook_failing_twice_then_succeeding_delivers_each_escalation_once(engine, clock):
    """Three sweeps, each past the backoff: attempts 3, delivered, each key accepted once."""
    a = drive(engine, clock.set, "docked")
    b = drive(engine, clock.set, "applied", code=CODE_B)
    with receiver(failures=2) as hook:
        first = engine.escalate(CLOSE, webhook=hook.url)
        assert first.sweep.enqueued == 4  # log and webhook, for each of the two escalations
        assert (first.delivery.delivered, first.delivery.retrying) == (2, 2)
        early = engine.escalate(CLOSE + timedelta(seconds=59), webhook=hook.url)
        assert early.delivery.attempted == 0  # the first backoff (60 s) has not passed
        second = engine.escalate(CLOSE + timedelta(seconds=61), webhook=hook.url)
        assert (second.delivery.attempted, second.delivery.retrying) == (2, 2)
        third = engine.escalate(CLOSE + timedelta(seconds=61 + 121), webhook=hook.url)
        assert (third.delivery.attempted, third.delivery.delivered) == (2, 2)
        assert engine.escalate(CLOSE + timedelta(hours=1)).delivery.attempted == 0
    records = engine.escalations()
    assert [(e.project_id, e.phase) for e in records] == [(a.id, "application"),
                                                          (b.id, "recommendation")]
    assert set(hook.accepted) == {e.idempotency_key for e in records}
    assert len(hook.requests) == 6
    for e in records:
        web = next(d for d in e.deliveries if d.notifier == "webhook")
        assert (web.status, web.attempts, web.last_error) == ("delivered", 3, "HTTP 500 "
                                                             "Internal Server Error")
        assert web.delivered_at == web.next_attempt_at == (CLOSE + timedelta(seconds=182))
        body = hook.accepted[e.idempotency_key]
        assert (body["id"], body["project_id"], body["level"], body["phase"]) == (
            e.id, e.project_id, 1, e.phase)
        assert body["target_role"] == "city" and body["target_scope"] == "320500"
        assert body["fired_at"] == CLOSE.astimezone(ZoneInfo("Asia/Shanghai")).isoformat()
        assert body["fired_at"].endswith("+08:00") and body["due_at"].endswith("+08:00")
    _, _, headers = hook.requests[0]
    assert headers["Content-Type"].startswith("application/json")


def test_a_webhook_that_keeps_failing_ends_failed_listed_and_rearmable(engine, clock, db_url):
    """After max_attempts the delivery is failed, listed by --failed, and rearm retries it."""
    from accel666.cli.main import cli

    drive(engine, clock.set, "docked")
    with receiver(failures=99) as hook:
        first = engine.escalate(CLOSE, webhook=hook.url, max_attempts=2)
        assert (first.delivery.retrying, first.delivery.failed) == (1, 0)
        second = engine.escalate(CLOSE + timedelta(minutes=2), max_attempts=2)
        assert (second.delivery.failed, second.delivery.failed_escalations) == (1, (1,))
        assert engine.escalate(CLOSE + timedelta(days=1)).delivery.attempted == 0
        (failed,) = engine.escalations(failed_only=True)
        web = next(d for d in failed.deliveries if d.notifier == "webhook")
        assert (web.status, web.attempts) == ("failed", 2)

        result = CliRunner().invoke(cli, ["--db", db_url, "escalations", "--failed", "--json"])
        assert result.exit_code == 0, result.stderr
        (listed,) = json.loads(result.stdout)
        assert listed["id"] == failed.id
        assert [(d["notifier"], d["status"], d["attempts"]) for d in listed["deliveries"]] == [
            ("log", "delivered", 1), ("webhook", "failed", 2)]

        with pytest.raises(NotPermitted) as denied:
            engine.rearm(city("suzhou"), failed.id)
        assert denied.value.message == "rearm not permitted: only province may re-arm deliveries"
        assert (denied.value.event, denied.value.guard, denied.value.role, denied.value.scope) == (
            "rearm", "role", "city", "320500")
        clock.set(CLOSE + timedelta(days=2))
        rearmed = engine.rearm(PROVINCE, failed.id)
        web = next(d for d in rearmed.deliveries if d.notifier == "webhook")
        assert (web.status, web.attempts) == ("pending", 0)
        assert engine.escalations(failed_only=True) == []
        with pytest.raises(Refused) as err:
            engine.rearm(PROVINCE, failed.id)
        assert err.value.message == "rearm refused: escalation 1 has no failed delivery"
        assert (err.value.guard, err.value.facts) == ("state", {"escalation_id": failed.id})
        hook.failures = 0  # the receiver is fixed
        done = engine.deliver(CLOSE + timedelta(days=2))
    assert (done.attempted, done.delivered) == (1, 1)
    assert set(hook.accepted) == {failed.idempotency_key}
    web = next(d for d in engine.escalation(failed.id).deliveries if d.notifier == "webhook")
    assert (web.status, web.attempts) == ("delivered", 1)


def test_rearming_an_unknown_escalation(engine):
    with pytest.raises(NotFound) as err:
        engine.rearm(PROVINCE, 99)
    assert (err.value.kind, err.value.key, err.value.message) == (
        "escalation", 99, "escalation 99 not found")


def test_an_unreachable_webhook_records_the_error(engine, clock):
    drive(engine, clock.set, "docked")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    engine.escalate(CLOSE, webhook=f"http://127.0.0.1:{port}/hook")
    (e,) = engine.escalations()
    web = next(d for d in e.deliveries if d.notifier == "webhook")
    assert (web.status, web.attempts) == ("pending", 1)
    assert web.last_error.startswith(f"cannot reach http://127.0.0.1:{port}/hook:")
    assert web.next_attempt_at == CLOSE + timedelta(seconds=60)


def test_the_log_notifier_emits_one_event_per_escalation(engine, clock, caplog):
    drive(engine, clock.set, "docked")
    with caplog.at_level(logging.INFO, logger="accel666"):
        engine.escalate(CLOSE)
        engine.escalate(CLOSE + timedelta(hours=1))
    records = [r for r in caplog.records if r.getMessage().startswith("escalation ")]
    assert [(r.name, r.levelname) for r in records] == [("accel666.escalation", "WARNING")]
    (event,) = events(caplog.records, "escalation")
    assert (event["phase"], event["escalation_level"], event["target_role"], event["target_scope"]) == (
        "application", 1, "city", "320500")
    assert event["idempotency_key"] == "accel666-escalation:1:application:L1"


def test_a_webhook_configured_later_is_posted_the_open_escalations(engine, clock):
    """A plain sweep recorded the escalations with the log alone; cron's later
    `escalate --webhook URL` used to never post them. Now the webhook of the sweep adopts
    every open escalation that has no webhook delivery, and redirects pending ones."""
    a = drive(engine, clock.set, "docked")
    engine.escalate(CLOSE)  # log only
    with receiver(failures=0) as hook:
        run = engine.escalate(CLOSE + timedelta(minutes=5), webhook=hook.url)
        assert (run.sweep.total, run.sweep.adopted) == (0, 1)
        assert run.delivery.delivered == 1
        (e,) = engine.escalations()
        assert set(hook.accepted) == {e.idempotency_key}
        assert hook.accepted[e.idempotency_key]["project_id"] == a.id
        again = engine.escalate(CLOSE + timedelta(minutes=10), webhook=hook.url)
        assert (again.sweep.adopted, again.delivery.attempted) == (0, 0)  # nothing twice


def test_a_later_webhook_adopts_only_the_open_escalations_without_one(engine, clock):
    """Acknowledged and resolved escalations are not posted; one that already has a webhook
    delivery keeps it (redirected, not doubled); the open one without is given one."""
    acked = drive(engine, clock.set, "docked")
    left = drive(engine, clock.set, "docked", code=CODE_B)
    unposted = drive(engine, clock.set, "docked", code=CODE_C)
    hooked = drive(engine, clock.set, "docked", code=CODE_D)
    engine.escalate(CLOSE)  # the log alone
    by_project = {e.project_id: e for e in engine.escalations()}
    clock.set(cst(2020, 9, 1, 9))
    engine.ack(city("suzhou"), by_project[acked.id].id, "已催办")
    engine.withdraw(city("suzhou"), left.id, reason="撤回")
    engine.rearm(PROVINCE, by_project[hooked.id].id, webhook="http://127.0.0.1:9/old")
    with receiver(failures=0) as hook:
        run = engine.escalate(cst(2020, 9, 1, 10), webhook=hook.url)
    assert (run.sweep.resolved, run.sweep.adopted, run.delivery.delivered) == (1, 2, 2)
    assert set(hook.accepted) == {by_project[p.id].idempotency_key for p in (unposted, hooked)}
    for p in (unposted, hooked):
        web = next(d for d in engine.escalation(by_project[p.id].id).deliveries
                   if d.notifier == "webhook")
        assert (web.status, web.attempts, web.endpoint) == ("delivered", 1, hook.url)
    # Delivered ones keep the endpoint they were delivered to.
    assert engine.sweep(cst(2020, 9, 1, 11), webhook="http://127.0.0.1:9/other").adopted == 0
    assert {d.endpoint for e in engine.escalations() for d in e.deliveries
            if d.notifier == "webhook"} == {hook.url}


def test_a_changed_webhook_applies_to_undelivered_deliveries(engine, clock):
    drive(engine, clock.set, "docked")
    engine.sweep(CLOSE, webhook="http://127.0.0.1:9/old")  # recorded, not yet delivered
    with receiver(failures=0) as hook:
        run = engine.escalate(CLOSE + timedelta(minutes=5), webhook=hook.url)
        assert run.sweep.adopted == 1 and run.delivery.delivered == 2  # the log and the hook
        assert len(hook.accepted) == 1


def test_rearm_with_a_webhook_redirects_a_failed_delivery(engine, clock):
    drive(engine, clock.set, "docked")
    engine.escalate(CLOSE, webhook="http://127.0.0.1:9/dead", max_attempts=1)
    (e,) = engine.escalations()
    assert next(d for d in e.deliveries if d.notifier == "webhook").status == "failed"
    with receiver(failures=0) as hook:
        rearmed = engine.rearm(PROVINCE, e.id, webhook=hook.url)
        web = next(d for d in rearmed.deliveries if d.notifier == "webhook")
        assert (web.status, web.attempts, web.endpoint) == ("pending", 0, hook.url)
        assert engine.deliver(CLOSE + timedelta(minutes=1)).delivered == 1
        assert set(hook.accepted) == {e.idempotency_key}


def test_rearm_with_a_webhook_queues_one_where_there_was_none(engine, clock, caplog):
    """Each escalation without a webhook delivery is given one, whatever the others have."""
    drive(engine, clock.set, "docked")
    drive(engine, clock.set, "docked", code=CODE_B)
    engine.escalate(CLOSE)  # the log alone, delivered
    first, second = engine.escalations()
    clock.set(CLOSE + timedelta(seconds=30))
    with receiver(failures=0) as hook, caplog.at_level(logging.INFO, logger="accel666"):
        engine.rearm(PROVINCE, second.id, webhook=hook.url)
        rearmed = engine.rearm(PROVINCE, first.id, webhook=hook.url)
        assert [d.notifier for d in rearmed.deliveries] == ["log", "webhook"]
        assert engine.deliver(CLOSE + timedelta(minutes=1)).delivered == 2
    assert events(caplog.records, "rearm") == [
        {"event": "rearm", "escalation": e.id, "deliveries": 1, "webhook": hook.url,
         "actor": "prov", "role": "province", "at": "2020-08-30T16:00:31+00:00"}
        for e in (second, first)]
    with pytest.raises(InvalidInput):
        engine.rearm(PROVINCE, first.id, webhook="ftp://nope")


def test_a_webhook_is_posted_the_escalation_and_its_project(engine, clock, caplog):
    """Every field, its times in the programme's zone; the log notifier emits the same fields,
    the level under another name."""
    project = drive(engine, clock.set, "docked")
    with receiver(failures=0) as hook, caplog.at_level(logging.INFO, logger="accel666"):
        engine.escalate(CLOSE, webhook=hook.url)
    (e,) = engine.escalations()
    body = {
        "id": e.id, "idempotency_key": "accel666-escalation:1:application:L1",
        "project_id": project.id, "title": "云上工厂", "enterprise": "苏州某某科技有限公司",
        "region": "320500", "batch": "2020-1", "phase": "application",
        "deadline": "2020-08-31T00:00:00+08:00", "level": 1,
        "due_at": "2020-08-31T00:00:00+08:00", "fired_at": "2020-08-31T00:00:01+08:00",
        "lateness_seconds": 1, "target_role": "city", "target_scope": "320500",
        "state_seen": "docked", "lapsed": False,
    }
    assert hook.accepted == {e.idempotency_key: body}
    (logged,) = events(caplog.records, "escalation")
    assert logged == {"event": "escalation", "escalation_level": 1,
                      **{k: v for k, v in body.items() if k != "level"}}


def test_a_round_logs_each_failed_attempt_and_what_it_did(engine, clock, caplog):
    drive(engine, clock.set, "docked")
    drive(engine, clock.set, "docked", code=CODE_B)
    with receiver(failures=2) as hook, caplog.at_level(logging.INFO, logger="accel666"):
        engine.escalate(CLOSE, webhook=hook.url, max_attempts=2)
        engine.escalate(CLOSE + timedelta(minutes=1), max_attempts=2)
    first, second = engine.escalations()
    assert events(caplog.records, "delivery_failed") == [
        {"event": "delivery_failed", "escalation": e.id, "notifier": "webhook",
         "attempts": attempts, "status": status, "error": "HTTP 500 Internal Server Error",
         "next_attempt_at": next_at}
        for attempts, status, next_at in ((1, "pending", "2020-08-30T16:01:01+00:00"),
                                          (2, "failed", "2020-08-30T16:03:01+00:00"))
        for e in (first, second)]
    assert events(caplog.records, "deliveries") == [
        {"event": "deliveries", "attempted": 4, "delivered": 2, "retrying": 2, "failed": 0},
        {"event": "deliveries", "attempted": 2, "delivered": 0, "retrying": 0, "failed": 2}]


def test_deliver_refuses_a_max_attempts_below_one(engine):
    with pytest.raises(InvalidInput) as err:
        engine.deliver(CLOSE, max_attempts=0)
    assert (err.value.field, err.value.value) == ("max attempts", 0)


def test_a_round_cancelled_before_it_starts_does_not_touch_the_database(engine, clock):
    """Cancelled already (the scheduler stopping): it claims nothing, so there is nothing to
    give back; not one statement is run."""
    from sqlalchemy import event

    drive(engine, clock.set, "docked")
    engine.sweep(CLOSE, webhook="http://127.0.0.1:9/hook")
    cancel = threading.Event()
    cancel.set()
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_rest) -> None:
        statements.append(statement)

    event.listen(engine.db, "before_cursor_execute", seen)
    try:
        report = engine.deliver(CLOSE, cancel=cancel)
    finally:
        event.remove(engine.db, "before_cursor_execute", seen)
    assert (report.attempted, statements) == (0, [])
    assert engine.deliver(CLOSE).attempted == 2  # nothing was claimed and left behind


def test_a_delivery_that_succeeds_after_a_failure_keeps_the_error_it_saw(engine, clock):
    """The record of a delivery says what went wrong on the way, even once it got through;
    a delivery that never failed has no error."""
    drive(engine, clock.set, "docked")
    with receiver(failures=1) as hook:
        engine.escalate(CLOSE, webhook=hook.url)
        engine.escalate(CLOSE + timedelta(seconds=61), webhook=hook.url)
    (e,) = engine.escalations()
    by = {d.notifier: d for d in e.deliveries}
    assert (by["webhook"].status, by["webhook"].attempts) == ("delivered", 2)
    assert by["webhook"].last_error is not None and by["webhook"].last_error.startswith("HTTP 5")
    assert (by["log"].status, by["log"].attempts, by["log"].last_error) == ("delivered", 1, None)


def test_a_sweep_queues_deliveries_for_the_escalations_it_recorded_alone(engine, clock):
    """A later sweep with a webhook records a new escalation and posts it; an escalation an
    earlier sweep recorded, and that was acknowledged since, gets no webhook delivery from it
    (nor from the adoption of open escalations)."""
    acked = drive(engine, clock.set, "docked")
    late = drive(engine, clock.set, "recommended", code=CODE_B)
    engine.sweep(CLOSE)  # application closed: the docked project, the log alone
    (first,) = engine.escalations()
    clock.set(cst(2020, 9, 1, 9))
    engine.ack(city("suzhou"), first.id, "已催办")
    run = engine.sweep(cst(2020, 10, 1, 0, 0, 1), webhook="http://127.0.0.1:9/hook")
    assert [(c.phase, c.level, c.count) for c in run.recorded] == [("review", 1, 1)]
    assert (run.enqueued, run.adopted) == (2, 0)  # the log and the webhook, for the new one
    notifiers = {e.project_id: sorted(d.notifier for d in e.deliveries)
                 for e in engine.escalations()}
    assert notifiers == {acked.id: ["log"], late.id: ["log", "webhook"]}
