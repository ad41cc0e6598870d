"""The upgrade to schema 0012: a project reviewed before keeps its single score and shows as
reviewed without a panel, `verify` holds before and after `db upgrade`, and the database's
stored policy keeps its review until the province applies one with panels."""

from __future__ import annotations

from datetime import UTC

import pytest

from accel666 import Engine, InvalidInput, Refused, load_policy, models
from accel666.models import schema
from tests.audit.audit_support import at_revision
from tests.helpers import CODE_B, cst, review_policy
from tests.review.panel_support import PROVINCE, expert, recommended


def reviewed_at_0011(db_url, clock, score: int) -> int:
    """A database at schema 0011 whose first use recorded the built-in policy as it was then
    (no [review]), with a project reviewed by the province alone; its id."""
    from accel666.workflow import stored_policy

    at_revision(db_url, "0011")
    before = review_policy(None)
    eng = models.create(db_url)
    try:
        stored_policy.bind(eng, before)  # what an Engine of 0011 did on opening
        with Engine(eng, clock=clock, policy=before, create_schema=False) as old:
            pid = recommended(old)
            old.review(PROVINCE, pid, score=score, verdict="pass")  # independent, as it was
    finally:
        eng.dispose()
    return pid


def test_a_review_from_before_panels_survives_the_upgrade(db_url, clock, run):
    pid = reviewed_at_0011(db_url, clock, 65)
    with pytest.raises(InvalidInput) as outdated:
        Engine(db_url, clock=clock)
    assert "revision 0011" in outdated.value.reason
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"schema upgraded from revision 0011 to {schema.HEAD}\n"
    with Engine(db_url, clock=clock) as engine:  # under the policy the database stored
        assert engine.policy.review is None
        report = engine.verify()
        assert report.ok, report.problems
        assert engine.get(pid).state == "reviewed"
        assert engine.history(pid)[-1].payload == {"score": 65, "verdict": "pass"}
        panel = engine.panel(pid).to_dict()
        assert (panel["experts"], panel["outcome"], panel["pass_mark"]) == ([], "pending", None)
        other = recommended(engine, CODE_B, "nanjing")
        with pytest.raises(Refused) as no_panels:
            engine.assign_panel(PROVINCE, [other], ["wang"])
        assert no_panels.value.guard == "panel"
        engine.review(PROVINCE, other, score=5, verdict="pass")  # still independent
    shown = run.json("show", str(pid))
    assert shown["review"] == {"score": 65, "verdict": "pass", "panel": None,
                               "override": False}
    assert "review      score 65, pass\n" in run("show", str(pid)).stdout
    assert run("verify").exit_code == 0


def test_the_province_brings_the_panels_in_by_applying_a_policy(db_url, clock):
    reviewed = reviewed_at_0011(db_url, clock, 88)
    eng = models.create(db_url)
    try:
        assert schema.upgrade(eng) == ("0011", schema.HEAD)
    finally:
        eng.dispose()
    with Engine(db_url, clock=clock) as engine:
        engine.apply_policy(PROVINCE, load_policy(), "专家评审制度")
        assert engine.policy.review is not None and engine.policy.review.panel_size == 5
        for key in ("wang", "li", "zhao"):
            engine.add_expert(PROVINCE, key, name=key)
        pid = recommended(engine, CODE_B, "nanjing")
        engine.assign_panel(PROVINCE, [pid], ["wang", "li", "zhao"])
        for key in ("wang", "li", "zhao"):
            engine.score(expert(key), pid, score=80)
        clock.set(cst(2020, 9, 30, 23, 59, 59, 999999).astimezone(UTC))
        assert engine.review(PROVINCE, pid).state == "reviewed"
        assert engine.history(reviewed)[-1].payload == {"score": 88, "verdict": "pass"}
        report = engine.verify()
        assert report.ok, report.problems
