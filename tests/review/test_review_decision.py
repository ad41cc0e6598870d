"""The decision follows the panel: the review waits for the quorum, takes the aggregate as its
verdict and score, and a verdict against the panel is an override with its reason, shown in
show, history and report; a panel of 0 keeps the province alone, score agreeing with verdict;
no [review] keeps the review as it was."""

from __future__ import annotations

from datetime import UTC

import pytest

from accel666 import Engine, InvalidInput, NotPermitted, Refused
from tests.helpers import CODE_B, cst, review_policy
from tests.review.panel_support import PROVINCE, SUZHOU, expert, recommended, registry, scored

FIVE = ["wang", "li", "zhao", "qian", "sun"]


def test_the_review_waits_for_the_quorum_then_follows_the_panel(engine):
    registry(engine)
    pid = recommended(engine)
    engine.assign_panel(PROVINCE, [pid], FIVE)
    with pytest.raises(Refused) as early:
        engine.review(PROVINCE, pid)
    assert (early.value.guard, early.value.exit_code) == ("quorum", 4)
    assert "0 of the 3 scores" in early.value.message
    scored(engine, pid, {"wang": 95, "li": 60})
    with pytest.raises(Refused) as still:
        engine.review(PROVINCE, pid)
    assert still.value.facts["awaited"] == ["zhao", "qian", "sun"]
    scored(engine, pid, {"zhao": 80})
    done = engine.review(PROVINCE, pid)
    assert done.state == "reviewed"
    last = engine.history(pid)[-1]
    assert last.payload == {"score": 78.33, "verdict": "pass", "panel": {
        "experts": 5, "scored": 3, "aggregate": "trimmed_mean", "pass_mark": 70,
        "outcome": "pass"}}
    assert engine.verify().ok


def test_a_failing_panel_rejects(engine):
    registry(engine)
    pid = recommended(engine)
    engine.assign_panel(PROVINCE, [pid], FIVE[:3])
    scored(engine, pid, {"wang": 60, "li": 65, "zhao": 70})
    assert engine.review(PROVINCE, pid).state == "rejected"
    assert engine.history(pid)[-1].payload["score"] == 65.0


def test_no_panel_is_no_quorum(engine):
    pid = recommended(engine)
    with pytest.raises(Refused) as refused:
        engine.review(PROVINCE, pid)
    assert refused.value.guard == "quorum"


def test_a_verdict_against_the_panel_needs_an_override_and_its_reason(engine):
    registry(engine)
    pid = recommended(engine)
    engine.assign_panel(PROVINCE, [pid], FIVE[:3])
    scored(engine, pid, {"wang": 90, "li": 85, "zhao": 80})
    with pytest.raises(Refused) as against:
        engine.review(PROVINCE, pid, verdict="fail")
    assert against.value.guard == "panel"
    assert "the panel's outcome is pass (score 85 against the pass mark 70)" in \
        against.value.message
    with pytest.raises(InvalidInput) as no_reason:
        engine.review(PROVINCE, pid, verdict="fail", override=True)
    assert no_reason.value.field == "reason"
    with pytest.raises(InvalidInput) as no_verdict:
        engine.review(PROVINCE, pid, override=True, reason="x")
    assert no_verdict.value.field == "verdict"
    with pytest.raises(InvalidInput) as nothing:
        engine.review(PROVINCE, pid, verdict="pass", override=True, reason="x")
    assert nothing.value.field == "override"
    with pytest.raises(InvalidInput):
        engine.review(PROVINCE, pid, reason="a reason without an override")
    with pytest.raises(Refused) as scored_by_hand:
        engine.review(PROVINCE, pid, score=90, verdict="pass")
    assert scored_by_hand.value.guard == "panel"
    assert engine.get(pid).state == "recommended"
    done = engine.review(PROVINCE, pid, verdict="fail", override=True, reason="企业存在失信记录")
    assert done.state == "rejected"
    payload = engine.history(pid)[-1].payload
    assert (payload["score"], payload["verdict"], payload["override"], payload["reason"],
            payload["panel"]["outcome"]) == (85.0, "fail", True, "企业存在失信记录", "pass")
    figures = engine.report().review
    assert (figures.passed, figures.failed, figures.overridden) == (0, 1, 1)


def test_only_the_province_reviews_and_no_score_lands_after_it(engine):
    registry(engine)
    pid = recommended(engine)
    engine.assign_panel(PROVINCE, [pid], FIVE)
    scored(engine, pid, {"wang": 90, "li": 85, "zhao": 80})
    with pytest.raises(NotPermitted):
        engine.review(SUZHOU, pid)
    with pytest.raises(NotPermitted):
        engine.review(expert("wang"), pid)
    engine.review(PROVINCE, pid)
    with pytest.raises(Refused) as late:
        engine.score(expert("qian"), pid, score=70)
    assert late.value.guard == "state"


def test_the_review_window_still_guards_the_review(engine, clock):
    registry(engine)
    pid = recommended(engine)
    engine.assign_panel(PROVINCE, [pid], FIVE[:3])
    scored(engine, pid, {"wang": 90, "li": 85, "zhao": 80})
    clock.set(cst(2020, 10, 1, 0, 0, 0).astimezone(UTC))
    with pytest.raises(Refused) as late:
        engine.review(PROVINCE, pid)
    assert late.value.guard == "window"


@pytest.mark.parametrize(("score", "verdict", "ok"), [
    (70, "pass", True), (69, "fail", True), (100, "pass", True), (0, "fail", True),
    (5, "pass", False), (69, "pass", False), (70, "fail", False)])
def test_the_province_alone_must_agree_with_the_pass_mark(db_url, clock, score, verdict, ok):
    with Engine(db_url, clock=clock, policy=review_policy("panel_size = 0")) as engine:
        pid = recommended(engine)
        if ok:
            engine.review(PROVINCE, pid, score=score, verdict=verdict)
            assert engine.history(pid)[-1].payload == {"score": score, "verdict": verdict}
            return
        with pytest.raises(Refused) as refused:
            engine.review(PROVINCE, pid, score=score, verdict=verdict)
        assert (refused.value.guard, refused.value.exit_code) == ("agreement", 4)
        assert engine.get(pid).state == "recommended"
        with pytest.raises(InvalidInput):
            engine.review(PROVINCE, pid, verdict=verdict, override=True, reason="x")


def test_without_review_the_score_and_verdict_stay_independent(db_url, clock):
    with Engine(db_url, clock=clock, policy=review_policy(None)) as engine:
        pid = recommended(engine)
        assert engine.review(PROVINCE, pid, score=5, verdict="pass").state == "reviewed"


def test_show_history_and_report_tell_the_panel_and_the_override(run):
    from tests.review.test_cli_panels import experts
    from tests.review.test_cli_panels import recommended as cli_recommended

    experts(run, "wang", "li", "zhao", "qian")
    a, b = cli_recommended(run), cli_recommended(run, CODE_B)
    assert run("panel", "assign", str(a), str(b), "--experts", "wang,li,zhao,qian",
               "--as", "province").exit_code == 0
    for key, value in (("wang", 90), ("li", 80), ("zhao", 40)):
        assert run("score", str(a), "--score", str(value), "--as", f"expert:{key}").exit_code == 0
    early = run("review", str(b), "--as", "province")
    assert early.exit_code == 4
    assert "awaited: wang, li, zhao, qian" in early.stderr
    refused = run("review", str(a), "--verdict", "fail", "--as", "province")
    assert refused.exit_code == 4
    assert "needs --override with --reason" in refused.stderr
    result = run("review", str(a), "--verdict", "fail", "--override", "--reason", "核查发现数据不实",
                 "--as", "province")
    assert result.exit_code == 0, result.stderr
    shown = run("show", str(a)).stdout
    assert ("review      score 70, fail (panel: 3 of 4 scored, trimmed_mean, pass mark 70); "
            "OVERRIDE: the panel's outcome was pass") in shown
    assert "reason      review: 核查发现数据不实" in shown
    doc = run.json("show", str(a))
    assert doc["review"]["override"] is True and doc["review"]["panel"]["outcome"] == "pass"
    assert "override=True" in run("history", str(a)).stdout
    report = run.json("report")["review"]
    assert report == {"under_review": 1, "panels_at_quorum": 0,
                      "awaited": {"li": 1, "qian": 1, "wang": 1, "zhao": 1},
                      "passed": 0, "failed": 1, "overridden": 1}
    text = run("report")
    assert "The expert review: 1 under review, 0 panels at quorum; 0 passed, 1 failed, " \
           "1 overridden" in text.stdout
    assert "scores awaited: li 1, qian 1, wang 1, zhao 1" in text.stdout
    html = run("report", "--html", str(run.tmp_path / "r.html"))
    assert html.exit_code == 0, html.stderr
    page = (run.tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="review"' in page and "overridden" in page
    assert run("review", str(a), "--score", "5", "--verdict", "pass", "--as",
               "province").exit_code == 4
