"""Processes killed with SIGKILL: mid-run, after recording escalations, holding a lease."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accel666 import Engine, models
from tests.helpers import cst
from tests.processes.proc_support import (
    Child,
    bulk_docked,
    count_rows,
    expect,
    finish,
    inconsistencies,
    project_logs,
    receiver,
    release,
    running,
    spawn,
    wait_until,
)

INSIDE = 20  # projects of the run killed inside a transaction
RUN = 500  # projects docked, then applied, one transaction each: 1000 transitions in all
KILL_AFTER = (250, 650)  # log rows: the first kill lands among the docks, the second the applies
OVERDUE = 40  # docked projects of batch 2020-1, escalated at NOW
NOW = cst(2020, 9, 7, 0, 0, 1)  # levels 1, 2 and 3 of the application phase are due
LEVELS = 3
KILLED = -signal.SIGKILL


@contextmanager
def _started(tmp_path: Path, name: str, mode: str, args: dict[str, object]) -> Iterator[Child]:
    """One child, released at once; the block waits for it or kills it (killed on the way out
    if it is still running)."""
    child = spawn(tmp_path, name, mode, args)
    with running([child]):
        release([child])
        yield child


def _run(tmp_path: Path, name: str, mode: str, args: dict[str, object]) -> Child:
    """One child, run to its end."""
    with _started(tmp_path, name, mode, args) as child:
        finish([child])
    return child


def _kill_when(child: Child, db_url: str, rows: int) -> None:
    """SIGKILL the child as soon as the log holds more than `rows` rows."""
    with Engine(db_url, create_schema=False) as watcher:
        wait_until(lambda: child.proc.poll() is not None
                   or count_rows(watcher.db, models.transition_table) > rows,
                   f"more than {rows} log rows")
    child.proc.send_signal(signal.SIGKILL)
    finish([child])


@pytest.mark.slow
def test_sigkill_in_a_long_run_of_transitions_leaves_nothing_half_written(
        db_url: str, tmp_path: Path) -> None:
    """Killed twice mid-run (among the docks, then among the applies): after each kill a new
    Engine finds every version equal to its log rows, seqs contiguous, the state that of the
    last row and a document for each `apply` row and none without; a third run completes."""
    Engine(db_url).close()
    args = {"url": db_url, "total": RUN}
    for n, rows in enumerate(KILL_AFTER):
        with _started(tmp_path, f"run-{n}", "long", args) as child:
            _kill_when(child, db_url, rows)
        assert child.returncode == KILLED, f"run {n} ended before the kill: {child.stderr[-2000:]}"
        with Engine(db_url) as engine:  # the restart
            logs = project_logs(engine.db)
            total = count_rows(engine.db, models.transition_table)
            assert engine.verify().problems == ()
        assert rows < total < 2 * RUN
        assert inconsistencies(logs) == []
        assert sum(p.version for p in logs.values()) == total

    last = _run(tmp_path, "run-last", "long", args)
    assert last.returncode == 0, last.stderr[-3000:]
    with Engine(db_url, create_schema=False) as engine:
        logs = project_logs(engine.db)
        assert count_rows(engine.db, models.document_table) == RUN
    assert inconsistencies(logs) == []
    assert len(logs) == RUN
    assert {(p.state, p.version, p.events) for p in logs.values()} == {
        ("applied", 2, ("dock", "apply"))}


@pytest.mark.slow
def test_sigkill_inside_a_transition_leaves_no_trace_of_it(db_url: str, tmp_path: Path) -> None:
    """Killed inside the first `apply`, after its document and version update were written and
    before its log row: the project is still docked at version 1 without a document, the lock
    (SQLite's write lock, PostgreSQL's row lock) died with the process, and a new run applies
    every project."""
    Engine(db_url).close()
    with _started(tmp_path, "inside", "long",
                  {"url": db_url, "total": INSIDE, "pause_before_log": "apply"}) as child:
        expect([child], "inside")
        child.proc.send_signal(signal.SIGKILL)
        finish([child])
    assert child.returncode == KILLED
    with Engine(db_url) as engine:  # the restart
        logs = project_logs(engine.db)
        assert count_rows(engine.db, models.document_table) == 0
        assert engine.verify().problems == ()
    assert inconsistencies(logs) == []
    assert {(p.state, p.version, p.events) for p in logs.values()} == {("docked", 1, ("dock",))}
    assert len(logs) == INSIDE

    again = _run(tmp_path, "again", "long", {"url": db_url, "total": INSIDE})
    assert again.returncode == 0, again.stderr[-3000:]
    with Engine(db_url, create_schema=False) as engine:
        logs = project_logs(engine.db)
    assert inconsistencies(logs) == []
    assert {(p.state, p.version, p.documents) for p in logs.values()} == {("applied", 2, 1)}


def _deliveries(db_url: str) -> list[tuple[str, str, int, bool, int]]:
    """(notifier, status, attempts, leased, count) over the outbox."""
    d = models.delivery_table.c
    leased = d.lease_owner.is_not(None)
    with Engine(db_url, create_schema=False) as engine, models.reading(engine.db) as conn:
        return [tuple(r) for r in conn.execute(
            select(d.notifier, d.status, d.attempts, leased, func.count())
            .group_by(d.notifier, d.status, d.attempts, leased)
            .order_by(d.notifier, d.status, d.attempts, leased))]


def _overdue(db_url: str) -> set[str]:
    """OVERDUE docked projects of batch 2020-1; the idempotency keys of what is due at NOW."""
    with Engine(db_url) as engine:
        bulk_docked(engine.db, OVERDUE)
        with engine.db.connect() as conn:
            ids = list(conn.execute(select(models.project_table.c.id)).scalars())
    return {f"accel666-escalation:{pid}:application:L{level}"
            for pid in ids for level in range(1, LEVELS + 1)}


@pytest.mark.slow
def test_killed_between_recording_and_delivering_a_new_process_delivers_each_once(
        db_url: str, tmp_path: Path) -> None:
    """A process records and queues the escalations due, then is SIGKILLed before delivering;
    a new `escalate` process records nothing more and delivers each exactly once."""
    expected = _overdue(db_url)
    with receiver() as hook:
        dying = _run(tmp_path, "sweep-die", "sweep-die",
                     {"url": db_url, "now": NOW.isoformat(), "webhook": hook.url})
        assert dying.returncode == KILLED, dying.stderr[-3000:]
        assert _deliveries(db_url) == [("log", "pending", 0, False, len(expected)),
                                       ("webhook", "pending", 0, False, len(expected))]
        assert hook.accepted == {}

        after = _run(tmp_path, "escalate", "escalate", {"url": db_url, "now": NOW.isoformat()})
        assert after.returncode == 0, after.stderr[-3000:]
        assert after.result() == {"recorded": 0, "attempted": 2 * len(expected),
                                  "delivered": 2 * len(expected)}
    with Engine(db_url, create_schema=False) as engine:
        assert count_rows(engine.db, models.escalation_table) == len(expected)
    assert _deliveries(db_url) == [("log", "delivered", 1, False, len(expected)),
                                   ("webhook", "delivered", 1, False, len(expected))]
    assert set(hook.accepted) == expected
    assert set(hook.accepted.values()) == {1}
    assert hook.overlapping() == [] and hook.bad == []


@pytest.mark.slow
def test_killed_while_holding_a_delivery_lease_another_process_delivers_after_it_expires(
        db_url: str, tmp_path: Path) -> None:
    """A delivering process is SIGKILLed while its webhook POST hangs: its claimed deliveries
    stay leased, so a process delivering before the lease ends leaves them alone; one delivering
    after lease_until delivers them. The receiver accepts each key exactly once."""
    expected = _overdue(db_url)
    with receiver(holding=True) as hook:
        with Engine(db_url, create_schema=False) as engine:
            assert engine.sweep(NOW, webhook=hook.url).total == len(expected)
        with _started(tmp_path, "holder", "deliver",
                      {"url": db_url, "now": NOW.isoformat()}) as holder:
            assert hook.arrived.wait(240), f"no POST came; stderr:\n{holder.stderr[-2000:]}"
            holder.proc.send_signal(signal.SIGKILL)
            finish([holder])
        assert holder.returncode == KILLED
        hook.holding = False
        hook.release.set()
        # The log deliveries went first; the webhook claim it held is still leased, unattempted.
        outbox = _deliveries(db_url)
        held = outbox[-1][-1]
        assert 0 < held < len(expected)
        assert outbox == [("log", "delivered", 1, False, len(expected)),
                          ("webhook", "pending", 0, False, len(expected) - held),
                          ("webhook", "pending", 0, True, held)]

        d = models.delivery_table.c
        with Engine(db_url, create_schema=False) as engine, engine.db.connect() as conn:
            lease_until = conn.execute(select(func.max(d.lease_until))).scalar_one()
        assert lease_until > NOW + timedelta(seconds=1)
        early = _run(tmp_path, "early", "deliver",
                     {"url": db_url, "now": (NOW + timedelta(seconds=1)).isoformat()})
        assert early.result()["attempted"] == len(expected) - held  # not the leased ones
        late = _run(tmp_path, "late", "deliver",
                    {"url": db_url, "now": (lease_until + timedelta(seconds=1)).isoformat()})
        assert late.result()["attempted"] == held
    assert _deliveries(db_url) == [("log", "delivered", 1, False, len(expected)),
                                   ("webhook", "delivered", 1, False, len(expected))]
    assert set(hook.accepted) == expected
    assert set(hook.accepted.values()) == {1}
    assert hook.held and set(hook.held) <= expected
    assert hook.overlapping() == [] and hook.bad == []
