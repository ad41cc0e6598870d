"""Experts and panel seats in the record: every one edited, inserted or deleted behind the
engine's back is named by `verify`, as are the chains' entries rewritten."""

from __future__ import annotations

import pytest

from tests.audit.audit_support import behind_the_back
from tests.helpers import CODE_B
from tests.review.panel_support import PROVINCE, expert, recommended, registry

X = "accel666_expert"
S = "accel666_panel_seat"


@pytest.fixture
def record(engine):
    registry(engine, zhou=["suzhou"])
    a = recommended(engine)
    b = recommended(engine, CODE_B, "nanjing")
    engine.assign_panel(PROVINCE, [a, b], ["wang", "li", "zhao"])
    engine.score(expert("wang"), a, score=88, comment="好")
    engine.recuse(expert("li"), a, reason="回避")
    report = engine.verify()
    assert report.ok, report.problems
    return {"a": a, "b": b}


TAMPERING = {
    "expert renamed": ("expert", f"UPDATE {X} SET name = 'mallory' WHERE key = 'wang'"),
    "expert's avoidance dropped": ("expert", f"UPDATE {X} SET avoid = '[]' WHERE key = 'zhou'"),
    "expert inserted": ("expert", f"INSERT INTO {X} (key, name, avoid, added_at, added_by) "
                                  f"SELECT 'eve', name, avoid, added_at, added_by FROM {X} "
                                  "WHERE key = 'wang'"),
    "expert deleted": ("expert", f"DELETE FROM {X} WHERE key = 'sun'"),
    "score edited": ("panel", f"UPDATE {S} SET score = 99 WHERE expert = 'wang' "
                              "AND project_id = :a"),
    "score forged": ("panel", f"UPDATE {S} SET score = 10, scored_at = assigned_at "
                              "WHERE expert = 'zhao' AND project_id = :a"),
    "comment edited": ("panel", f"UPDATE {S} SET comment = 'x' WHERE expert = 'wang'"),
    "recusal undone": ("panel", f"UPDATE {S} SET recused_at = NULL, recuse_reason = NULL "
                                "WHERE expert = 'li' AND project_id = :a"),
    "seat moved": ("panel", f"UPDATE {S} SET expert = 'sun' WHERE expert = 'zhao' "
                            "AND project_id = :b"),
    "seat inserted": ("panel", f"INSERT INTO {S} (project_id, expert, assigned_at, assigned_by) "
                               f"SELECT project_id, 'qian', assigned_at, assigned_by FROM {S} "
                               "WHERE expert = 'wang' AND project_id = :a"),
    "seat deleted": ("panel", f"DELETE FROM {S} WHERE expert = 'zhao' AND project_id = :a"),
    "panels entry edited": ("ledger", "UPDATE accel666_ledger SET actor = 'mallory' "
                                      "WHERE chain = 'panels' AND seq = 1"),
    "experts entry deleted": ("ledger", "DELETE FROM accel666_ledger "
                                        "WHERE chain = 'experts' AND seq = 2"),
}


@pytest.mark.parametrize("case", TAMPERING)
def test_each_tampering_is_named(engine, db_url, record, case):
    kind, statement = TAMPERING[case]
    params = {k: v for k, v in record.items() if f":{k}" in statement}
    behind_the_back(db_url, statement, **params)
    report = engine.verify()
    assert kind in {p.kind for p in report.problems}, report.problems


def test_the_problems_name_the_expert_and_the_seat(engine, db_url, record):
    behind_the_back(db_url, f"UPDATE {S} SET score = 99 WHERE expert = 'wang' AND "
                    "project_id = :a", f"DELETE FROM {X} WHERE key = 'sun'", a=record["a"])
    assert sorted(p.message for p in engine.verify().problems) == [
        "expert 5 (sun) is in the experts chain but not on record: it was deleted",
        f"panel seat 1 (project {record['a']}, expert wang): score differ from what the "
        "panels chain records",
    ]


def test_a_ledger_entry_naming_a_seat_never_assigned_is_named(engine, db_url, record):
    from tests.audit.tamper_support import rechain_ledger

    rechain_ledger(db_url, "panels", lambda body: {**body, "id": 99}
                   if "score" in body else body)
    messages = [p.message for p in engine.verify().problems]
    assert any("names seat 99, which the chain never assigned" in m for m in messages)
