"""One dock path: docking one project and importing a sheet of them write through the same
function, the same rows, and refuse a duplicate through the same live-project key."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accel666 import Refused, models
from accel666.models.stores import projects
from accel666.workflow.changes import docking
from tests.helpers import CODE_A, CODE_B, CODE_C
from tests.workflow.wf_support import TENCENT, dock, snapshot

HEADER = "title,enterprise,credit_code,region,category\r\n"


def sheet(tmp_path, *codes: str):
    path = tmp_path / "rows.csv"
    path.write_text(HEADER + "".join(f"T {c[-4:]},E {c[-4:]},{c},suzhou,demo\r\n" for c in codes),
                    encoding="utf-8")
    return path


@pytest.fixture
def calls(monkeypatch) -> list[int]:
    """How many projects each call of the dock path's writes was given."""
    real, seen = docking.dock_projects, []

    def counted(conn, actor, now, opened, values, progress=None):
        seen.append(len(values))
        return real(conn, actor, now, opened, values, progress)

    monkeypatch.setattr(docking, "dock_projects", counted)
    return seen


def test_docking_one_and_importing_many_take_the_one_path(engine, tmp_path, calls):
    dock(engine, TENCENT, code=CODE_A)
    result = engine.import_projects(TENCENT, sheet(tmp_path, CODE_B, CODE_C))
    assert (result.imported, result.errors) == (2, ())
    assert calls == [1, 2]


def test_an_imported_project_is_recorded_as_a_docked_one(engine, tmp_path):
    """Same columns, the same dock log row chained from genesis, the head its hash."""
    alone = dock(engine, TENCENT, code=CODE_A, title="T 8216", batch=None)
    engine.import_projects(TENCENT, sheet(tmp_path, CODE_B))
    imported = engine.projects()[1]
    differ = {"id", "title", "enterprise", "credit_code", "head_hash"}
    assert {k: v for k, v in vars(alone).items() if k not in differ} == \
        {k: v for k, v in vars(imported).items() if k not in differ}
    first, second = engine.history(alone.id), engine.history(imported.id)
    shape = [(t.seq, t.event, t.from_state, t.to_state, t.actor, t.role, t.scope, t.at,
              sorted(t.payload["identity"])) for t in (*first, *second)]
    assert shape[0] == shape[1] and len(shape) == 2
    assert (alone.head_hash, imported.head_hash) == (first[0].hash, second[0].hash)
    assert second[0].payload["identity"]["credit_code"] == CODE_B
    assert engine.verify().ok


def test_an_import_reports_its_progress_once_a_chunk(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(docking, "CHUNK", 2)
    codes = (CODE_A, CODE_B, CODE_C)
    seen: list[tuple[int, int]] = []
    result = engine.import_projects(TENCENT, sheet(tmp_path, *codes),
                                    progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 3), (3, 3)]
    assert (result.imported, result.first_id, result.last_id) == (3, 1, 3)
    assert [(p.id, p.credit_code) for p in engine.projects()] == [(1, CODE_A), (2, CODE_B),
                                                                  (3, CODE_C)]
    with models.reading(engine.db) as conn:  # each project's head is its own dock row's hash
        heads = conn.execute(select(models.project_table.c.head_hash)
                             .order_by(models.project_table.c.id)).scalars().all()
    assert heads == [engine.history(i)[0].hash for i in (1, 2, 3)]


def test_an_import_running_into_the_live_key_is_refused_and_writes_nothing(engine, tmp_path,
                                                                           monkeypatch):
    """A live project the import's check did not see (docked meanwhile) is still refused, by
    the key, and nothing of the import is written."""
    held = dock(engine, TENCENT, code=CODE_B)
    monkeypatch.setattr(projects, "live_holders", lambda *_a: {})
    before = snapshot(engine)
    with pytest.raises(Refused) as err:
        engine.import_projects(TENCENT, sheet(tmp_path, CODE_A, CODE_B))
    assert err.value.message == ("dock refused: another process docked one of these enterprises "
                                 "meanwhile; nothing was imported: run the import again to see "
                                 "which")
    assert err.value.guard == "duplicate"
    assert snapshot(engine) == before
    assert [p.id for p in engine.projects()] == [held.id]


def test_a_dock_into_the_live_key_looks_for_the_holder_only_after_the_refusal(engine,
                                                                             monkeypatch):
    """Nothing is read before the insert: the holder is looked up once the key refused."""
    first = dock(engine, TENCENT, code=CODE_A)
    looked: list[str] = []
    real = projects.live_holder

    def holder(conn, code, category, batch):
        looked.append(code)
        return real(conn, code, category, batch)

    monkeypatch.setattr(projects, "live_holder", holder)
    monkeypatch.setattr(projects, "live_holders", lambda *_a: pytest.fail("read before insert"))
    dock(engine, TENCENT, code=CODE_B)
    assert looked == []
    with pytest.raises(Refused) as err:
        dock(engine, TENCENT, code=CODE_A)
    assert (err.value.guard, err.value.project_id, looked) == ("duplicate", first.id, [CODE_A])
