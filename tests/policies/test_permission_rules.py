"""The permission rule (`policies.rules.authorise`) on policies written for the case: what the
built-in programme never shows, an event nobody may fire and a grant from several states."""

from __future__ import annotations

from accel666.policies import parse
from accel666.policies.rules import authorise

POLICY = parse("""
extends = "builtin"

[permissions]
dock = [{ role = "tencent" }]
reject = [{ role = "city", from = ["applied", "recommended"] }]
""")


def test_an_event_the_permissions_leave_out_is_permitted_to_nobody():
    denial = authorise(POLICY, "province", None, "review", source="recommended",
                       region="320500", credit_code=None)
    assert denial is not None
    assert (denial.guard, denial.message) == (
        "role", "role province may not review (allowed: nobody)")
    assert denial.facts == {"event": "review", "role": "province", "scope": None,
                            "region": "320500", "source": "recommended"}


def test_a_grant_from_several_states_names_them_all():
    def reject_from(source: str):
        return authorise(POLICY, "city", "320500", "reject", source=source, region="320500",
                         credit_code=None)

    assert reject_from("applied") is None
    assert reject_from("recommended") is None
    denial = reject_from("docked")
    assert denial is not None
    assert (denial.guard, denial.message) == (
        "role", "role city may reject only a project in state applied or recommended, "
                "not one in state docked")


def test_a_scoped_role_granted_an_act_on_the_whole_programme_is_refused_for_its_scope():
    """A policy may grant `extend` (or `publish --batch`) to a city or an enterprise; the act
    reaches every region's projects, so their scope refuses it, saying why."""
    policy = parse("""
extends = "builtin"

[permissions]
extend = [{ role = "city" }, { role = "enterprise" }, { role = "province" }]
""")
    for role, scope in (("city", "320500"), ("enterprise", "91320500MA1MXXXX0X")):
        denial = authorise(policy, role, scope, "extend", source=None, region="",
                           credit_code=None)
        assert denial is not None
        assert (denial.guard, denial.message) == (
            "scope", f"{role}:{scope} may not extend: it applies to the whole programme, "
                     "beyond one actor's scope")
        assert denial.facts == {"event": "extend", "role": role, "scope": scope, "region": None,
                                "source": None}
    assert authorise(policy, "province", None, "extend", source=None, region="",
                     credit_code=None) is None
