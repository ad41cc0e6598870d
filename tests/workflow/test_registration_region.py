"""A city bureau docks only enterprises registered in its own area: the division code in
characters 3-8 of the credit code, with Kunshan, Taixing and Shuyang carved out of their
cities; one registered outside Jiangsu or at the province's own office, any bureau may dock."""

from __future__ import annotations

import pytest

from accel666 import Actor, Refused
from accel666.policies import load
from accel666.policies.rules import registered_region
from tests.credit_reference import reference_check, reference_org_check


def code(division: str, n: int = 1) -> str:
    """A valid credit code registered under `division`, built by the tests' reference."""
    org = f"{n:08d}"
    first17 = "91" + division + org + reference_org_check(org)
    return first17 + reference_check(first17)


@pytest.mark.parametrize(("division", "region"), [
    ("320500", "320500"),  # Suzhou's own office
    ("320581", "320500"),  # Changshu, a county-level city of Suzhou
    ("320502", "320500"),  # an old district code: not checked against today's list
    ("320583", "320583"),  # Kunshan, carved out of Suzhou
    ("321283", "321283"),  # Taixing, carved out of Taizhou
    ("321281", "321200"),  # Xinghua, still Taizhou's
    ("321322", "321322"),  # Shuyang, carved out of Suqian
    ("321302", "321300"),
    ("320102", "320100"),
    ("320000", None),      # the province's own office
    ("440300", None),      # outside Jiangsu
    ("321400", None),      # a division no region covers
])
def test_the_region_that_answers_for_a_registration(division, region):
    assert registered_region(load(), code(division)) == region


@pytest.mark.parametrize(("scope", "division"), [
    ("suzhou", "320581"), ("kunshan", "320583"), ("taixing", "321283"), ("taizhou", "321281"),
    ("shuyang", "321322"), ("suqian", "321302"),
    ("kunshan", "440300"), ("nanjing", "320000"), ("suzhou", "321400"),
])
def test_a_bureau_docks_an_enterprise_of_its_own_area_or_of_no_bureau(engine, scope, division):
    p = engine.dock(Actor("b", "city", scope), title="云上工厂", enterprise="某某科技",
                    credit_code=code(division), region=scope, category="demo")
    assert p.state == "docked"


@pytest.mark.parametrize(("scope", "division", "home"), [
    ("kunshan", "320581", "320500"),  # Kunshan claiming a Changshu enterprise
    ("suzhou", "320583", "320583"),   # Suzhou claiming a Kunshan enterprise
    ("taizhou", "321283", "321283"),
    ("suqian", "321322", "321322"),
    ("nanjing", "320500", "320500"),
])
def test_a_bureau_may_not_dock_another_bureaus_enterprise(engine, scope, division, home):
    with pytest.raises(Refused) as caught:
        engine.dock(Actor("b", "city", scope), title="云上工厂", enterprise="某某科技",
                    credit_code=code(division), region=scope, category="demo")
    assert caught.value.guard == "registration"
    assert caught.value.facts["registered_region"] == home
    assert caught.value.facts["division"] == division
    assert engine.projects() == []


def test_tencent_docks_for_any_region(engine):
    p = engine.dock(Actor("t", "tencent"), title="云上工厂", enterprise="某某科技",
                    credit_code=code("320583"), region="suzhou", category="demo")
    assert p.state == "docked"


def test_the_cli_exits_4_with_the_facts(run):
    result = run("dock", "--as", "city:kunshan", "--title", "云上工厂", "--enterprise", "某某",
                 "--credit-code", code("320500"), "--region", "kunshan", "--category", "demo",
                 "--json")
    assert result.exit_code == 4
    assert '"guard": "registration"' in result.stderr
    assert '"registered_region": "320500"' in result.stderr
    assert run.json("list") == []


def test_a_refused_registration_says_whose_enterprise_it_is(engine):
    credit_code = code("320581")
    with pytest.raises(Refused) as caught:
        engine.dock(Actor("b", "city", "kunshan"), title="云上工厂", enterprise="某某科技",
                    credit_code=credit_code, region="kunshan", category="demo")
    assert caught.value.message == (
        f"dock refused: the enterprise {credit_code} is registered in 320500 (苏州市): its "
        "bureau, city:suzhou, docks it, not city:320583")
    assert caught.value.facts == {
        "credit_code": credit_code, "division": "320581", "registered_region": "320500",
        "registered_region_name": "苏州市", "role": "city", "scope": "320583"}
