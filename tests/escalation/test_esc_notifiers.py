"""The notifiers are the Engine's to be given: one an embedder passes receives each escalation's
payload and its failures are retried like the webhook's; the registry holds notifiers by name,
in order, and refuses an unknown name and what it cannot hold."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from accel666 import Engine, InvalidInput, NotFound
from accel666.workflow.notifiers import (
    LogNotifier,
    Notifier,
    Notifiers,
    WebhookNotifier,
    default,
)
from tests.escalation.esc_support import PROVINCE, drive
from tests.helpers import cst

CLOSE = cst(2020, 8, 31, 0, 0, 1)
PAYLOAD_FIELDS = {"id", "idempotency_key", "project_id", "title", "enterprise", "region",
                  "batch", "phase", "deadline", "level", "due_at", "fired_at",
                  "lateness_seconds", "target_role", "target_scope", "state_seen", "lapsed"}


class Pager:
    """A notifier of an embedder's: records what it is given, fails its first `failures`
    attempts."""

    name = "pager"
    claim_size = 5

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, Any], str | None, str, float]] = []

    def lease(self, timeout: float) -> timedelta:
        return timedelta(minutes=1)

    def check(self, target: str) -> str:
        raise InvalidInput("pager", "the pager takes no target", target)

    def deliver(self, payload: Mapping[str, Any], target: str | None, key: str,
                timeout: float, cancel: threading.Event | None) -> str | None:
        self.received.append((dict(payload), target, key, timeout))
        if self.failures:
            self.failures -= 1
            return "the pager service is down"
        return None


@pytest.fixture
def paged(db_url, clock):
    """An Engine delivering with the log and a pager that fails twice, then works."""
    pager = Pager(failures=2)
    with Engine(db_url, clock=clock, notifiers=[LogNotifier(), pager]) as engine:
        yield engine, pager


def test_a_notifier_given_to_the_engine_receives_each_escalation_s_payload(paged, clock):
    engine, pager = paged
    project = drive(engine, clock.set, "docked")
    run = engine.escalate(CLOSE)
    assert (run.sweep.enqueued, run.delivery.delivered, run.delivery.retrying) == (2, 1, 1)
    (escalation,) = engine.escalations()
    assert [(d.notifier, d.endpoint) for d in escalation.deliveries] == [
        ("log", None), ("pager", None)]
    ((body, target, key, timeout),) = pager.received
    assert set(body) == PAYLOAD_FIELDS
    assert (body["id"], body["project_id"], body["phase"], body["level"]) == (
        escalation.id, project.id, "application", 1)
    assert body["idempotency_key"] == key == escalation.idempotency_key
    assert body["fired_at"] == CLOSE.astimezone(ZoneInfo("Asia/Shanghai")).isoformat()
    assert (body["title"], body["region"], body["target_role"]) == ("云上工厂", "320500", "city")
    assert target is None
    assert timeout == engine.policy.escalation.webhook_timeout_seconds


def test_a_failing_notifier_of_the_engine_s_is_retried_like_the_webhook(paged, clock):
    """The same backoff (60 s, then 120 s) and record of the last error as a webhook's."""
    engine, pager = paged
    drive(engine, clock.set, "docked")
    engine.escalate(CLOSE)
    assert engine.escalate(CLOSE + timedelta(seconds=59)).delivery.attempted == 0
    second = engine.escalate(CLOSE + timedelta(seconds=61))
    assert (second.delivery.attempted, second.delivery.retrying) == (1, 1)
    assert engine.escalate(CLOSE + timedelta(seconds=61 + 119)).delivery.attempted == 0
    third = engine.escalate(CLOSE + timedelta(seconds=61 + 121))
    assert (third.delivery.attempted, third.delivery.delivered) == (1, 1)
    (escalation,) = engine.escalations()
    page = next(d for d in escalation.deliveries if d.notifier == "pager")
    assert (page.status, page.attempts, page.last_error) == (
        "delivered", 3, "the pager service is down")
    assert len(pager.received) == 3
    assert {key for _, _, key, _ in pager.received} == {escalation.idempotency_key}


def test_a_notifier_that_keeps_failing_ends_failed_and_is_rearmed(db_url, clock):
    pager = Pager(failures=99)
    with Engine(db_url, clock=clock, notifiers=[pager]) as engine:
        drive(engine, clock.set, "docked")
        first = engine.escalate(CLOSE, max_attempts=2)
        assert (first.sweep.enqueued, first.delivery.retrying) == (1, 1)
        second = engine.escalate(CLOSE + timedelta(minutes=2), max_attempts=2)
        assert (second.delivery.failed, second.delivery.failed_escalations) == (1, (1,))
        (failed,) = engine.escalations(failed_only=True)
        assert [(d.notifier, d.status, d.attempts) for d in failed.deliveries] == [
            ("pager", "failed", 2)]
        clock.set(CLOSE + timedelta(hours=1))
        rearmed = engine.rearm(PROVINCE, failed.id)
        assert [(d.status, d.attempts) for d in rearmed.deliveries] == [("pending", 0)]


def test_the_default_notifiers_are_the_log_then_the_webhook(engine):
    assert engine.notifiers.names == default().names == ("log", "webhook")
    assert [type(n) for n in engine.notifiers] == [LogNotifier, WebhookNotifier]
    assert all(isinstance(n, Notifier) for n in engine.notifiers)


def test_the_registry_refuses_an_unknown_name():
    with pytest.raises(NotFound) as caught:
        default().get("sms")
    assert str(caught.value) == ("no notifier named 'sms' (this Engine's notifiers: log, "
                                 "webhook)")
    assert (caught.value.kind, caught.value.key) == ("notifier", "sms")


def test_an_engine_without_a_webhook_notifier_refuses_a_webhook_before_writing(db_url, clock):
    with Engine(db_url, clock=clock, notifiers=[LogNotifier()]) as engine:
        drive(engine, clock.set, "docked")
        with pytest.raises(NotFound, match="no notifier named 'webhook'"):
            engine.escalate(CLOSE, webhook="http://127.0.0.1:9/hook")
        assert engine.escalations() == []
        assert engine.sweep(CLOSE).enqueued == 1  # the log's, without a webhook


@pytest.mark.parametrize(("given", "field", "reason"), [
    ("log", "notifier", "expected notifiers"),
    (42, "notifier", "expected notifiers"),
    ([object()], "notifier", "expected notifiers (name, claim_size"),
    ([LogNotifier(), LogNotifier()], "notifier", "two notifiers have this name"),
    ([LogNotifier(name="Log")], "notifier", "a notifier's name is 1 to 16"),
    ([LogNotifier(name="")], "notifier", "a notifier's name is 1 to 16"),
    ([LogNotifier(name="x" * 17)], "notifier", "a notifier's name is 1 to 16"),
    ([LogNotifier(claim_size=0)], "notifier", "log: a claim takes at least one delivery"),
])
def test_the_registry_refuses_what_it_cannot_hold(given, field, reason):
    with pytest.raises(InvalidInput) as caught:
        Notifiers(given)
    assert caught.value.field == field
    assert reason in str(caught.value)


def test_an_engine_given_notifiers_it_cannot_hold_opens_nothing(tmp_path, clock):
    path = tmp_path / "never.db"
    with pytest.raises(InvalidInput, match="two notifiers have this name"):
        Engine(path, clock=clock, notifiers=[LogNotifier(), LogNotifier()])
    assert not path.exists()


def test_the_registry_keeps_the_order_it_was_given():
    notifiers = Notifiers([Pager(), WebhookNotifier(), LogNotifier(name="audit-log")])
    assert notifiers.names == ("pager", "webhook", "audit-log")
    assert len(notifiers) == 3
    assert notifiers.get("audit-log") == LogNotifier(name="audit-log")


def test_the_log_notifier_takes_no_target_and_the_webhook_checks_its_url():
    with pytest.raises(InvalidInput, match="the log notifier takes no target"):
        LogNotifier().check("http://example.org/hook")
    assert WebhookNotifier().check("https://example.org/hook") == "https://example.org/hook"
    with pytest.raises(InvalidInput) as caught:
        WebhookNotifier().check("ftp://example.org/hook")
    assert caught.value.field == "webhook"


@pytest.mark.parametrize(("notifier", "timeout", "seconds"), [
    (LogNotifier(), 30, 60), (WebhookNotifier(), 1, 60), (WebhookNotifier(), 5, 120),
    (WebhookNotifier(claim_size=2), 40, 82)])
def test_a_claim_s_lease_outlasts_its_attempts(notifier, timeout, seconds):
    assert notifier.lease(timeout) == timedelta(seconds=seconds)
