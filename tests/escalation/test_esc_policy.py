"""The escalation ladder as policy data, and its pure functions (no database, no clock)."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest

from accel666 import policies
from accel666.policies import PolicyError
from accel666.policies import escalation as rules
from accel666.policies.model import Ladder
from tests.escalation.esc_support import policy_with
from tests.helpers import cst

POLICY = policies.load()
LADDER = POLICY.escalation


def test_builtin_ladder_is_the_programmes():
    """The built-in ladder: L1 at the close to the responsible party, L2 +3 days, L3 +7 days."""
    assert [(lv.level, lv.delay_days, lv.target, lv.lapses) for lv in LADDER.levels] == [
        (1, 0, "responsible", False), (2, 3, "province", False), (3, 7, "province", True)]
    assert {p: (r.states, r.responsible) for p, r in LADDER.phases.items()} == {
        "application": (("docked",), "city"), "recommendation": (("applied",), "city"),
        "review": (("recommended",), "province"), "signing": (("reviewed",), "province"),
        "publication": (("signed",), "province")}
    assert LADDER.ack_stops_ladder is True
    assert LADDER.supervisor == "province"
    assert LADDER.webhook is None


@pytest.mark.parametrize(("phase", "level", "due", "role", "kind"), [
    ("application", 1, cst(2020, 8, 31), "city", "region"),
    ("application", 2, cst(2020, 9, 3), "province", "none"),
    ("application", 3, cst(2020, 9, 7), "province", "none"),
    ("recommendation", 1, cst(2020, 8, 31), "city", "region"),
    ("review", 1, cst(2020, 10, 1), "province", "none"),
    ("review", 3, cst(2020, 10, 8), "province", "none"),
    ("signing", 2, cst(2020, 11, 4), "province", "none"),
    ("publication", 3, cst(2020, 11, 8), "province", "none"),
])
def test_rung_due_moments_and_targets(phase, level, due, role, kind):
    """Each rung is due at 00:00 China time after the last day, plus its delay, in UTC."""
    (rung,) = [r for r in rules.rungs(POLICY, {}) if (r.phase, r.level) == (phase, level)]
    assert rung.due_at == due.astimezone(UTC)
    assert rung.due_at.tzinfo is UTC
    assert (rung.target_role, rung.target_kind, rung.lapses) == (role, kind, level == 3)


def test_rungs_come_level_by_level():
    """Level 1 of every phase before any level 2, so ids ascend with the level."""
    levels = [r.level for r in rules.rungs(POLICY, {})]
    assert levels == sorted(levels) and len(levels) == 15


@pytest.mark.parametrize(("now", "due"), [
    (cst(2020, 8, 30, 23, 59, 59, 999_999), []),
    (cst(2020, 8, 31), [("application", 1), ("recommendation", 1)]),
    (cst(2020, 9, 3), [("application", 1), ("recommendation", 1), ("application", 2),
                       ("recommendation", 2)]),
])
def test_due_rungs_at_the_boundary(now, due):
    assert [(r.phase, r.level) for r in rules.due_rungs(POLICY, {}, now)] == due


def test_extension_moves_the_close():
    """The latest extension moves the closing moment and every level after it."""
    ext = {("2020-1", "application"): date(2020, 9, 6)}
    rung = next(r for r in rules.rungs(POLICY, ext) if (r.phase, r.level) == ("application", 2))
    assert rung.deadline == cst(2020, 9, 7).astimezone(UTC)
    assert rung.due_at == cst(2020, 9, 10).astimezone(UTC)
    window = POLICY.batches["2020-1"].windows["application"]
    assert rules.closing_moment(window, date(2020, 8, 1)) == cst(2020, 8, 31).astimezone(UTC)
    assert rules.closing_moment(window, None).tzinfo is UTC


def test_future_moments_are_unique_and_after_now():
    moments = rules.future_moments(POLICY, {}, cst(2020, 9, 30, 12).astimezone(UTC))
    assert moments[0] == cst(2020, 10, 1).astimezone(UTC)
    assert len(moments) == len(set(moments)) == 6  # review L1-L3, signing/publication L1-L3


@pytest.mark.parametrize(("attempts", "seconds"), [
    (0, 0), (1, 60), (2, 120), (3, 240), (8, 7680), (9, 15360), (10, 21600), (60, 21600)])
def test_backoff_doubles_up_to_the_cap(attempts, seconds):
    assert rules.backoff(LADDER, attempts) == timedelta(seconds=seconds)


@pytest.mark.parametrize(("role", "scope", "target", "guard"), [
    ("city", "320500", ("city", "320500"), None),
    ("province", None, ("city", "320500"), None),
    ("city", "320100", ("city", "320500"), "scope"),
    ("enterprise", "x", ("city", "320500"), "role"),
    ("city", "320500", ("province", None), "role"),
    ("tencent", None, ("province", None), "role"),
])
def test_who_may_acknowledge(role, scope, target, guard):
    denial = rules.may_acknowledge(LADDER, role, scope, *target)
    assert (denial and denial.guard) == guard
    if denial is not None:
        assert denial.facts == {"role": role, "scope": scope, "target_role": target[0],
                                "target_scope": target[1]}


@pytest.mark.parametrize(("reached", "following"), [(None, 1), (1, 2), (2, 3), (3, None)])
def test_next_level_after_the_one_reached(reached, following):
    level = rules.next_level(LADDER, reached)
    assert (level and level.level) == following


def test_idempotency_key():
    assert rules.idempotency_key(7, "review", 2) == "accel666-escalation:7:review:L2"


def test_a_policy_without_a_ladder_escalates_nothing():
    text = policies.loader._builtin_text().split("\n[escalation]")[0]
    policy = policies.parse(text)
    assert policy.escalation == Ladder()
    assert rules.rungs(policy, {}) == []


@pytest.mark.parametrize(("old", "new", "message"), [
    ("ack_stops_ladder = true", 'ack_stops_ladder = "yes"',
     "escalation.ack_stops_ladder: expected bool, got str"),
    ('supervisor = "province"', 'supervisor = "governor"',
     "escalation.supervisor: unknown role 'governor'"),
    ('webhook = ""', 'webhook = "ftp://x"',
     "escalation.webhook: 'ftp://x' is not a webhook URL: expected an http:// or https:// URL"),
    ("max_attempts = 5", "max_attempts = 0", "escalation.max_attempts: must be at least 1"),
    ("max_attempts = 5", "max_attempt = 5",
     "escalation: unknown key 'max_attempt' (did you mean 'max_attempts'?)"),
    ("backoff_max_seconds = 21_600", "backoff_max_seconds = 1",
     "escalation.backoff_max_seconds: must be at least backoff_seconds"),
    ('application = { overdue = ["docked"]', 'applikation = { overdue = ["docked"]',
     "escalation.phases: unknown phase 'applikation' (did you mean 'application'?)"),
    ('overdue = ["docked"]', 'overdue = ["dokked"]',
     "escalation.phases.application.overdue: unknown state 'dokked' (did you mean 'docked'?)"),
    ('overdue = ["docked"]', "overdue = []",
     "escalation.phases.application.overdue: expected a non-empty list of state names"),
    ('overdue = ["docked"], responsible = "city"', 'overdue = ["docked"], responsible = "mayor"',
     "escalation.phases.application.responsible: unknown role 'mayor'"),
    ("level = 2", "level = 4",
     "escalation.levels[1].level: expected 2: levels are numbered 1, 2, … in order"),
    ("delay_days = 7", "delay_days = 2",
     "escalation.levels[2].delay_days: must not be less than level 2's (3)"),
    ("delay_days = 0", "delay_days = -1", "escalation.levels[0].delay_days: must be 0 or more"),
    ('target = "responsible"', 'target = "boss"',
     "escalation.levels[0].target: unknown target 'boss' "
     "(targets: enterprise, tencent, city, province, expert, responsible)"),
    ("lapses = true", "lapses = 1", "escalation.levels[2].lapses: expected bool, got int"),
])
def test_loader_names_the_key_that_is_wrong(old, new, message):
    with pytest.raises(PolicyError) as err:
        policy_with((old, new))
    assert message in str(err.value)


@pytest.mark.parametrize(("target", "allowed"), [
    (("province", None), "(allowed: province)"),  # the supervisor named once, not twice
    (("city", "320500"), "(allowed: city, province)"),
])
def test_a_refused_acknowledgement_names_each_allowed_role_once(target, allowed):
    denial = rules.may_acknowledge(LADDER, "tencent", None, *target)
    assert denial is not None and denial.message.endswith(allowed)
