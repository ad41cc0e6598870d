"""Long lists: search, sort and pages for `list`; pages for `overdue` and `escalations`;
`show` with what the log records (materials, opinion, review, reasons), in text and JSON."""

from __future__ import annotations

import json

import pytest

from tests.helpers import CODE_A, CODE_B, CODE_C, cst


@pytest.fixture
def three(engine, actors, clock, tmp_path):
    """A applied and recommended (苏州); B (南京) and C (昆山) docked, C withdrawn."""
    doc = tmp_path / "a.pdf"
    doc.write_bytes(b"%PDF a")
    a = engine.dock(actors.suzhou, title="云上工厂 甲", enterprise="苏州甲科技",
                    credit_code=CODE_A, region="suzhou", category="demo").id
    engine.apply(actors.ent_a, a, paper_copies=2, document=doc)
    engine.recommend(actors.suzhou, a, opinion="同意推荐")
    clock.set(cst(2020, 7, 2, 10))
    engine.dock(actors.tencent, title="Smart_Factory 100%", enterprise="南京乙",
                credit_code=CODE_B, region="nanjing", category="backbone")
    c = engine.dock(actors.tencent, title="云上工厂 丙", enterprise="昆山丙",
                    credit_code=CODE_C, region="kunshan", category="demo").id
    clock.set(cst(2020, 7, 3, 10))
    engine.withdraw(actors.kunshan, c, reason="企业放弃")
    return engine


def ids(run, *args):
    return [p["id"] for p in json.loads(run("list", *args, "--json").stdout)]


def test_search_looks_in_title_enterprise_and_credit_code(run, three):
    assert ids(run, "--search", "云上工厂") == [1, 3]
    assert ids(run, "--search", "南京") == [2]
    assert ids(run, "--search", CODE_C[4:12].lower()) == [3]  # case-insensitive
    assert ids(run, "--search", "100%") == [2]  # LIKE's wildcards are text here
    assert ids(run, "--search", "_") == [2]
    assert ids(run, "--search", "%") == [2]


def test_sort_and_pages(run, three):
    assert ids(run, "--sort", "-id") == [3, 2, 1]
    assert ids(run, "--sort", "region") == [2, 1, 3]  # 320100, 320500, 320583
    assert ids(run, "--sort", "-updated_at", "--limit", "1") == [3]
    assert ids(run, "--limit", "2", "--offset", "1") == [2, 3]
    assert ids(run, "--offset", "2") == [3]
    bad = run("list", "--sort", "password")
    assert bad.exit_code == 2 and "invalid sort" in bad.stderr


def test_overdue_and_escalations_come_in_pages(run, three):
    three.sweep(cst(2020, 9, 5, 0))  # B docked past application, A recommended on time
    run.moment = cst(2020, 9, 5, 1)
    every = [o["project_id"] for o in json.loads(run("overdue", "--json").stdout)]
    assert len(every) >= 1
    page = json.loads(run("overdue", "--json", "--limit", "1", "--offset", "0").stdout)
    assert [o["project_id"] for o in page] == every[:1]
    escalations = [e["id"] for e in json.loads(run("escalations", "--json").stdout)]
    assert [e["id"] for e in json.loads(run("escalations", "--json", "--offset", "1").stdout)] \
        == escalations[1:]
    assert run("escalations", "--limit", "0").exit_code == 2


def test_show_json_carries_what_text_show_shows(run, three):
    doc = json.loads(run("show", "1", "--json").stdout)
    assert doc["next_events"] == ["review", "reject", "withdraw"]
    assert doc["materials"] == {"paper_copies": 2, "document": "a.pdf", "size": 6,
                                "sha256": doc["materials"]["sha256"]}
    assert (doc["opinion"], doc["review"], doc["reasons"]) == ("同意推荐", None, [])
    text = run("show", "1").stdout
    assert "  materials   2 paper copies; a.pdf (6 bytes)" in text
    assert "  opinion     同意推荐" in text
    assert "  next        review, reject, withdraw" in text
    withdrawn = json.loads(run("show", "3", "--json").stdout)
    assert withdrawn["reasons"] == [{"event": "withdraw", "reason": "企业放弃"}]
    assert withdrawn["next_events"] == []
    assert "  reason      withdraw: 企业放弃" in run("show", "3").stdout
