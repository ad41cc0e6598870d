"""Every (role, event) pair, from the event's source state: allowed, or NotPermitted and nothing written.

Expectations come from the table below, written out from the programme's permission rules, not
read from the loaded policy: a change to `policies/programme.toml` that widens or narrows a
permission makes these tests fail.
"""

from __future__ import annotations

import pytest

from accel666 import Actor, NotPermitted
from tests.helpers import CODE_A, CODE_B, scored_panel
from tests.workflow.wf_support import LATE, PROVINCE, TENCENT, city, dock, drive, enterprise, fire, snapshot

# The project every case acts on: CODE_A's project in Suzhou (320500).
ACTORS = {
    "enterprise-own": enterprise(CODE_A),
    "enterprise-other": enterprise(CODE_B),
    "tencent": TENCENT,
    "city-own": city("suzhou"),
    "city-other": city("nanjing"),
    "province": PROVINCE,
}
SCOPE_SHOWN = {"enterprise-own": CODE_A, "enterprise-other": CODE_B, "city-own": "320500",
               "city-other": "320100"}

# Who may fire each event (the [permissions] table, written out by hand).
ALLOWED_ROLES = {
    "dock": "tencent, city",
    "apply": "enterprise, city",
    "recommend": "city",
    "review": "province",
    "sign": "province, tencent",
    "publish": "province",
    "reject": "city, province",
    "withdraw": "enterprise, city",
    "extend": "province",
}

OK, ROLE, SCOPE, STATE = "ok", "role", "scope", "state"
COLUMNS = ("enterprise-own", "enterprise-other", "tencent", "city-own", "city-other", "province")
# (event, source state) -> outcome for each actor of COLUMNS. STATE: the role has a grant for the
# event, but only from other states (a `from` list), so it is NotPermitted with guard role.
EXPECTED = {
    ("dock", None):             (ROLE, ROLE, OK, OK, SCOPE, ROLE),
    ("apply", "docked"):        (OK, SCOPE, ROLE, OK, SCOPE, ROLE),
    ("recommend", "applied"):   (ROLE, ROLE, ROLE, OK, SCOPE, ROLE),
    ("review", "recommended"):  (ROLE, ROLE, ROLE, ROLE, ROLE, OK),
    ("sign", "reviewed"):       (ROLE, ROLE, OK, ROLE, ROLE, OK),
    ("publish", "signed"):      (ROLE, ROLE, ROLE, ROLE, ROLE, OK),
    ("reject", "applied"):      (ROLE, ROLE, ROLE, OK, SCOPE, STATE),
    ("reject", "recommended"):  (ROLE, ROLE, ROLE, STATE, STATE, OK),
    ("withdraw", "docked"):     (OK, SCOPE, ROLE, OK, SCOPE, ROLE),
    ("withdraw", "reviewed"):   (OK, SCOPE, ROLE, OK, SCOPE, ROLE),
    ("extend", None):           (ROLE, ROLE, ROLE, ROLE, ROLE, OK),
}
REJECT_FROM = {"city": "applied", "province": "recommended or reviewed"}
DEST = {"dock": "docked", "apply": "applied", "recommend": "recommended", "review": "reviewed",
        "sign": "signed", "publish": "published", "reject": "rejected", "withdraw": "withdrawn"}

CASES = [
    pytest.param(event, source, who, outcome, id=f"{event}@{source or 'new'}-{who}")
    for (event, source), row in EXPECTED.items()
    for who, outcome in zip(COLUMNS, row, strict=True)
]


def _expected_message(event: str, source: str | None, who: str, outcome: str) -> str:
    role = ACTORS[who].role
    if outcome == ROLE:
        return f"{event} not permitted: role {role} may not {event} (allowed: {ALLOWED_ROLES[event]})"
    if outcome == STATE:
        return (f"{event} not permitted: role {role} may {event} only a project in state "
                f"{REJECT_FROM[role]}, not one in state {source}")
    if who.startswith("city"):
        return f"{event} not permitted: city:{SCOPE_SHOWN[who]} may not act on a project of " \
               "region 320500 (苏州市)"
    return f"{event} not permitted: enterprise {SCOPE_SHOWN[who]} may act only on its own projects"


def _attempt(engine, event: str, project, actor: Actor):
    if event == "dock":
        return dock(engine, actor, code=CODE_A, region="suzhou")
    if event == "extend":
        return engine.extend(actor, "2020-1", phase="application", until="2020-09-15",
                             reason="延期")
    return fire(engine, event, project, actor)


@pytest.mark.parametrize(("event", "source", "who", "outcome"), CASES)
def test_permission(engine, clock, event, source, who, outcome):
    """The actor may fire the event, or gets NotPermitted (guard role/scope) and nothing changes."""
    project = None if source is None else drive(engine, clock.set, source)
    if event in ("sign", "publish"):
        clock.set(LATE)
    if event == "review":  # the built-in review follows its panel, scored beforehand
        scored_panel(engine, project.id)
    actor = ACTORS[who]
    before = snapshot(engine)
    if outcome == OK:
        result = _attempt(engine, event, project, actor)
        after = snapshot(engine)
        if event == "extend":  # the application, and recommendation carried along
            assert len(after["accel666_extension"]) == 2
            return
        assert result.state == DEST[event]
        assert result.version == (1 if project is None else project.version + 1)
        assert len(after["accel666_transition"]) == len(before["accel666_transition"]) + 1
        return
    with pytest.raises(NotPermitted) as err:
        _attempt(engine, event, project, actor)
    assert err.value.message == _expected_message(event, source, who, outcome)
    assert err.value.guard == (SCOPE if outcome == SCOPE else ROLE)
    assert (err.value.event, err.value.role) == (event, actor.role)
    assert err.value.project_id == (None if project is None else project.id)
    # The facts a refusal carries (JSON, problem documents, the Chinese sentence).
    assert err.value.facts == {"event": event, "role": actor.role,
                               "scope": SCOPE_SHOWN.get(who),
                               "region": None if event == "extend" else "320500",
                               "source": source}
    assert snapshot(engine) == before


KUNSHAN_EVENTS = [("dock", None), ("apply", "docked"), ("recommend", "applied"),
                  ("reject", "applied"), ("withdraw", "docked")]


@pytest.mark.parametrize(("event", "source"), KUNSHAN_EVENTS, ids=[e for e, _ in KUNSHAN_EVENTS])
@pytest.mark.parametrize(("project_region", "bureau", "bureau_code", "region_shown"), [
    ("kunshan", "suzhou", "320500", "320583 (昆山市)"),
    ("suzhou", "kunshan", "320583", "320500 (苏州市)"),
], ids=["kunshan-project-by-suzhou", "suzhou-project-by-kunshan"])
def test_kunshan_and_suzhou_cannot_act_on_each_others_projects(
    engine, clock, event, source, project_region, bureau, bureau_code, region_shown
):
    """Kunshan is a pilot inside Suzhou, but each bureau acts only on its own projects."""
    project = None if source is None else drive(engine, clock.set, source, region=project_region)
    before = snapshot(engine)
    with pytest.raises(NotPermitted) as err:
        if project is None:
            dock(engine, city(bureau), region=project_region)
        else:
            fire(engine, event, project, city(bureau))
    assert err.value.message == (
        f"{event} not permitted: city:{bureau_code} may not act on a project of region {region_shown}")
    assert (err.value.guard, err.value.scope) == ("scope", bureau_code)
    assert snapshot(engine) == before


def test_kunshan_bureau_recommends_its_own_project(engine, clock):
    """The Kunshan bureau, named by code, pinyin or Chinese name, acts on a Kunshan project."""
    project = drive(engine, clock.set, "docked", region="昆山市")
    assert project.region == "320583"
    project = fire(engine, "apply", project, Actor("ks", "city", "320583"))
    assert fire(engine, "recommend", project, Actor("ks", "city", "昆山")).state == "recommended"


def test_an_event_the_policy_grants_to_nobody(db_url, clock):
    from accel666 import Engine
    from tests.escalation.esc_support import policy_with

    nobody_extends = policy_with(('extend = [{ role = "province" }]\n', ""))
    with (Engine(db_url, clock=clock, policy=nobody_extends) as engine,
          pytest.raises(NotPermitted) as err):
        engine.extend(PROVINCE, "2020-1", phase="application", until="2020-09-15", reason="延期")
    assert err.value.message == (
        "extend not permitted: role province may not extend (allowed: nobody)")
    assert (err.value.guard, err.value.role) == ("role", "province")
