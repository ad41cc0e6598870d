"""A project still under review when its window closes is escalated to the province, and the
escalation names the experts on its panel who have not scored."""

from __future__ import annotations

from accel666 import Engine
from tests.escalation.test_esc_notifiers import Pager
from tests.helpers import CODE_B, cst
from tests.review.panel_support import PROVINCE, expert, recommended, registry, scored


def test_the_review_escalation_names_the_experts_who_have_not_scored(db_url, clock):
    pager = Pager()
    with Engine(db_url, clock=clock, notifiers=[pager]) as engine:
        registry(engine)
        a = recommended(engine)
        b = recommended(engine, CODE_B, "nanjing")
        engine.assign_panel(PROVINCE, [a], ["wang", "li", "zhao", "qian"])
        scored(engine, a, {"wang": 80, "zhao": 75})
        engine.recuse(expert("qian"), a, reason="回避")
        engine.escalate(cst(2020, 10, 1, 0, 0, 1))
        review = {p["project_id"]: p for p, *_ in pager.received if p["phase"] == "review"}
        assert review[a]["awaited_experts"] == ["li"]
        assert review[b]["awaited_experts"] == []  # no panel seated yet
        assert all("awaited_experts" not in p for p, *_ in pager.received
                   if p["phase"] != "review")
