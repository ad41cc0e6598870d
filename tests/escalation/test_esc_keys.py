"""What must never happen twice is refused by the database itself, and sweeps that meet queue up
so that each one's range of new escalation ids holds its own rows only."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from accel666 import Engine, SweepResult, models
from accel666.models.stores import escalations as escalation_store
from tests.escalation.esc_support import drive
from tests.helpers import CODE_B, CODE_C, cst

E = models.escalation_table.c
WAIT = 60.0  # seconds a step may take before the test gives up (a hang, not a timing)


def _copy_of(engine: Engine, escalation_id: int, **changes: Any) -> dict[str, Any]:
    with engine.db.connect() as conn:
        row = conn.execute(select(models.escalation_table).where(E.id == escalation_id)).one()
    values = {k: v for k, v in row._asdict().items() if k != "id"}
    return {**values, **changes}


def test_the_database_refuses_a_second_escalation_of_one_level(engine, clock):
    """(project, phase, level) is a unique key: a copy with a fresh idempotency key is refused."""
    drive(engine, clock.set, "docked")
    engine.sweep(cst(2020, 8, 31, 0, 0, 1))
    (first,) = engine.escalations()
    duplicate = _copy_of(engine, first.id, idempotency_key="another-key")
    with pytest.raises(IntegrityError), models.writing(engine.db) as conn:
        conn.execute(insert(models.escalation_table).values(**duplicate))
    assert [e.id for e in engine.escalations()] == [first.id]


def test_the_database_refuses_a_second_delivery_by_one_notifier(engine, clock):
    """(escalation, notifier) is a unique key: a second log delivery of one escalation is refused."""
    drive(engine, clock.set, "docked")
    engine.sweep(cst(2020, 8, 31, 0, 0, 1))
    (first,) = engine.escalations()
    (log_delivery,) = first.deliveries
    with pytest.raises(IntegrityError), models.writing(engine.db) as conn:
        conn.execute(insert(models.delivery_table).values(
            escalation_id=first.id, notifier="log", status="pending", attempts=0,
            next_attempt_at=log_delivery.next_attempt_at))
    assert len(engine.escalation(first.id).deliveries) == 1


def _waiting_on_a_sweep_lock(engine: Engine) -> Callable[[], bool]:
    """PostgreSQL: is a session waiting for the sweep's advisory lock?"""
    def check() -> bool:
        with engine.db.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )).scalar_one())
    return check


def test_a_sweep_that_meets_another_waits_and_gets_its_own_id_range(engine, clock, monkeypatch):
    """Sweep A (level 1 due) stops inside its transaction right after reading where its ids
    start; sweep B (level 2 due too) starts meanwhile. B may not read its own start until A has
    committed: on PostgreSQL the test sees B wait for the advisory lock, on SQLite B is at its
    BEGIN IMMEDIATE while A holds the lock. Then A goes on. The ranges are disjoint, B's after
    A's, and each holds exactly the escalations its sweep recorded."""
    projects = [drive(engine, clock.set, "docked", code=c).id for c in (CODE_B, CODE_C)]
    a_paused, a_go, b_beginning, b_started = (threading.Event() for _ in range(4))
    last_id, writing = escalation_store.last_id, models.writing

    def last_id_pausing_a(conn: Any) -> int:
        found = last_id(conn)
        if threading.current_thread().name == "sweep-a" and not a_paused.is_set():
            a_paused.set()
            assert a_go.wait(WAIT)
        elif threading.current_thread().name == "sweep-b":
            b_started.set()
        return found

    def writing_seen(db: Any) -> Any:
        if threading.current_thread().name == "sweep-b":
            b_beginning.set()
        return writing(db)

    monkeypatch.setattr(escalation_store, "last_id", last_id_pausing_a)
    monkeypatch.setattr(models, "writing", writing_seen)
    results: dict[str, SweepResult] = {}
    moments = {"sweep-a": cst(2020, 8, 31, 0, 0, 1), "sweep-b": cst(2020, 9, 3, 0, 0, 1)}

    def sweep() -> None:
        name = threading.current_thread().name
        results[name] = engine.sweep(moments[name])

    a = threading.Thread(target=sweep, name="sweep-a")
    b = threading.Thread(target=sweep, name="sweep-b")
    a.start()
    try:
        assert a_paused.wait(WAIT)
        b.start()
        if engine.db.dialect.name == "postgresql":
            waiting = _waiting_on_a_sweep_lock(engine)
            while not (waiting() or b_started.is_set()):
                assert b.is_alive() and a.is_alive()
                b_started.wait(0.01)
        else:
            assert b_beginning.wait(WAIT)
        assert not b_started.is_set(), "sweep B read where its ids start while A was uncommitted"
    finally:
        a_go.set()  # whatever happened, A finishes and both threads end
        a.join(WAIT)
        if b.ident is not None:
            b.join(WAIT)
    assert set(results) == {"sweep-a", "sweep-b"}
    first, second = results["sweep-a"], results["sweep-b"]
    assert (first.total, second.total) == (2, 2)
    assert first.first_id is not None and first.last_id is not None
    assert second.first_id is not None and second.last_id is not None
    assert first.last_id < second.first_id
    with engine.db.connect() as conn:
        for result, level in ((first, 1), (second, 2)):
            in_range = conn.execute(
                select(E.project_id, E.level)
                .where(E.id.between(result.first_id, result.last_id)).order_by(E.id)).all()
            assert [tuple(r) for r in in_range] == [(p, level) for p in projects]
        assert conn.execute(select(func.count(E.id))).scalar_one() == 4
