"""Every dock enters the programme-wide `docks` chain of the ledger (one entry per dock, one for
a whole import, holding each project's id and identity): a project deleted with all its rows, or one
inserted with a consistent chain of its own, is named by plain `verify`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import create_engine, select, update
from sqlalchemy.engine import make_url

from accel666 import models
from accel666.record import chain
from tests.audit.audit_support import behind_the_back
from tests.audit.tamper_support import full_history
from tests.cli.test_cli_import import EN, en_rows, write_csv
from tests.helpers import CODE_D

DELETE_A = ("DELETE FROM accel666_document WHERE project_id = :a",
            "DELETE FROM accel666_panel_seat WHERE project_id = :a",  # its reviewers' seats
            "DELETE FROM accel666_transition WHERE project_id = :a",
            "DELETE FROM accel666_project WHERE id = :a")


@pytest.fixture
def record(engine, clock, actors, tmp_path):
    ids = full_history(engine, clock, actors, tmp_path)
    assert engine.verify().ok
    return ids


def docks(url: str) -> list[Any]:
    eng = create_engine(make_url(url))
    L = models.ledger_table.c
    try:
        with eng.connect() as conn:
            return list(conn.execute(select(L.seq, L.kind, L.actor, L.role, L.body)
                                     .where(L.chain == "docks").order_by(L.seq)).all())
    finally:
        eng.dispose()


def test_a_project_deleted_with_all_its_rows_is_named(engine, db_url, record):
    """Was: the project, its log and its documents deleted together left a consistent record,
    and `verify` held until an anchor taken before the deletion was checked."""
    behind_the_back(db_url, *DELETE_A, a=record["a"])
    found = [(p.kind, p.message, p.project_id) for p in engine.verify().problems]
    assert found == [("project", f"project {record['a']} ('A', enterprise EA, credit code "
                      "914403001922038216, region 320500, category demo, batch 2020-1) is in "
                      "the docks chain but not on record: it was deleted", record["a"]), *(
        ("panel", f"panel seat {n} (project {record['a']}, expert t.panel.{n}) is in the "
         "panels chain but not on record: it was deleted", None) for n in (1, 2, 3))]


def test_a_deleted_project_is_named_by_the_cli_with_exit_7(run, db_url):
    first = run.dock()
    behind_the_back(db_url, "DELETE FROM accel666_transition WHERE project_id = :a",
                    "DELETE FROM accel666_project WHERE id = :a", a=first)
    result = run("verify")
    assert result.exit_code == 7
    assert f"project: project {first} (" in result.stdout
    assert "is in the docks chain but not on record: it was deleted" in result.stdout


def test_each_dock_and_each_import_is_one_entry(run, db_url, tmp_path):
    docked = run.dock(code=CODE_D, actor="tencent")
    assert run("import", write_csv(tmp_path / "en.csv", EN, en_rows(3)), "--as",
               "city:suzhou").exit_code == 0
    entries = docks(db_url)
    assert [(e.seq, e.kind, e.role) for e in entries] == [(1, "dock", "tencent"),
                                                         (2, "dock", "city")]
    assert [row[0] for row in entries[0].body["projects"]] == [docked]
    assert [row[0] for row in entries[1].body["projects"]] == [docked + 1, docked + 2, docked + 3]
    assert entries[1].body["projects"][0][1:] == [
        "云上工厂 0", "苏州某某科技 0", en_rows()[0][2], "320500", "demo", "2020-1"]
    assert entries[1].body["scope"] == "320500"


def test_a_project_deleted_from_an_import_is_named(run, db_url, tmp_path):
    assert run("import", write_csv(tmp_path / "en.csv", EN, en_rows(3)), "--as",
               "city:suzhou").exit_code == 0
    behind_the_back(db_url, "DELETE FROM accel666_transition WHERE project_id = 2",
                    "DELETE FROM accel666_project WHERE id = 2")
    result = run("verify", "--json")
    assert result.exit_code == 7
    problems = json.loads(result.stdout)["problems"]
    assert [(p["kind"], p["project_id"]) for p in problems] == [("project", 2)]


def _copy_project(url: str, source: int, credit_code: str) -> int:
    """Insert a copy of project `source` under another credit code, with a dock entry of its
    own chained from genesis and a head that matches: consistent in every row."""
    eng = create_engine(make_url(url))
    P, T = models.project_table, models.transition_table
    try:
        with eng.begin() as conn:
            project = conn.execute(select(P).where(P.c.id == source)).one()._asdict()
            dock = conn.execute(select(T).where(T.c.project_id == source, T.c.seq == 1)).one()
            values = {k: v for k, v in project.items() if k != "id"}
            values.update(credit_code=credit_code, state="docked", version=1,
                          paper_copies=None, updated_at=dock.at)
            pid = conn.execute(P.insert().values(**values).returning(P.c.id)).scalar_one()
            row = {**dock._asdict(), "project_id": pid,
                   "payload": {"identity": {**dock.payload["identity"],
                                            "credit_code": credit_code}}}
            row.pop("id")
            row["hash"] = chain.row_hash(row, chain.GENESIS)
            conn.execute(T.insert().values(**row))
            conn.execute(update(P).where(P.c.id == pid).values(head_hash=row["hash"]))
            return int(pid)
    finally:
        eng.dispose()


def test_a_project_inserted_with_a_consistent_chain_is_named(engine, db_url, record):
    pid = _copy_project(db_url, record["a"], CODE_D)
    found = [(p.kind, p.message) for p in engine.verify().problems]
    assert found == [("project", f"project {pid} is not in the docks chain: it was inserted "
                      "behind the record's back")]


def test_an_identity_rewritten_in_the_row_and_its_rechained_log_is_named(engine, db_url,
                                                                       record):
    """The region moved in the project row and in its dock entry, the project's chain
    recomputed to its head: the project proves itself, the docks chain does not agree."""
    from tests.audit.tamper_support import rechain_project

    b = record["b"]
    eng = create_engine(make_url(db_url))
    T = models.transition_table
    with eng.connect() as conn:
        payload = conn.execute(select(T.c.payload).where(T.c.project_id == b,
                                                         T.c.seq == 1)).scalar_one()
    eng.dispose()
    moved = {"identity": {**payload["identity"], "region": "320583"}}
    rechain_project(db_url, b, payload=moved)
    behind_the_back(db_url, "UPDATE accel666_project SET region = '320583' WHERE id = :b", b=b)
    found = [(p.kind, p.message) for p in engine.verify().problems]
    assert ("identity", f"project {b}: region differ from what the docks chain records: its "
            "dock entry was rewritten") in found
