"""A failure inside a change's transaction leaves nothing behind: one change, one transaction.

Each test makes one step the engine calls inside the transaction (a function of a store in
`models.stores`) fail after earlier steps have written, and checks that every table is as it was.
"""

from __future__ import annotations

import pytest

from accel666.models.stores import documents, projects
from tests.helpers import CODE_A, CODE_B, CODE_C
from tests.workflow.wf_support import LATE, PROVINCE, TENCENT, dock, drive, fire, snapshot


class Boom(RuntimeError):
    pass


def _fail_after(monkeypatch: pytest.MonkeyPatch, name: str, on_call: int = 1) -> list[int]:
    """Make the store function `name` (`documents.insert_one`, `projects.log`, …) do its
    work, then raise Boom on its `on_call`-th call."""
    module_name, _, function = name.partition(".")
    store = {"documents": documents, "projects": projects}[module_name]
    real = getattr(store, function)
    calls: list[int] = []

    def wrapper(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == on_call:
            raise Boom(f"{name} failed")
        return result

    monkeypatch.setattr(store, function, wrapper)
    return calls


@pytest.mark.parametrize("step", ["documents.insert_one", "projects.compare_and_set",
                                  "projects.log"])
def test_apply_failing_after_a_write_leaves_project_log_and_documents(engine, clock, monkeypatch,
                                                                      step):
    """apply writes a document, moves the project and logs; a failure at any step undoes all."""
    project = drive(engine, clock.set, "docked")
    before = snapshot(engine)
    calls = _fail_after(monkeypatch, step)
    with pytest.raises(Boom):
        fire(engine, "apply", project)
    assert calls == [1]
    assert snapshot(engine) == before
    monkeypatch.undo()
    assert engine.get(project.id).state == "docked"
    assert fire(engine, "apply", project).version == 2  # the project is not stuck


@pytest.mark.parametrize("event", ["recommend", "reject"])
def test_event_failing_at_log_leaves_project_unchanged(engine, clock, monkeypatch, event):
    """The compare-and-set that already ran is rolled back when writing the log fails."""
    project = drive(engine, clock.set, "applied")
    before = snapshot(engine)
    _fail_after(monkeypatch, "projects.log")
    with pytest.raises(Boom):
        fire(engine, event, project)
    assert snapshot(engine) == before
    assert (engine.get(project.id).state, engine.get(project.id).version) == ("applied", 2)
    assert [t.seq for t in engine.history(project.id)] == [1, 2]


def test_dock_failing_after_project_insert_leaves_no_project(engine, monkeypatch):
    """A dock whose log write fails leaves no project row behind."""
    before = snapshot(engine)
    _fail_after(monkeypatch, "projects.log")
    with pytest.raises(Boom):
        dock(engine)
    assert snapshot(engine) == before
    assert engine.projects() == []
    monkeypatch.undo()
    assert dock(engine).state == "docked"  # and no live duplicate was left behind


def test_publish_batch_failing_on_second_project_leaves_all_signed(engine, clock, monkeypatch):
    """publish_batch is all or nothing: a failure on the 2nd of 3 projects publishes none."""
    ids = [drive(engine, clock.set, "signed", code=code).id for code in (CODE_A, CODE_B, CODE_C)]
    clock.set(LATE)
    before = snapshot(engine)
    calls = _fail_after(monkeypatch, "projects.compare_and_set", on_call=2)
    with pytest.raises(Boom):
        engine.publish_batch(PROVINCE, "2020-1")
    assert len(calls) == 2
    assert snapshot(engine) == before
    assert [(p.id, p.state, p.version) for p in engine.projects()] == [(i, "signed", 5) for i in ids]


def test_import_failing_after_its_first_chunk_leaves_nothing(engine, monkeypatch, tmp_path):
    """An import is one transaction: a failure once a chunk of projects, their log rows and
    heads are written undoes them all."""
    from accel666.workflow.changes import docking

    monkeypatch.setattr(docking, "CHUNK", 2)
    sheet = tmp_path / "rows.csv"
    sheet.write_text("title,enterprise,credit_code,region,category\r\n" + "".join(
        f"T,E,{code},suzhou,demo\r\n" for code in (CODE_A, CODE_B, CODE_C)), encoding="utf-8")
    before = snapshot(engine)
    calls = _fail_after(monkeypatch, "projects.log_all", on_call=2)
    with pytest.raises(Boom):
        engine.import_projects(TENCENT, sheet)
    assert len(calls) == 2
    assert snapshot(engine) == before
    monkeypatch.undo()
    assert engine.import_projects(TENCENT, sheet).imported == 3
