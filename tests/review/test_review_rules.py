"""The review's pure rules: the aggregate, the outcome, conflicts, the province's own score
against its verdict, and the [review] table as `policy check` reads it."""

from __future__ import annotations

from fractions import Fraction

import pytest

from accel666.policies import PolicyError, Review, as_document, parse
from accel666.policies import review as rules
from accel666.policies.loader import _builtin_text, load


def test_the_mean_and_the_trimmed_mean():
    assert rules.aggregate("mean", [95, 40, 80, 60, 75]) == Fraction(350, 5)
    assert rules.aggregate("trimmed_mean", [95, 40, 80, 60, 75]) == Fraction(215, 3)
    assert rules.aggregate("trimmed_mean", [95, 40, 80, 60]) == Fraction(275, 4)  # < 5: none
    assert rules.aggregate("mean", []) is None
    assert rules.shown(Fraction(215, 3)) == 71.67
    assert rules.shown(Fraction(139, 2)) == 69.5


def test_the_outcome_waits_for_the_quorum_then_meets_the_pass_mark_exactly():
    review = Review(panel_size=5, quorum=3, pass_mark=70, aggregate="mean")
    assert rules.outcome(review, [90, 90]) == ("pending", None)
    assert rules.outcome(review, [70, 70, 70]) == ("pass", Fraction(70))
    assert rules.outcome(review, [70, 70, 69])[0] == "fail"  # 69.67 < 70, however rounded


def test_conflicts_name_the_enterprise_and_the_region():
    assert rules.conflicts(["320500", "X"], credit_code="X", region="320500") == ["X", "320500"]
    assert rules.conflicts([], credit_code="X", region="320500") == []


def test_the_province_alone_must_agree_with_the_pass_mark():
    alone = Review(panel_size=0, quorum=0)
    assert rules.check_agreement(alone, 70, "pass") is None
    assert rules.check_agreement(alone, 69, "fail") is None
    denial = rules.check_agreement(alone, 5, "pass")
    assert denial is not None and denial.guard == "agreement"
    assert "must be fail" in denial.message
    assert rules.check_agreement(None, 5, "pass") is None  # no [review]: as before panels
    assert rules.check_agreement(Review(), 5, "pass") is None  # a panel decides instead


def test_the_builtin_review_and_a_policy_without_one():
    assert load(None).review == Review(5, 3, 70, "trimmed_mean")
    text = _builtin_text()
    before = text[:text.index("[review]")]
    assert parse(before).review is None
    assert "review" not in as_document(parse(before))  # its canonical text is unchanged
    assert parse(text).review == parse(before + "[review]\n").review  # the defaults


def test_a_quorum_defaults_to_no_more_than_the_panel():
    text = _builtin_text()
    before = text[:text.index("[review]")]
    assert parse(before + "[review]\npanel_size = 2\n").review == Review(2, 2, 70,
                                                                        "trimmed_mean")
    assert parse(before + "[review]\npanel_size = 0\n").review == Review(0, 0, 70,
                                                                        "trimmed_mean")


@pytest.mark.parametrize(("table", "problem"), [
    ("panel_size = 3\nquorum = 4", "review.quorum: must be at most panel_size (3)"),
    ("panel_size = -1", "review.panel_size: must be 0 or more"),
    ("panel_size = 26", "review.panel_size: must be at most 25"),
    ("quorum = 0", "review.quorum: must be at least 1 with a panel"),
    ("pass_mark = 101", "review.pass_mark: must be at most 100"),
    ("pass_mark = -1", "review.pass_mark: must be 0 or more"),
    ('aggregate = "median"', "unknown aggregate 'median'"),
    ('aggregate = "trimmed"', "did you mean 'trimmed_mean'?"),
    ("pass_mark = 70.5", "review.pass_mark: expected int, got float"),
    ("quorom = 3", "review: unknown key 'quorom'"),
])
def test_policy_check_bounds_the_review(table, problem):
    text = _builtin_text()
    before = text[:text.index("[review]")]
    with pytest.raises(PolicyError) as bad:
        parse(before + "[review]\n" + table + "\n", source="p.toml")
    assert problem in str(bad.value)


def test_a_reach_of_panel_needs_a_role_scoped_to_an_expert():
    text = _builtin_text().replace('enterprise = "own"      #', 'enterprise = "panel"    #')
    with pytest.raises(PolicyError) as bad:
        parse(text)
    assert "reach 'panel' needs a role scoped to an expert" in str(bad.value)
