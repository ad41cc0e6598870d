"""The escalation outbox is in the record: each delivery's endpoint, state and attempts are
chained in the `outbox` chain of the ledger, `verify` names a delivery edited, inserted or
deleted, and a delivery is never posted to an endpoint the record does not hold."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest

from accel666 import Engine
from accel666.workflow.notifiers import LogNotifier
from accel666.workflow.notifiers.webhook import check_webhook
from tests.audit.audit_support import behind_the_back
from tests.escalation.esc_support import PROVINCE, drive, receiver
from tests.helpers import CODE_B, cst, events

CLOSE = cst(2020, 8, 31, 0, 0, 1)  # application closed: a docked project is escalated
GOOD = "https://bureau.example/hook"
EVIL = "https://attacker.example/collect"


class Webhook:
    """Stands in for the webhook notifier: records where each delivery was posted, fails the
    first `failures` attempts."""

    name = "webhook"
    claim_size = 20

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.posted: list[tuple[str | None, dict[str, Any]]] = []

    def lease(self, timeout: float) -> timedelta:
        return timedelta(minutes=1)

    def check(self, target: str) -> str:
        return check_webhook(target)

    def deliver(self, payload: Mapping[str, Any], target: str | None, key: str,
                timeout: float, cancel: threading.Event | None) -> str | None:
        self.posted.append((target, dict(payload)))
        if self.failures:
            self.failures -= 1
            return "HTTP 503"
        return None


@pytest.fixture
def hook():
    return Webhook()


@pytest.fixture
def outbox(db_url, clock, hook):
    """Two docked projects escalated at the application's close, each queued for the log and
    the webhook (GOOD), nothing delivered yet."""
    with Engine(db_url, clock=clock, notifiers=[LogNotifier(), hook]) as engine:
        drive(engine, clock.set, "docked")
        drive(engine, clock.set, "docked", code=CODE_B)
        assert engine.sweep(CLOSE, webhook=GOOD).enqueued == 4
        assert engine.verify().ok
        yield engine


def delivery_problems(engine: Engine) -> list[str]:
    return [p.message for p in engine.verify().problems if p.kind == "delivery"]


def test_an_endpoint_changed_to_another_url_is_named_and_never_posted_to(
        outbox, db_url, hook, caplog):
    """Was: the endpoint set to an attacker's URL passed `verify` and `verify --anchor`, and
    the next round posted the project's details there."""
    anchor = outbox.anchor()
    behind_the_back(db_url, "UPDATE accel666_delivery SET endpoint = :evil "
                    "WHERE notifier = 'webhook' AND escalation_id = 1", evil=EVIL)
    assert delivery_problems(outbox) == [
        "delivery 3 (escalation 1, webhook): endpoint differs from what the outbox chain "
        "records"]
    assert not outbox.verify([anchor]).ok
    report = outbox.deliver(CLOSE + timedelta(minutes=1))
    assert [target for target, _ in hook.posted] == [GOOD]  # escalation 2's, not 1's
    assert (report.delivered, report.refused, report.refused_escalations) == (3, 1, (1,))
    [refused] = events(caplog.records, "delivery_refused")
    assert (refused["delivery"], refused["endpoint"]) == (3, EVIL)
    assert refused["reason"] == "endpoint differs from what the outbox chain records"
    [esc] = [e for e in outbox.escalations() if e.id == 1]
    webhook = next(d for d in esc.deliveries if d.notifier == "webhook")
    assert (webhook.status, webhook.attempts) == ("pending", 0)  # never attempted
    assert webhook.last_error == ("not posted: endpoint differs from what the outbox chain "
                                  "records")
    assert delivery_problems(outbox) == [  # still named, nothing laundered
        "delivery 3 (escalation 1, webhook): endpoint differs from what the outbox chain "
        "records"]


def test_an_edited_outbox_entry_is_not_trusted_before_posting(outbox, db_url, hook):
    """The endpoint and the chain's entry both changed (the entry's hash left as it was): the
    delivery is not posted there either."""
    from sqlalchemy import create_engine, select, update

    from accel666 import models

    behind_the_back(db_url, "UPDATE accel666_delivery SET endpoint = :evil "
                    "WHERE notifier = 'webhook'", evil=EVIL)
    eng = create_engine(db_url)
    L = models.ledger_table.c
    with eng.begin() as conn:
        body = conn.execute(select(L.body).where(L.chain == "outbox", L.seq == 1)).scalar_one()
        body["notifiers"] = [[n, EVIL if n == "webhook" else t] for n, t in body["notifiers"]]
        conn.execute(update(models.ledger_table).where(L.chain == "outbox", L.seq == 1)
                     .values(body=body))
    eng.dispose()
    report = outbox.deliver(CLOSE + timedelta(minutes=1))
    assert hook.posted == []
    assert report.refused == 4  # the log's deliveries name the same entry
    assert any(p.kind == "ledger" for p in outbox.verify().problems)


TAMPERING = {
    "status delivered": (["UPDATE accel666_delivery SET status = 'delivered' WHERE id = 3"],
                         "delivery 3 (escalation 1, webhook): status differs from what the "
                         "outbox chain records"),
    "attempts set": (["UPDATE accel666_delivery SET attempts = 3 WHERE id = 3"],
                     "delivery 3 (escalation 1, webhook): attempts differs from what the "
                     "outbox chain records"),
    "moved to another escalation": (
        ["DELETE FROM accel666_delivery WHERE id = 4",
         "UPDATE accel666_delivery SET escalation_id = 2 WHERE id = 3"],
        "the webhook delivery of escalation 1 is in the outbox chain (entry 1) but not on "
        "record: it was deleted"),
    "deleted": (["DELETE FROM accel666_delivery WHERE id = 3"],
                "the webhook delivery of escalation 1 is in the outbox chain (entry 1) but not "
                "on record: it was deleted"),
    "inserted": (["INSERT INTO accel666_delivery (escalation_id, notifier, endpoint, status, "
                  "attempts, next_attempt_at) SELECT escalation_id, 'pager', endpoint, status, "
                  "attempts, next_attempt_at FROM accel666_delivery WHERE id = 3"],
                 "delivery 5 (escalation 1, pager) is not in the outbox chain: it was "
                 "inserted behind the record's back"),
}


@pytest.mark.parametrize("case", TAMPERING)
def test_each_tampering_of_a_delivery_is_named(outbox, db_url, case):
    statements, message = TAMPERING[case]
    behind_the_back(db_url, *statements)
    assert message in delivery_problems(outbox)


def test_a_settled_delivery_edited_or_deleted_is_named_by_its_id(outbox, db_url):
    outbox.deliver(CLOSE + timedelta(minutes=1))
    assert outbox.verify().ok
    behind_the_back(db_url, "DELETE FROM accel666_delivery WHERE id = 2",
                    "UPDATE accel666_delivery SET escalation_id = 2, status = 'failed' "
                    "WHERE id = 1")
    assert delivery_problems(outbox) == [
        "delivery 1 (escalation 2, log): escalation_id, status differ from what the outbox "
        "chain records",
        "delivery 2 (escalation 2, log) is in the outbox chain but not on record: it was "
        "deleted",
        "the log delivery of escalation 1 is in the outbox chain (entry 1) but not on record: "
        "it was deleted"]


def test_deliveries_settled_retried_failed_and_rearmed_keep_the_record(db_url, clock):
    hook = Webhook(failures=2)
    with Engine(db_url, clock=clock, notifiers=[LogNotifier(), hook]) as engine:
        drive(engine, clock.set, "docked")
        engine.escalate(CLOSE, webhook=GOOD, max_attempts=2)  # log delivered, webhook pending
        assert engine.verify().ok
        engine.deliver(CLOSE + timedelta(hours=1), max_attempts=2)  # webhook failed for good
        [esc] = engine.escalations()
        assert [d.status for d in esc.deliveries] == ["delivered", "failed"]
        assert engine.verify().ok
        engine.rearm(PROVINCE, esc.id, webhook="https://other.example/hook")
        assert engine.verify().ok
        engine.deliver(CLOSE + timedelta(hours=2))
        assert [t for t, _ in hook.posted] == [GOOD, GOOD, "https://other.example/hook"]
        assert engine.verify().ok, engine.verify().problems


def test_a_webhook_configured_later_is_chained_where_it_is_adopted(db_url, clock, hook):
    with Engine(db_url, clock=clock, notifiers=[LogNotifier(), hook]) as engine:
        drive(engine, clock.set, "docked")
        engine.sweep(CLOSE)  # no webhook yet: the log alone
        engine.sweep(CLOSE + timedelta(minutes=5), webhook=GOOD)  # adopted
        engine.sweep(CLOSE + timedelta(minutes=6), webhook="https://other.example/hook")
        assert engine.verify().ok, engine.verify().problems
        engine.deliver(CLOSE + timedelta(minutes=7))
        assert [t for t, _ in hook.posted] == ["https://other.example/hook"]
        assert engine.verify().ok


def test_the_cli_escalate_never_posts_to_an_endpoint_the_record_does_not_hold(run, db_url):
    with receiver(failures=0) as good, receiver(failures=0) as evil:
        run.dock()
        run.moment = CLOSE
        first = run("escalate", "--webhook", good.url, "--max-attempts", "1")
        assert first.exit_code == 0, first.stderr
        assert len(good.requests) == 1
        behind_the_back(db_url, "UPDATE accel666_delivery SET endpoint = :evil, status = "
                        "'pending', attempts = 0", evil=evil.url)
        again = run("escalate")
        assert evil.requests == []
        assert again.exit_code == 8, again.stderr
        assert "not posted" in again.stderr
        assert run("verify").exit_code == 7
