"""The resident scheduler: a tick that calls `Engine.escalate`. The only module that imports
apscheduler.

The database holds the deadlines and the escalations; the scheduler only decides when to sweep:
once at start, at every future window closing moment and level due moment (re-planned after
each sweep, so extensions are followed), and every `every` interval. One worker thread runs one
sweep at a time; missed runs coalesce into one. SIGTERM or SIGINT lets the current sweep finish
(a webhook delivery under way ends at once and is retried later), then `serve` returns.
"""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from accel666.errors import InvalidInput
from accel666.workflow import logs
from accel666.workflow.deadlines import queries as escalation_queries

if TYPE_CHECKING:
    from accel666.workflow.engine import Engine

log = logs.get_logger("accel666.scheduler")

START, EVERY = "sweep-at-start", "sweep-every"
MAX_EVERY = timedelta(days=366)  # the longest safety-net interval
MISFIRE_GRACE_SECONDS = 3600  # a run this late still happens (once: runs coalesce)
JOB_OPTIONS: dict[str, Any] = {"coalesce": True, "max_instances": 1,
                               "misfire_grace_time": MISFIRE_GRACE_SECONDS}


def moment_job_id(moment: datetime) -> str:
    return f"sweep-at-{moment.astimezone(UTC):%Y%m%dT%H%M%S}Z"


class Ticker:
    """The job every trigger runs: one `escalate`, then the plan of future moments refreshed."""

    def __init__(self, engine: Engine, webhook: str | None, max_attempts: int | None) -> None:
        self.engine = engine
        self.webhook = webhook
        self.max_attempts = max_attempts
        self.scheduler: SweepScheduler | None = None
        self.busy = threading.Lock()
        self.stopping = threading.Event()

    def __call__(self, reason: str) -> None:
        if self.stopping.is_set():
            return
        with self.busy:
            if self.stopping.is_set():
                return
            run = self.engine.escalate(webhook=self.webhook, max_attempts=self.max_attempts,
                                       cancel=self.stopping)
            log.info("tick", reason=reason, recorded=run.sweep.total, resolved=run.sweep.resolved,
                     delivered=run.delivery.delivered, retrying=run.delivery.retrying,
                     failed=run.delivery.failed)
            if self.scheduler is not None and not self.stopping.is_set():
                self.scheduler.plan(self.engine.now())

    def stop(self) -> None:
        """Let the current sweep finish, start no other, and shut the scheduler down."""
        self.stopping.set()
        with self.busy:  # the sweep under way finishes; later ticks return at once
            pass
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)


class SweepScheduler(BlockingScheduler):
    """A BlockingScheduler whose jobs all run one `Ticker`."""

    def __init__(self, ticker: Ticker, **options: Any) -> None:
        super().__init__(**options)
        self.ticker = ticker
        ticker.scheduler = self

    def plan(self, now: datetime) -> list[datetime]:
        """Add a one-off sweep at every closing and due moment after `now`."""
        moments = escalation_queries.upcoming(self.ticker.engine.db, self.ticker.engine.policy,
                                              now)
        for moment in moments:
            local = moment.astimezone(self.timezone)
            self.add_job(self.ticker, DateTrigger(run_date=local, timezone=self.timezone),
                         args=["due"], id=moment_job_id(moment), name=f"sweep at {moment}",
                         replace_existing=True, **JOB_OPTIONS)
        return moments

    def serve(self) -> None:
        """Run until SIGTERM or SIGINT; the sweep under way then finishes before this returns."""
        stoppers: list[threading.Thread] = []

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            if stoppers:
                return
            log.info("scheduler_stopping", signal=signal.Signals(signum).name)
            stopper = threading.Thread(target=self.ticker.stop, name="accel666-stop")
            stoppers.append(stopper)
            stopper.start()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            log.info("scheduler_started", zone=str(self.timezone),
                     jobs=[job.id for job in self.get_jobs()])
            self.start()
        finally:
            for stopper in stoppers:
                stopper.join()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        log.info("scheduler_stopped")


def _job_failed(event: JobExecutionEvent) -> None:
    log.error("sweep_failed", job=event.job_id, error=repr(event.exception),
              traceback=event.traceback)


def build_scheduler(engine: Engine, every: timedelta, *, webhook: str | None = None,
                    max_attempts: int | None = None,
                    now: datetime | None = None) -> SweepScheduler:
    """A scheduler (not started) in the policy's time zone with a sweep at start, at each future
    closing and due moment after `now` (default: the engine's clock), and every `every`."""
    if every < timedelta(seconds=1):
        raise InvalidInput("every", "the interval must be at least one second", str(every))
    if every > MAX_EVERY:  # the trigger's next fire time would leave the calendar
        raise InvalidInput("every", f"the interval must be at most {MAX_EVERY.days} days",
                           str(every))
    if webhook is not None:
        engine.deadlines.check_webhook(webhook)
    zone = engine.policy.zone
    moment = engine.now() if now is None else now
    scheduler = SweepScheduler(
        Ticker(engine, webhook, max_attempts), timezone=zone,
        executors={"default": ThreadPoolExecutor(max_workers=1)}, job_defaults=JOB_OPTIONS,
    )
    scheduler.add_listener(_job_failed, EVENT_JOB_ERROR)
    scheduler.add_job(scheduler.ticker,
                      DateTrigger(run_date=moment.astimezone(zone), timezone=zone),
                      args=["start"], id=START, name="sweep at start", **JOB_OPTIONS)
    scheduler.add_job(scheduler.ticker,
                      IntervalTrigger(seconds=every.total_seconds(), timezone=zone),
                      args=["interval"], id=EVERY, name=f"sweep every {every}", **JOB_OPTIONS)
    scheduler.plan(moment)
    return scheduler
