"""Panels: the province seats experts on recommended projects; each scores once, blind until
the quorum, while the review window is open; recusal; who may read what."""

from __future__ import annotations

from datetime import UTC

import pytest

from accel666 import Actor, InvalidInput, NotFound, NotPermitted, Refused
from accel666.policies import parse
from tests.helpers import CODE_A, CODE_B, cst
from tests.review.panel_support import (
    PROVINCE,
    SUZHOU,
    expert,
    recommended,
    registry,
    scored,
)

FIVE = ["wang", "li", "zhao", "qian", "sun"]


def test_a_panel_is_seated_scored_and_its_outcome_follows_the_trimmed_mean(engine):
    registry(engine)
    pid = recommended(engine)
    [panel] = engine.assign_panel(PROVINCE, [pid], FIVE)
    assert [s.key for s in panel.experts] == FIVE
    assert (panel.quorum, panel.pass_mark, panel.aggregate, panel.outcome, panel.score) == (
        3, 70, "trimmed_mean", "pending", None)
    scored(engine, pid, {"wang": 95, "li": 40})
    assert engine.panel(pid).outcome == "pending"
    done = scored(engine, pid, {"zhao": 80})
    assert (done.outcome, done.score) == ("pass", 71.67)  # the mean of three: none dropped
    done = scored(engine, pid, {"qian": 60, "sun": 75})
    # five scores: 95 and 40 dropped, the mean of 60, 75, 80
    assert (done.outcome, done.score) == ("pass", 71.67)
    assert engine.verify().ok


def test_a_mean_below_the_pass_mark_fails(engine):
    registry(engine)
    pid = recommended(engine)
    engine.assign_panel(PROVINCE, [pid], ["wang", "li", "zhao"])
    done = scored(engine, pid, {"wang": 70, "li": 69, "zhao": 70})
    assert (done.outcome, done.score) == ("fail", 69.67)


def test_scoring_is_blind_until_the_quorum_has_scored(engine):
    registry(engine)
    pid = recommended(engine)
    engine.assign_panel(PROVINCE, [pid], FIVE)
    engine.score(expert("wang"), pid, score=90, comment="思路清晰")
    seen = engine.score(expert("li"), pid, score=80)
    assert {s.key: s.score for s in seen.experts}["wang"] is None  # li does not see wang's
    assert {s.key: s.score for s in seen.experts}["li"] == 80
    as_wang = engine.panel(pid, actor=expert("wang")).to_dict()
    assert [(e["key"], e["scored"], e["score"]) for e in as_wang["experts"][:3]] == [
        ("wang", True, 90), ("li", True, None), ("zhao", False, None)]
    as_province = engine.panel(pid, actor=PROVINCE).to_dict()
    assert [e["score"] for e in as_province["experts"][:2]] == [90, 80]
    assert as_province["experts"][0]["comment"] == "思路清晰"
    assert as_wang["experts"][0]["comment"] == "思路清晰"
    assert engine.panel(pid, actor=expert("li")).experts[0].comment is None
    engine.score(expert("zhao"), pid, score=70)
    assert [s.score for s in engine.panel(pid, actor=expert("wang")).experts[:3]] == [90, 80, 70]


def test_the_json_document_holds_the_documented_keys(engine):
    registry(engine)
    pid = recommended(engine)
    engine.assign_panel(PROVINCE, [pid], ["wang"])
    doc = engine.panel(pid).to_dict()
    assert {"project", "experts", "quorum", "pass_mark", "aggregate", "score",
            "outcome"} <= set(doc)
    assert {"key", "name", "scored", "score"} <= set(doc["experts"][0])
    assert doc["experts"][0]["name"] == "专家wang"


def test_an_expert_who_must_avoid_the_enterprise_or_region_is_refused(engine):
    registry(engine, wang=[CODE_A], li=["suzhou"])
    pid = recommended(engine)
    with pytest.raises(Refused) as refused:
        engine.assign_panel(PROVINCE, [pid], ["zhao", "wang"])
    assert refused.value.guard == "avoid"
    assert f"enterprise {CODE_A}" in refused.value.message
    assert refused.value.exit_code == 4
    with pytest.raises(Refused) as refused:
        engine.assign_panel(PROVINCE, [pid], ["li"])
    assert "region 320500 (苏州市)" in refused.value.message
    assert engine.panel(pid).experts == ()  # all or none: zhao was not seated either
    other = recommended(engine, CODE_B, "nanjing")
    assert [s.key for s in engine.assign_panel(PROVINCE, [other], ["wang", "li"])[0].experts] \
        == ["wang", "li"]


def test_a_panel_beyond_its_size_or_a_seat_twice_is_refused(engine):
    registry(engine)
    pid = recommended(engine)
    with pytest.raises(Refused) as refused:
        engine.assign_panel(PROVINCE, [pid], [*FIVE, "zhou"])
    assert refused.value.guard == "panel_size"
    engine.assign_panel(PROVINCE, [pid], ["wang", "li"])
    with pytest.raises(Refused) as twice:
        engine.assign_panel(PROVINCE, [pid], ["li"])
    assert twice.value.guard == "duplicate"
    with pytest.raises(Refused) as beyond:
        engine.assign_panel(PROVINCE, [pid], ["zhao", "qian", "sun", "zhou"])
    assert beyond.value.guard == "panel_size"
    assert len(engine.panel(pid).experts) == 2


def test_assigning_checks_its_input_project_expert_state_and_actor(engine):
    registry(engine)
    pid = recommended(engine)
    with pytest.raises(NotFound) as unknown:
        engine.assign_panel(PROVINCE, [pid], ["wang", "nobody"])
    assert (unknown.value.kind, unknown.value.exit_code) == ("expert", 3)
    with pytest.raises(NotFound):
        engine.assign_panel(PROVINCE, [pid, 99], ["wang"])
    for bad in ([], ["wang", "wang"], "wang", ["Wang"]):
        with pytest.raises(InvalidInput):
            engine.assign_panel(PROVINCE, [pid], bad)
    with pytest.raises(NotPermitted):
        engine.assign_panel(Actor("sz", "city", "suzhou"), [pid], ["wang"])
    docked = engine.dock(Actor("sz", "city", "suzhou"), title="t", enterprise="e",
                         credit_code=CODE_B, region="suzhou", category="demo").id
    with pytest.raises(Refused) as state:
        engine.assign_panel(PROVINCE, [docked], ["wang"])
    assert state.value.guard == "state"
    assert engine.panel(pid).experts == ()
    assert engine.verify().ok


@pytest.mark.parametrize("value", [101, -1, 88.5, "88", True, None])
def test_a_score_must_be_a_whole_number_from_0_to_100(engine, value):
    registry(engine)
    pid = recommended(engine)
    engine.assign_panel(PROVINCE, [pid], ["wang"])
    with pytest.raises(InvalidInput) as refused:
        engine.score(expert("wang"), pid, score=value)
    assert (refused.value.field, refused.value.exit_code) == ("score", 2)
    assert engine.panel(pid).experts[0].scored is False


def test_only_an_expert_on_the_panel_scores_and_only_once(engine):
    registry(engine)
    pid = recommended(engine)
    engine.assign_panel(PROVINCE, [pid], ["wang"])
    for outsider in (expert("li"), PROVINCE, Actor("sz", "city", "suzhou")):
        with pytest.raises(NotPermitted) as refused:
            engine.score(outsider, pid, score=80)
        assert refused.value.exit_code == 5
    with pytest.raises(NotFound) as unknown:
        engine.score(expert("nobody"), pid, score=80)
    assert unknown.value.kind == "expert"
    with pytest.raises(NotFound):
        engine.score(expert("wang"), 99, score=80)
    engine.score(expert("wang"), pid, score=80)
    with pytest.raises(Refused) as twice:
        engine.score(expert("wang"), pid, score=90)
    assert (twice.value.guard, twice.value.exit_code) == ("once", 4)
    assert engine.panel(pid).experts[0].score == 80


def test_a_score_is_taken_until_the_last_moment_of_the_review_window(engine, clock):
    registry(engine)
    pid = recommended(engine)
    engine.assign_panel(PROVINCE, [pid], ["wang", "li", "zhao"])
    clock.set(cst(2020, 9, 30, 23, 59, 59, 999999).astimezone(UTC))
    engine.score(expert("wang"), pid, score=80)
    clock.set(cst(2020, 10, 1, 0, 0, 0).astimezone(UTC))
    with pytest.raises(Refused) as late:
        engine.score(expert("li"), pid, score=80)
    assert late.value.guard == "window"
    assert "closed at 2020-09-30 23:59:59 +08:00" in late.value.message
    engine.extend(PROVINCE, "2020-1", phase="review", until="2020-10-09", reason="专家评审延期")
    engine.score(expert("li"), pid, score=80)  # extensions count
    clock.set(cst(2020, 10, 10, 0, 0, 0).astimezone(UTC))
    with pytest.raises(Refused):
        engine.score(expert("zhao"), pid, score=80)
    assert engine.panel(pid).scored == 2


def test_an_expert_recuses_before_scoring_and_the_province_seats_another(engine):
    registry(engine)
    pid = recommended(engine)
    engine.assign_panel(PROVINCE, [pid], FIVE)
    with pytest.raises(InvalidInput):
        engine.recuse(expert("sun"), pid, reason=" ")
    gone = engine.recuse(expert("sun"), pid, reason="曾为该企业提供咨询")
    assert [s.key for s in gone.experts] == FIVE[:4]
    assert [(s.key, s.recuse_reason) for s in gone.recused] == [("sun", "曾为该企业提供咨询")]
    with pytest.raises(NotPermitted):
        engine.score(expert("sun"), pid, score=80)
    with pytest.raises(NotPermitted):
        engine.recuse(expert("sun"), pid, reason="again")
    with pytest.raises(Refused) as back:
        engine.assign_panel(PROVINCE, [pid], ["sun"])
    assert "recused" in back.value.message
    engine.assign_panel(PROVINCE, [pid], ["zhou"])
    engine.score(expert("wang"), pid, score=80)
    with pytest.raises(Refused) as stands:
        engine.recuse(expert("wang"), pid, reason="late")
    assert stands.value.guard == "once"
    assert [s.key for s in engine.panel(pid).experts] == [*FIVE[:4], "zhou"]
    assert engine.verify().ok


def test_an_expert_reads_the_projects_on_its_panels_and_their_documents(engine):
    registry(engine)
    mine = recommended(engine)
    other = recommended(engine, CODE_B, "nanjing")
    engine.assign_panel(PROVINCE, [mine], ["wang", "li"])
    assert [p.id for p in engine.projects(actor=expert("wang"))] == [mine]
    assert engine.get(mine, actor=expert("wang")).id == mine
    assert engine.document(mine, actor=expert("wang")).content == b"%PDF app"
    assert [t.event for t in engine.history(mine, actor=expert("wang"))][-1] == "recommend"
    for read in (lambda: engine.get(other, actor=expert("wang")),
                 lambda: engine.document(other, actor=expert("wang")),
                 lambda: engine.panel(other, actor=expert("wang"))):
        with pytest.raises(NotPermitted) as beyond:
            read()
        assert "reads only the projects on its panels" in beyond.value.message
    engine.recuse(expert("li"), mine, reason="回避")
    assert engine.projects(actor=expert("li")) == []
    with pytest.raises(NotPermitted):
        engine.get(mine, actor=expert("li"))


def test_a_policy_without_panels_refuses_to_seat_one(db_url, clock):
    from accel666 import Engine
    from accel666.policies.loader import _builtin_text

    text = _builtin_text().replace("panel_size = 5\nquorum = 3", "panel_size = 0\nquorum = 0")
    with Engine(db_url, clock=clock, policy=parse(text)) as engine:
        registry(engine)
        pid = recommended(engine)
        with pytest.raises(Refused) as refused:
            engine.assign_panel(PROVINCE, [pid], ["wang"])
        assert refused.value.guard == "panel"


def test_a_bureau_sees_the_panel_s_score_and_outcome_never_an_expert_s(engine):
    registry(engine)
    pid = recommended(engine)
    engine.assign_panel(PROVINCE, [pid], ["wang", "li", "zhao"])
    engine.score(expert("wang"), pid, score=91, comment="很好")
    before = engine.panel(pid, actor=SUZHOU)
    assert [(s.score, s.comment) for s in before.experts] == [(None, None)] * 3
    assert [s.scored for s in before.experts] == [True, False, False]
    engine.score(expert("li"), pid, score=80)
    engine.score(expert("zhao"), pid, score=70)
    after = engine.panel(pid, actor=SUZHOU)
    assert [(s.score, s.comment) for s in after.experts] == [(None, None)] * 3
    assert (after.score, after.outcome) == (engine.panel(pid).score, "pass")
    assert [s.score for s in engine.panel(pid, actor=expert("li")).experts] == [91, 80, 70]
    assert [s.score for s in engine.panel(pid, actor=PROVINCE).experts] == [91, 80, 70]
