"""Optimistic concurrency: a change based on a version that moved on loses with Conflict."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from accel666 import Conflict, InvalidInput, Stale, models
from accel666.models.stores import projects
from tests.helpers import scored_panel
from tests.workflow import wf_support as wf
from tests.workflow.wf_support import drive, fire, snapshot


def test_stale_read_loses_with_conflict_and_writes_nothing(engine, clock, monkeypatch):
    """A call that read version 1 while another made version 2 gets Conflict; only the winner's
    change (and none of the loser's document) is stored."""
    project = drive(engine, clock.set, "docked")
    with models.reading(engine.db) as conn:
        stale = projects.load(conn, project.id)
    fire(engine, "withdraw", project)  # the winner: version 2, withdrawn
    before = snapshot(engine)
    monkeypatch.setattr(projects, "load", lambda conn, pid: stale)
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
    real = projects.compare_and_set

    def concurrent_change_then_cas(conn, event, pid, version, values):
        conn.execute(update(models.project_table).where(models.project_table.c.id == pid)
                     .values(version=version + 1))
        return real(conn, event, pid, version, values)

    monkeypatch.setattr(projects, "compare_and_set", concurrent_change_then_cas)
    with pytest.raises(Conflict) as err:
        fire(engine, "recommend", project)
    assert (err.value.project_id, err.value.expected_version) == (project.id, 2)
    assert snapshot(engine) == before


# --- expected_version: the caller names the version it read (HTTP's If-Match) ----------------

EXPECTING = [
    ("apply", "docked", lambda e, p, v: e.apply(wf.enterprise(p.credit_code), p.id,
                                                 paper_copies=2, document=wf.DOC,
                                                 document_name="a.pdf", expected_version=v)),
    ("recommend", "applied", lambda e, p, v: e.recommend(wf.city(p.region), p.id, opinion="ok",
                                                          expected_version=v)),
    ("review", "recommended", lambda e, p, v: e.review(wf.PROVINCE, p.id,  # its panel scored
                                                        expected_version=v)),
    ("sign", "reviewed", lambda e, p, v: e.sign(wf.TENCENT, p.id, expected_version=v)),
    ("publish", "signed", lambda e, p, v: e.publish(wf.PROVINCE, p.id, expected_version=v)),
    ("reject", "applied", lambda e, p, v: e.reject(wf.city(p.region), p.id, reason="no",
                                                    expected_version=v)),
    ("withdraw", "docked", lambda e, p, v: e.withdraw(wf.enterprise(p.credit_code), p.id,
                                                       reason="no", expected_version=v)),
]


@pytest.mark.parametrize(("event", "state", "call"), EXPECTING, ids=[e[0] for e in EXPECTING])
def test_an_event_at_another_version_than_expected_is_stale_and_writes_nothing(
        engine, clock, event, state, call):
    project = drive(engine, clock.set, state)
    if event in ("sign", "publish"):
        clock.set(wf.LATE)
    if event == "review":
        scored_panel(engine, project.id)
    before = snapshot(engine)
    for wrong in (project.version - 1 or project.version + 2, project.version + 1):
        with pytest.raises(Stale) as err:
            call(engine, project, wrong)
        assert isinstance(err.value, Conflict)  # a Conflict to anyone who handles those
        assert err.value.details() == {"event": event, "project_id": project.id,
                                       "expected_version": wrong, "version": project.version}
        assert snapshot(engine) == before
    done = call(engine, project, project.version)
    assert done.version == project.version + 1


def test_an_expected_version_must_be_a_positive_whole_number(engine, clock):
    project = drive(engine, clock.set, "docked")
    before = snapshot(engine)
    for bad in (0, -1, "1", 1.0, True):
        with pytest.raises(InvalidInput) as err:
            engine.withdraw(wf.enterprise(project.credit_code), project.id, reason="x",
                            expected_version=bad)
        assert err.value.field == "expected version"
    assert snapshot(engine) == before
