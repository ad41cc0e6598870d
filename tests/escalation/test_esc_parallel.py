"""Two sweeps in two OS processes, started at the same moment, record each escalation once."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from accel666 import Engine, models
from tests.helpers import cst

SWEEPER = Path(__file__).with_name("esc_sweeper.py")
DOCKED, APPLIED = 300, 200
NOW = cst(2020, 9, 7, 0, 0, 1)  # level 3 is due: every project gets L1, L2 and L3


def _projects(engine: Engine) -> None:
    moment = cst(2020, 7, 1, 12).astimezone(UTC)
    rows = [{"title": f"p{i}", "enterprise": f"e{i}", "credit_code": f"9132{i:014d}",
             "region": "320500" if i % 2 else "320583", "category": "demo", "batch": "2020-1",
             "state": "docked" if i < DOCKED else "applied", "version": 1, "head_hash": "",
             "created_at": moment, "updated_at": moment} for i in range(DOCKED + APPLIED)]
    with models.writing(engine.db) as conn:
        conn.execute(insert(models.project_table), rows)


def _race(db_url: str, tmp_path: Path, mode: str) -> list[dict[str, Any]]:
    """Two sweeper processes, released together; what each did."""
    sweepers = [
        subprocess.Popen([sys.executable, str(SWEEPER), db_url, NOW.isoformat(), mode],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=(tmp_path / f"sweeper{n}.err").open("w"), text=True)
        for n in range(2)
    ]
    try:
        for p in sweepers:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        for p in sweepers:  # the start signal, to both as close together as possible
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        outputs = [p.communicate(timeout=120)[0] for p in sweepers]
    finally:
        for p in sweepers:
            if p.poll() is None:
                p.kill()
    for n, p in enumerate(sweepers):
        assert p.returncode == 0, (tmp_path / f"sweeper{n}.err").read_text()
    return [json.loads(out.strip().splitlines()[-1]) for out in outputs]


def _each_delivered_once(db_url: str, expected: int) -> None:
    d = models.delivery_table.c
    with Engine(db_url, create_schema=False) as engine, engine.db.connect() as conn:
        assert conn.execute(select(d.status, d.attempts, func.count())
                            .group_by(d.status, d.attempts)).all() == [
            ("delivered", 1, expected)]


@pytest.mark.slow
def test_two_sweeping_processes_record_and_deliver_each_escalation_once(db_url, tmp_path):
    with Engine(db_url) as engine:
        _projects(engine)
    results = _race(db_url, tmp_path, "escalate")
    expected = 3 * (DOCKED + APPLIED)
    assert sum(r["recorded"] for r in results) == expected
    assert not set(results[0]["ids"]) & set(results[1]["ids"])
    assert sum(r["attempted"] for r in results) == expected  # no delivery attempted twice
    e = models.escalation_table.c
    with Engine(db_url, create_schema=False) as engine, engine.db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(models.escalation_table)
                            ).scalar_one() == expected
        keys = conn.execute(select(func.count()).select_from(
            select(e.project_id, e.phase, e.level).distinct().subquery())).scalar_one()
        assert keys == expected
    _each_delivered_once(db_url, expected)


@pytest.mark.slow
def test_two_delivering_processes_never_claim_the_same_delivery(db_url, tmp_path):
    """Recorded first, then two delivery rounds released together: the lease (SKIP LOCKED on
    PostgreSQL, the single writer on SQLite) gives each delivery to one of them."""
    with Engine(db_url) as engine:
        _projects(engine)
        expected = engine.sweep(NOW).total
    results = _race(db_url, tmp_path, "deliver")
    assert sum(r["attempted"] for r in results) == expected
    _each_delivered_once(db_url, expected)


def test_a_sweep_waits_for_the_one_under_way_on_postgresql(pg_url):
    """Its first act is to queue behind any other sweep (an advisory lock held to the end of
    the other's transaction): the range of ids a sweep reads holds its own rows alone."""
    from accel666.models.stores import escalations as escalation_store

    with Engine(pg_url) as engine:
        done = threading.Event()
        worker = threading.Thread(target=lambda: (engine.sweep(NOW), done.set()), daemon=True)
        with models.writing(engine.db) as conn:
            escalation_store.queue_up(conn)  # a sweep under way
            worker.start()
            assert not done.wait(1.0)  # queued behind it, however long it takes
        assert done.wait(30)  # and on its way once it ended
        worker.join()


def test_a_claim_skips_the_deliveries_another_claim_is_taking_on_postgresql(pg_url, clock):
    """SKIP LOCKED: a round neither waits for another's claim nor takes what it is taking."""
    from accel666.workflow.deadlines import outbox
    from tests.escalation.esc_support import drive

    with Engine(pg_url, clock=clock) as engine:
        drive(engine, clock.set, "docked")
        engine.sweep(NOW)
        d = models.delivery_table.c
        taken: list[list[Any]] = []
        log = engine.notifiers.get("log")
        worker = threading.Thread(target=lambda: taken.append(outbox.claim(
            engine.db, log, "b", NOW.astimezone(UTC), 0, timedelta(minutes=1))), daemon=True)
        with models.writing(engine.db) as conn:
            assert len(conn.execute(select(d.id).with_for_update()).all()) == 3  # being claimed
            worker.start()
            worker.join(timeout=10)
            assert taken == [[]]
