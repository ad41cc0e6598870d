"""The Engine's part that enforces deadlines: sweeping for overdue projects, delivering their
escalations, reading and acknowledging them. It checks what callers pass and runs the sweep
(`sweeping`), the outbox (`outbox`) and the queries (`queries`) on the Engine's database,
policy, clock and notifiers."""

from __future__ import annotations

import builtins
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.models.stores.projects import Within
from accel666.policies import Policy
from accel666.workflow.actor import Actor
from accel666.workflow.changes import inputs
from accel666.workflow.changes.guards import resolve_actor
from accel666.workflow.deadlines import outbox, queries, sweeping
from accel666.workflow.deadlines.notifying import Notifiers
from accel666.workflow.deadlines.records import (
    DeliveryReport,
    Escalation,
    EscalationRun,
    OverdueProject,
    SweepResult,
)
from accel666.workflow.environment import translating

# The notifier that delivers to the webhook URL a sweep is given, or else the policy's.
WEBHOOK = "webhook"


@translating
class Deadlines:
    """Deadline enforcement on a database, with a policy, a clock and the notifiers (the
    Engine's). Each escalation is queued for every notifier but the webhook, and for the
    webhook when there is a URL to post to."""

    def __init__(self, db: SAEngine, policy: Policy, now: Callable[[], datetime],
                 notifiers: Notifiers) -> None:
        self.db = db
        self.policy = policy
        self.now = now
        self.notifiers = notifiers

    @models.retry_when_busy
    def sweep(self, now: datetime | None = None, *, dry_run: bool = False,
              webhook: str | None = None) -> SweepResult:
        """Record, once, every escalation due at `now` (default: the clock) and queue its
        deliveries (the log, and a webhook: `webhook` or the policy's). Safe to run anywhere."""
        return sweeping.sweep(self.db, self.policy, self._moment(now), dry_run=dry_run,
                              notifiers=self._notifiers(webhook))

    def deliver(self, now: datetime | None = None, *, max_attempts: int | None = None,
                cancel: threading.Event | None = None) -> DeliveryReport:
        """Attempt every queued delivery that is due at `now`, once. Once `cancel` is set, the
        attempt under way ends at once and the rest wait for a later round."""
        limit = None if max_attempts is None else inputs.integer("max attempts", max_attempts, 1)
        return outbox.deliver(self.db, self.policy, self._moment(now), self.notifiers,
                              max_attempts=limit, cancel=cancel)

    def escalate(self, now: datetime | None, *, dry_run: bool, webhook: str | None,
                 max_attempts: int | None, cancel: threading.Event | None) -> EscalationRun:
        """One sweep, then the deliveries due: what cron and the scheduler run. Once `cancel`
        is set, the delivery under way ends at once and the rest wait for a later round."""
        moment = self._moment(now)
        # Checked before the sweep writes anything: InvalidInput means nothing was written.
        limit = None if max_attempts is None else inputs.integer("max attempts", max_attempts, 1)
        result = self.sweep(moment, dry_run=dry_run, webhook=webhook)
        report = (DeliveryReport(0, 0, 0, 0) if dry_run
                  else self.deliver(moment, max_attempts=limit, cancel=cancel))
        return EscalationRun(result, report)

    def overdue(self, region: str | None, now: datetime | None, *, limit: int | None,
                offset: int, reach: Within = None) -> builtins.list[OverdueProject]:
        """Projects overdue at `now`: phase, deadline, how late, the level reached (by
        deadline, then project); within a reader's `reach`; at most `limit` after skipping
        `offset`."""
        code = None if region is None else inputs.region(self.policy, region)
        found = queries.overdue(self.db, self.policy, self._moment(now), code, reach=reach)
        start = inputs.integer("offset", offset, 0)
        end = None if limit is None else start + inputs.integer("limit", limit, 1)
        return found[start:end]

    def escalations(self, *, open_only: bool, failed_only: bool, project_id: int | None,
                    limit: int | None, offset: int,
                    reach: Within = None) -> builtins.list[Escalation]:
        """Escalations on record, oldest first, with their deliveries; those of projects
        within a reader's `reach`; at most `limit` after skipping `offset`."""
        return queries.escalations(
            self.db, open_only=open_only, failed_only=failed_only,
            project_id=None if project_id is None else inputs.integer("project id", project_id, 1),
            limit=None if limit is None else inputs.integer("limit", limit, 1),
            offset=inputs.integer("offset", offset, 0), reach=reach)

    @models.retry_when_busy
    def ack(self, actor: Actor, escalation_id: int, note: str) -> Escalation:
        """Acknowledge an escalation (its target role and scope, or the supervisor)."""
        return queries.ack(
            self.db, self.policy, self.now(), resolve_actor(self.policy, actor),
            inputs.integer("escalation id", escalation_id, 1),
            inputs.text("note", note, inputs.MAX_TEXT))

    @models.retry_when_busy
    def rearm(self, actor: Actor, escalation_id: int, *,
              webhook: str | None = None) -> Escalation:
        """Give an escalation's failed deliveries a fresh set of attempts (the supervisor);
        with `webhook`, its webhook delivery goes to that URL from now on."""
        eid = inputs.integer("escalation id", escalation_id, 1)
        redirect = None if webhook is None else (WEBHOOK, self.check_webhook(webhook))
        outbox.rearm(self.db, self.policy, self.now(), resolve_actor(self.policy, actor), eid,
                     redirect)
        return self.escalation(eid)

    def escalation(self, escalation_id: int) -> Escalation:
        """One escalation with its deliveries."""
        return queries.one(self.db, inputs.integer("escalation id", escalation_id, 1))

    def _moment(self, now: datetime | None) -> datetime:
        return self.now() if now is None else inputs.moment("now", now)

    def check_webhook(self, url: str) -> str:
        """The URL, if the webhook notifier can post to it; else InvalidInput (NotFound if
        there is no webhook notifier)."""
        return self.notifiers.get(WEBHOOK).check(url)

    def _notifiers(self, webhook: str | None) -> builtins.list[sweeping.Queued]:
        """The notifiers a sweep queues deliveries for, in order, with the webhook's URL:
        `webhook` or the policy's, checked."""
        url = webhook or self.policy.escalation.webhook
        target = None if url is None else self.check_webhook(url)
        return [(n.name, target if n.name == WEBHOOK else None) for n in self.notifiers
                if n.name != WEBHOOK or target is not None]

