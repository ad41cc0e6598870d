"""`Engine.report` and `accel666 report`: where the programme stands, on a known record."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from accel666 import InvalidInput, lifecycle
from accel666.workflow.report import CategoryProgress
from tests.helpers import CODE_A, CODE_B, CODE_C, cst, panel_review

ZERO = dict.fromkeys(lifecycle.STATES, 0)


@pytest.fixture
def known(engine, clock, actors, tmp_path):
    """A published (苏州, demo); B docked and overdue (南京, backbone), escalated at L1;
    C withdrawn (昆山, cloud-base). The clock ends at 2020-10-10 10:00 China time."""
    doc = tmp_path / "a.pdf"
    doc.write_bytes(b"%PDF a")
    a = engine.dock(actors.suzhou, title="A", enterprise="EA", credit_code=CODE_A,
                    region="suzhou", category="demo").id
    engine.apply(actors.ent_a, a, paper_copies=2, document=doc)
    engine.recommend(actors.suzhou, a, opinion="同意")
    b = engine.dock(actors.tencent, title="B", enterprise="EB", credit_code=CODE_B,
                    region="nanjing", category="backbone").id
    c = engine.dock(actors.tencent, title="C", enterprise="EC", credit_code=CODE_C,
                    region="kunshan", category="cloud-base").id
    engine.withdraw(actors.kunshan, c, reason="企业放弃")
    engine.sweep(cst(2020, 9, 1, 0, 0, 1))
    clock.set(cst(2020, 9, 10, 10))
    panel_review(engine, a)
    clock.set(cst(2020, 10, 10, 10))
    engine.sign(actors.province, a)
    engine.publish(actors.province, a)
    return {"a": a, "b": b, "c": c}


def region(code, name, overdue=0, escalations=0, **states):
    return {"code": code, "name": name, "states": {**ZERO, **states}, "overdue": overdue,
            "open_escalations": escalations}


REGIONS = [("320100", "南京市"), ("320200", "无锡市"), ("320300", "徐州市"),
           ("320400", "常州市"), ("320500", "苏州市"), ("320600", "南通市"),
           ("320700", "连云港市"), ("320800", "淮安市"), ("320900", "盐城市"),
           ("321000", "扬州市"), ("321100", "镇江市"), ("321200", "泰州市"),
           ("321300", "宿迁市"), ("320583", "昆山市"), ("321283", "泰兴市"),
           ("321322", "沭阳县")]
SPECIAL = {"320100": region("320100", "南京市", overdue=1, escalations=1, docked=1),
           "320500": region("320500", "苏州市", published=1),
           "320583": region("320583", "昆山市", withdrawn=1)}
GOLDEN = {
    "as_of": "2020-10-10T10:00:00+08:00", "batch": None, "region": None,
    "totals": {**ZERO, "docked": 1, "published": 1, "withdrawn": 1},
    "categories": [
        {"key": "cloud-base", "name": "省级工业互联网云服务中心(云基地)", "target": 6,
         "published": 0, "in_pipeline": 0, "progress": 0.0, "due": "2022-12-31"},
        {"key": "backbone", "name": "工业互联网服务骨干企业", "target": 60, "published": 0,
         "in_pipeline": 1, "progress": 0.0, "due": "2022-12-31"},
        {"key": "demo", "name": "上云上平台示范企业", "target": 600, "published": 1,
         "in_pipeline": 0, "progress": 1 / 600, "due": "2022-12-31"},
    ],
    "regions": [SPECIAL.get(code) or region(code, name) for code, name in REGIONS],
    "overdue": 1, "open_escalations": 1,
    # the published project was reviewed by a panel of three (tests.helpers.panel_review)
    "review": {"under_review": 0, "panels_at_quorum": 0, "awaited": {}, "passed": 1,
               "failed": 0, "overridden": 0},
    # the one batch: the same, with no public notice started
    "review_batches": [{"batch": "2020-1", "under_review": 0, "panels_at_quorum": 0,
                        "awaited": {}, "passed": 1, "failed": 0, "overridden": 0,
                        "notice": None, "open_objections": 0}],
}


def test_the_report_of_a_known_record(engine, known):
    policy = engine.policy
    assert engine.report().to_dict(policy.zone) == GOLDEN
    # what `overdue` lists, at the same moment
    assert engine.report().overdue == len(engine.overdue()) == 1


def test_cli_report_json_is_the_golden_document(run, db_url, engine, known):
    run.moment = cst(2020, 10, 10, 10)
    result = run("report", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == GOLDEN


def test_filters_narrow_every_figure(engine, known):
    doc = engine.report(region="nanjing").to_dict(engine.policy.zone)
    assert doc["region"] == "320100"
    assert doc["totals"] == {**ZERO, "docked": 1}
    assert doc["regions"] == [SPECIAL["320100"]]
    assert [(c["published"], c["in_pipeline"]) for c in doc["categories"]] == [
        (0, 0), (0, 1), (0, 0)]
    assert (doc["overdue"], doc["open_escalations"]) == (1, 1)
    other = engine.report(batch="2020-1", region="320500").to_dict(engine.policy.zone)
    assert (other["batch"], other["totals"]["published"], other["overdue"]) == ("2020-1", 1, 0)


def test_overdue_is_counted_at_the_exact_closing_instant(engine, clock, actors):
    """The application window closes at the end of 2020-08-30 China time: a docked project is
    not overdue at 23:59:59.999999 and is at 00:00:00."""
    engine.dock(actors.tencent, title="B", enterprise="EB", credit_code=CODE_B,
                region="nanjing", category="backbone")
    close = cst(2020, 8, 31)
    assert engine.report(now=cst(2020, 8, 30, 23, 59, 59)).overdue == 0
    assert engine.report(now=close - timedelta(microseconds=1)).overdue == 0
    assert engine.report(now=close).overdue == 1


def test_progress_may_exceed_its_target(engine):
    done = CategoryProgress("cloud-base", "云基地", 6, 7, 0, engine.policy.targets_by)
    assert done.progress == pytest.approx(7 / 6)


def test_unknown_filters_are_invalid_input(engine):
    for kw in ({"batch": "1999-9"}, {"region": "beijing"}):
        with pytest.raises(InvalidInput):
            engine.report(**kw)


def test_cli_report_text_lists_every_region_and_the_headline(run, engine, known):
    run.moment = cst(2020, 10, 10, 10)
    result = run("--lang", "zh", "report")
    assert result.exit_code == 0, result.stderr
    for _, name in REGIONS:
        assert name in result.stdout
    assert "上云上平台示范企业" in result.stdout and "demo 上云" not in result.stdout  # by name
    assert result.stderr.strip().endswith("共 3 个项目，1 个逾期，1 条未处理督办")
    english = run("report")
    assert "320583 Kunshan" in english.stdout and "demo enterprise on cloud" in english.stdout
    assert english.stderr.strip().endswith("3 projects, 1 overdue, 1 open escalations")
