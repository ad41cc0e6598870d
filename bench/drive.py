"""The engine side of a transition benchmark: the plan run through the public library API."""

from __future__ import annotations

from collections.abc import Sequence

from accel666 import Actor, Engine
from bench import plan

CITY = Actor("bench-city", "city", plan.REGION)
PROVINCE = Actor("bench-province", "province")


def run_engine(engine: Engine, clock: plan.Clock, codes: Sequence[str]) -> int:
    """Take one new project per credit code through the lifecycle, one event at a time.

    Events go phase by phase (every dock, then every apply, ...) with the clock inside each
    phase's window. Returns the number of transitions made.
    """
    dock, apply, recommend, review, sign, publish = plan.STEPS
    clock.moment = dock.at
    ids = [
        engine.dock(CITY, title=plan.title(code), enterprise=plan.enterprise(code),
                    credit_code=code, region=plan.REGION, category=plan.CATEGORY).id
        for code in codes
    ]
    clock.moment = apply.at
    for pid, code in zip(ids, codes, strict=True):
        engine.apply(Actor("bench-enterprise", "enterprise", code), pid, paper_copies=2,
                     document=plan.DOCUMENT, document_name=plan.DOCUMENT_NAME)
    clock.moment = recommend.at
    for pid in ids:
        engine.recommend(CITY, pid, opinion=plan.OPINION)
    clock.moment = review.at
    for pid in ids:
        engine.review(PROVINCE, pid, score=plan.SCORE, verdict="pass")
    clock.moment = sign.at
    for pid in ids:
        engine.sign(PROVINCE, pid)
    clock.moment = publish.at
    for pid in ids:
        engine.publish(PROVINCE, pid)
    return plan.PER_PROJECT * len(ids)
