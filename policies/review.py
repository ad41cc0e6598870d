"""The expert review as pure functions: a panel's aggregate score and its outcome, the
conflicts an expert must stay away from, and the province's own score against its verdict.

Nothing here reads a clock or a database: callers pass the scores and facts they read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from accel666.policies.model import Review
from accel666.policies.rules import Denial

PENDING = "pending"
PASS = "pass"
FAIL = "fail"
OUTCOMES = (PENDING, PASS, FAIL)
TRIM_FROM = 5  # a trimmed mean drops one highest and one lowest score from this many on
PLACES = 2  # the aggregate as recorded and shown: hundredths

# Guard names, as they appear in refusals and logs.
AVOID = "avoid"
PANEL_SIZE = "panel_size"
NO_PANEL = "panel"
QUORUM = "quorum"
AGREEMENT = "agreement"


def aggregate(method: str, scores: Sequence[int]) -> Fraction | None:
    """The panel's score, exactly: the mean of `scores`, or (trimmed_mean) their mean once one
    highest and one lowest are dropped when there are at least five; None for no scores."""
    if not scores:
        return None
    kept = sorted(scores)
    if method == "trimmed_mean" and len(kept) >= TRIM_FROM:
        kept = kept[1:-1]
    return Fraction(sum(kept), len(kept))


def shown(value: Fraction | None) -> float | None:
    """An aggregate as recorded and shown: rounded half up to hundredths."""
    if value is None:
        return None
    scaled: Fraction = value * 10 ** PLACES
    whole = int(scaled + Fraction(1, 2)) if scaled >= 0 else -int(-scaled + Fraction(1, 2))
    return whole / float(10 ** PLACES)


def outcome(review: Review, scores: Sequence[int]) -> tuple[str, Fraction | None]:
    """(pending | pass | fail, the aggregate): pending, with no aggregate, until the quorum
    has scored; then the aggregate against the pass mark."""
    if len(scores) < max(review.quorum, 1):
        return PENDING, None
    value = aggregate(review.aggregate, scores)
    assert value is not None
    return (PASS if value >= review.pass_mark else FAIL), value


def conflicts(avoid: Iterable[str], *, credit_code: str, region: str) -> list[str]:
    """What of the project an expert must avoid: its enterprise's credit code, its region."""
    kept = set(avoid)
    return [v for v in (credit_code, region) if v in kept]


def check_agreement(review: Review | None, score: int, verdict: str) -> Denial | None:
    """The province reviewing alone (a panel of 0): a score at or above the pass mark passes,
    one below it fails. Without [review] the two were independent, as they still are."""
    if review is None or review.panel_size > 0:
        return None
    agrees = (score >= review.pass_mark) == (verdict == PASS)
    if agrees:
        return None
    side = "at or above" if score >= review.pass_mark else "below"
    return Denial(AGREEMENT, f"a score of {score} is {side} the pass mark "
                  f"({review.pass_mark}): the verdict must be "
                  f"{PASS if score >= review.pass_mark else FAIL}, not {verdict}",
                  {"score": score, "verdict": verdict, "pass_mark": review.pass_mark})
