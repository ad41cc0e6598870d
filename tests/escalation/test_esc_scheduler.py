"""The resident scheduler's configuration, checked without starting it; its job run directly;
and a real process stopped by SIGTERM."""

from __future__ import annotations

import ast
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from accel666 import InvalidInput
from accel666.workflow.scheduler import EVERY, START, build_scheduler, moment_job_id
from tests.escalation.esc_support import PROVINCE, drive, ladder
from tests.helpers import cst

ROOT = Path(__file__).resolve().parents[2]
# Every closing moment of batch 2020-1 with a ladder, and each level's due moment after it.
CLOSES = [cst(2020, 8, 31), cst(2020, 10, 1), cst(2020, 11, 1)]
MOMENTS = sorted({(c + timedelta(days=d)).astimezone(UTC) for c in CLOSES for d in (0, 3, 7)})


@pytest.fixture
def scheduler(engine):
    return build_scheduler(engine, timedelta(minutes=15))


def test_zone_and_the_sweep_at_start(scheduler, clock):
    assert str(scheduler.timezone) == "Asia/Shanghai"
    assert not scheduler.running
    start = scheduler.get_job(START)
    assert type(start.trigger).__name__ == "DateTrigger"
    assert start.trigger.run_date == clock().astimezone(scheduler.timezone)
    assert start.args == ("start",)


def test_an_interval_trigger_of_the_given_interval(scheduler):
    every = scheduler.get_job(EVERY)
    assert type(every.trigger).__name__ == "IntervalTrigger"
    assert every.trigger.interval == timedelta(minutes=15)
    assert str(every.trigger.timezone) == "Asia/Shanghai"


def test_date_triggers_at_every_future_closing_and_due_moment(scheduler):
    dated = {job.id: job for job in scheduler.get_jobs() if job.id not in (START, EVERY)}
    assert sorted(job.trigger.run_date for job in dated.values()) == MOMENTS
    assert set(dated) == {moment_job_id(m) for m in MOMENTS}
    first = dated[moment_job_id(cst(2020, 8, 31).astimezone(UTC))]
    assert first.trigger.run_date.isoformat() == "2020-08-31T00:00:00+08:00"


def test_moments_already_past_are_not_planned(engine, clock):
    clock.set(cst(2020, 10, 5))
    scheduler = build_scheduler(engine, timedelta(hours=1))
    dated = [j.trigger.run_date for j in scheduler.get_jobs() if j.id not in (START, EVERY)]
    assert sorted(dated) == [m for m in MOMENTS if m > cst(2020, 10, 5)]


def test_every_job_coalesces_and_runs_one_at_a_time(scheduler):
    jobs = scheduler.get_jobs()
    assert len(jobs) == 2 + len(MOMENTS)
    for job in jobs:
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 3600)
        assert job.func is scheduler.ticker


def test_the_job_sweeps_and_follows_an_extension(engine, clock, scheduler):
    """Called directly (never a live scheduler under a fake clock): it records what is due and
    plans a sweep at the extended window's new closing moment."""
    project = drive(engine, clock.set, "docked")
    clock.set(cst(2020, 8, 31, 0, 0, 1))
    scheduler.ticker("due")
    assert ladder(engine) == [(project.id, "application", 1)]
    clock.set(cst(2020, 9, 1))
    engine.extend(PROVINCE, "2020-1", phase="application", until="2020-09-06", reason="延期")
    scheduler.ticker("interval")
    assert scheduler.get_job(moment_job_id(cst(2020, 9, 10).astimezone(UTC))) is not None


def test_a_stopping_ticker_does_not_sweep(engine, clock, scheduler):
    drive(engine, clock.set, "docked")
    clock.set(cst(2020, 9, 10))
    scheduler.ticker.stop()
    scheduler.ticker("interval")
    assert ladder(engine) == []


def test_bad_settings_are_refused(engine):
    with pytest.raises(InvalidInput):
        build_scheduler(engine, timedelta(0))
    with pytest.raises(InvalidInput):
        build_scheduler(engine, timedelta(minutes=1), webhook="mailto:x")


def test_only_the_scheduler_module_imports_apscheduler():
    importers = []
    for package in ("workflow", "models", "policies", "cli"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                if any(n.split(".")[0] == "apscheduler" for n in names):
                    importers.append(path.relative_to(ROOT).as_posix())
    assert sorted(set(importers)) == ["workflow/scheduler.py"]


class _Lines:
    """A process's stderr lines, taken by a reader thread (select() on a buffered text pipe can
    miss lines an earlier readline() already pulled into the buffer)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        self.proc, self.seen, self._queue = proc, list[str](), queue.Queue[str | None]()
        stream = proc.stderr

        def pump() -> None:
            for line in iter(stream.readline, ""):
                self._queue.put(line)
            self._queue.put(None)

        self._thread = threading.Thread(target=pump, daemon=True)
        self._thread.start()

    def until(self, event: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
            if f'"event": "{event}"' in line:
                return
        raise AssertionError(
            f"no {event} event (exit {self.proc.poll()}); stderr:\n{''.join(self.seen)}")

    def rest(self) -> list[str]:
        """Every line, once the process has ended and its stderr is closed."""
        self._thread.join(timeout=60)
        while (line := self._queue.get_nowait() if not self._queue.empty() else None) is not None:
            self.seen.append(line)
        return self.seen


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_the_scheduler_process_exits_0_on_a_signal_after_its_sweep(tmp_path, sig):
    """A real `accel666 scheduler`: it sweeps at start, and a signal stops it with exit 0."""
    env = {**os.environ, "ACCEL666_DB": str(tmp_path / "s.db")}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from accel666.cli.main import main; main()", "--log-json", "scheduler",
         "--every", "1h"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    lines = _Lines(proc)
    try:
        lines.until("tick")
        proc.send_signal(sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.stdout is not None
    out = proc.stdout.read()
    seen = lines.rest()
    assert proc.returncode == 0, "".join(seen)
    events = [json.loads(line)["event"] for line in seen if line.strip()]
    assert events.index("tick") < events.index("scheduler_stopping") < events.index(
        "scheduler_stopped")
    assert out == ""
