"""What the notice tests share: an engine under the built-in policy (the notice before signing),
projects driven to `reviewed`, and the moments of the National Day notice of 2020."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from accel666 import Actor, Engine
from tests.helpers import CODE_A, CODE_B, CODE_C, CST, cst, panel_review

PROVINCE = Actor("prov", "province")
TENCENT = Actor("tx", "tencent")
DOC = b"%PDF-1.4 notice test"
REVIEWED_AT = cst(2020, 9, 20, 10, 0, 0)
STARTED_AT = cst(2020, 9, 30, 9, 0, 0)
CLOSES_AT = datetime(2020, 10, 14, 23, 59, 59, 999999, tzinfo=CST)
AFTER = CLOSES_AT + timedelta(microseconds=1)  # 2020-10-15 00:00:00 China time


def reviewed(engine: Engine, clock: Any, code: str = CODE_A, verdict: str = "pass") -> int:
    """A new project of batch 2020-1 reviewed on 2020-09-20 (its window open); its id."""
    clock.set(cst(2020, 7, 1, 10, 0, 0))
    city = Actor("sz", "city", "suzhou")
    p = engine.dock(city, title="云上工厂", enterprise="苏州某某科技", credit_code=code,
                    region="suzhou", category="demo")
    engine.apply(Actor("ent", "enterprise", code), p.id, paper_copies=2, document=DOC,
                 document_name="application.pdf")
    engine.recommend(city, p.id, opinion="推荐")
    clock.set(REVIEWED_AT)
    panel_review(engine, p.id, verdict, province=PROVINCE)  # the panel decides, as built in
    return p.id


def under_notice(engine: Engine, clock: Any, count: int = 2) -> list[int]:
    """`count` reviewed projects put under notice at STARTED_AT; their ids."""
    ids = [reviewed(engine, clock, code) for code in (CODE_A, CODE_B, CODE_C)[:count]]
    clock.set(STARTED_AT)
    engine.start_notice(PROVINCE, "2020-1")
    return ids
