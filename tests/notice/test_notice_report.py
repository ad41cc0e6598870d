"""The report's review by batch: its figures, its public notice (until when, open or closed) and
the objections not yet resolved, in `report --json`, the text report and the HTML page."""

from __future__ import annotations

import json
import re

from accel666.views import page
from tests.notice.notice_support import AFTER, CLOSES_AT, PROVINCE, under_notice


def batch_review(engine, batch: str = "2020-1") -> dict:
    doc = engine.report().to_dict(engine.policy.zone)
    return next(b for b in doc["review_batches"] if b["batch"] == batch)


def test_each_batch_has_its_review_its_notice_and_its_open_objections(builtin, clock):
    assert batch_review(builtin)["notice"] is None
    first, second = under_notice(builtin, clock)
    objected = builtin.object(PROVINCE, first, name="张三", text="数据不实")
    builtin.object(PROVINCE, second, name="李四", text="重复申报")
    shown = batch_review(builtin)
    assert (shown["passed"], shown["failed"], shown["open_objections"]) == (2, 0, 2)
    assert shown["notice"] == {"started_at": "2020-09-30T09:00:00+08:00",
                               "closes_at": CLOSES_AT.isoformat(), "open": True}
    builtin.resolve_objection(PROVINCE, objected.id, outcome="dismissed", reason="经核实无误")
    assert batch_review(builtin)["open_objections"] == 1
    clock.set(AFTER)
    assert batch_review(builtin)["notice"]["open"] is False
    other = [b for b in builtin.report().review_batches if b.batch != "2020-1"]
    assert all(b.figures.passed == 0 and b.notice_closes_at is None for b in other)
    narrowed = builtin.report(region="nanjing").to_dict(builtin.policy.zone)
    [only] = [b for b in narrowed["review_batches"] if b["batch"] == "2020-1"]
    assert (only["passed"], only["open_objections"]) == (0, 0)  # suzhou's, not nanjing's


def test_the_text_report_and_the_page_show_each_batch_s_notice(builtin, clock, run):
    first, _ = under_notice(builtin, clock)
    builtin.object(PROVINCE, first, name="张三", text="数据不实")
    run.moment = clock()
    text = run("report").output
    assert re.search(r"batch 2020-1: 0 under review.*2 passed.*public notice until "
                     r"2020-10-14 23:59:59 \+08:00 \(accepting objections\), 1 open objections", text), text
    html = page.render(builtin.report(), builtin.policy)
    row = re.search(r'<tr class="review-batch" data-batch="2020-1">(.*?)</tr>', html)
    assert row is not None and "2020-10-14 23:59:59" in row.group(1)
    assert 'data-open-objections="1"' in row.group(1)
    data = json.loads(run("report", "--json").output)
    assert [b["open_objections"] for b in data["review_batches"]
            if b["batch"] == "2020-1"] == [1]
