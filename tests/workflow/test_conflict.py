"""Optimistic concurrency: a change based on a version that moved on loses with Conflict."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from accel666 import Conflict, models
from accel666.workflow import store
from tests.workflow.wf_support import drive, fire, snapshot


def test_stale_read_loses_with_conflict_and_writes_nothing(engine, clock, monkeypatch):
    """A call that read version 1 while another made version 2 gets Conflict; only the winner's
    change (and none of the loser's document) is stored."""
    project = drive(engine, clock.set, "docked")
    with models.reading(engine.db) as conn:
        stale = store.load_project(conn, project.id)
    fire(engine, "withdraw", project)  # the winner: version 2, withdrawn
    before = snapshot(engine)
    monkeypatch.setattr(store, "load_project", lambda conn, pid: stale)
    with pytest.raises(Conflict) as err:
        fire(engine, "apply", project)  # the loser acts on what it read: docked, version 1
    assert err.value.message == (f"apply conflict: project {project.id} changed since version 1 "
                                 "was read; show it again and retry")
    assert (err.value.event, err.value.project_id, err.value.expected_version) == (
        "apply", project.id, 1)
    assert snapshot(engine) == before
    assert before["accel666_document"] == []


def test_version_moving_just_before_compare_and_set_is_a_conflict(engine, clock, monkeypatch):
    """If the row's version changes between the read and the update, the update finds no row."""
    project = drive(engine, clock.set, "applied")
    before = snapshot(engine)
    real = store.compare_and_set

    def concurrent_change_then_cas(conn, event, pid, version, values):
        conn.execute(update(models.project_table).where(models.project_table.c.id == pid)
                     .values(version=version + 1))
        return real(conn, event, pid, version, values)

    monkeypatch.setattr(store, "compare_and_set", concurrent_change_then_cas)
    with pytest.raises(Conflict) as err:
        fire(engine, "recommend", project)
    assert (err.value.project_id, err.value.expected_version) == (project.id, 2)
    assert snapshot(engine) == before
