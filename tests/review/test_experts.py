"""The registry of experts: added by the province, listed, chained; bad input writes nothing."""

from __future__ import annotations

import pytest

from accel666 import Actor, InvalidInput, NotPermitted, Refused
from tests.helpers import CODE_A
from tests.review.panel_support import PROVINCE, expert


def test_an_expert_is_added_with_what_it_must_avoid_and_listed(engine):
    added = engine.add_expert(PROVINCE, "wang", name="王教授", unit="东南大学",
                              avoid=["南京", CODE_A.lower(), "kunshan"])
    assert (added.key, added.name, added.unit, added.added_by) == ("wang", "王教授", "东南大学",
                                                                   "prov")
    assert added.avoid == ("320100", CODE_A, "320583")  # regions by code, codes normalised
    engine.add_expert(PROVINCE, "li", name="李研究员")
    assert [(x.key, x.unit, x.avoid) for x in engine.experts()] == [
        ("wang", "东南大学", ("320100", CODE_A, "320583")), ("li", None, ())]
    assert engine.experts()[0].to_dict()["avoid"] == ["320100", CODE_A, "320583"]
    assert engine.verify().ok


@pytest.mark.parametrize(("key", "fields", "field"), [
    ("Wang", {}, "expert key"),
    ("", {}, "expert key"),
    ("x" * 33, {}, "expert key"),
    ("wang", {"name": " "}, "name"),
    ("wang", {"avoid": ["atlantis"]}, "avoid"),
    ("wang", {"avoid": "suzhou"}, "avoid"),
    ("wang", {"unit": "a\nb"}, "unit"),
])
def test_bad_input_is_refused_and_writes_nothing(engine, key, fields, field):
    with pytest.raises(InvalidInput) as refused:
        engine.add_expert(PROVINCE, key, **{"name": "王教授", **fields})
    assert refused.value.field == field
    assert refused.value.exit_code == 2
    assert engine.experts() == []


def test_only_the_province_keeps_the_registry_and_a_key_is_given_once(engine):
    for actor in (Actor("sz", "city", "suzhou"), Actor("tx", "tencent"), expert("wang")):
        with pytest.raises(NotPermitted) as refused:
            engine.add_expert(actor, "wang", name="王教授")
        assert refused.value.exit_code == 5
    engine.add_expert(PROVINCE, "wang", name="王教授")
    with pytest.raises(Refused) as twice:
        engine.add_expert(PROVINCE, "wang", name="另一位王教授")
    assert twice.value.guard == "duplicate"
    assert [x.name for x in engine.experts()] == ["王教授"]


def test_an_expert_acts_under_its_key_as_its_scope(engine):
    from accel666.workflow.changes.guards import resolve_actor

    assert resolve_actor(engine.policy, expert("wang")).scope == "wang"
    with pytest.raises(InvalidInput) as no_scope:
        resolve_actor(engine.policy, Actor("x", "expert"))
    assert "an expert's key" in no_scope.value.reason
    with pytest.raises(InvalidInput):
        resolve_actor(engine.policy, Actor("x", "expert", "Not A Key"))


def test_an_operator_may_be_an_expert(engine):
    issued = engine.add_operator("wang.expert", "expert:wang", by="prov")
    assert (issued.operator.role, issued.operator.scope) == ("expert", "wang")
    assert engine.authenticate(issued.token).actor() == Actor("wang.expert", "expert", "wang")
