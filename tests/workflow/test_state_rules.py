"""Which states each event can leave: withdraw from any live state, reject only when allowed."""

from __future__ import annotations

import pytest

from accel666 import NotPermitted, Refused
from tests.workflow.wf_support import LATE, PROVINCE, city, drive, fire, snapshot

LIVE = ["docked", "applied", "recommended", "reviewed", "signed"]
WITHDRAW_FROM = "docked or applied or recommended or reviewed or signed"


@pytest.mark.parametrize("state", LIVE)
def test_withdraw_from_live_state(engine, clock, state):
    """The enterprise may withdraw its project from every state before the final ones."""
    project = drive(engine, clock.set, state)
    done = fire(engine, "withdraw", project)
    assert (done.state, done.version) == ("withdrawn", project.version + 1)
    last = engine.history(project.id)[-1]
    assert (last.event, last.from_state, last.to_state, last.payload) == (
        "withdraw", state, "withdrawn", {"reason": "撤回申请"})


@pytest.mark.parametrize("state", ["published", "rejected", "withdrawn"])
def test_withdraw_from_final_state_is_refused(engine, clock, state):
    """A published, rejected or withdrawn project cannot be withdrawn: Refused, guard state."""
    project = drive(engine, clock.set, state)
    before = snapshot(engine)
    with pytest.raises(Refused) as err:
        fire(engine, "withdraw", project)
    assert err.value.message == (
        f"withdraw refused: project {project.id} is {state}; withdraw needs it {WITHDRAW_FROM}")
    assert (err.value.guard, err.value.project_id) == ("state", project.id)
    assert err.value.facts == {"state": state, "allowed_from": WITHDRAW_FROM.split(" or ")}
    assert snapshot(engine) == before


@pytest.mark.parametrize(("state", "actor"), [("applied", city("suzhou")),
                                              ("recommended", PROVINCE)])
def test_reject_from_allowed_state(engine, clock, state, actor):
    """The city rejects an applied project, the province a recommended one."""
    project = drive(engine, clock.set, state)
    assert fire(engine, "reject", project, actor).state == "rejected"
    assert engine.history(project.id)[-1].payload == {"reason": "材料不全"}


@pytest.mark.parametrize("state", ["docked", "recommended", "reviewed", "signed"])
def test_city_may_not_reject_outside_applied(engine, clock, state):
    """The city's reject grant is limited to applied projects."""
    project = drive(engine, clock.set, state)
    before = snapshot(engine)
    with pytest.raises(NotPermitted) as err:
        fire(engine, "reject", project, city("suzhou"))
    assert err.value.message == (f"reject not permitted: role city may reject only a project in "
                                 f"state applied, not one in state {state}")
    assert err.value.guard == "role"
    assert snapshot(engine) == before


@pytest.mark.parametrize("state", ["docked", "applied", "signed"])
def test_province_may_not_reject_outside_recommended(engine, clock, state):
    """The province's reject grant is limited to recommended projects, and to reviewed ones (an
    objection to the public notice upheld)."""
    project = drive(engine, clock.set, state)
    with pytest.raises(NotPermitted) as err:
        fire(engine, "reject", project, PROVINCE)
    assert err.value.message == (f"reject not permitted: role province may reject only a project "
                                 f"in state recommended or reviewed, not one in state {state}")


def test_province_may_reject_a_reviewed_project(engine, clock):
    """A reviewed project may be rejected by the province (after an objection is upheld)."""
    project = drive(engine, clock.set, "reviewed")
    assert fire(engine, "reject", project, PROVINCE).state == "rejected"


@pytest.mark.parametrize(("event", "state", "needs"), [
    ("apply", "applied", "docked"),
    ("recommend", "docked", "applied"),
    ("review", "applied", "recommended"),
    ("sign", "recommended", "reviewed"),
    ("publish", "reviewed", "signed"),
    ("publish", "published", "signed"),
])
def test_event_from_wrong_state_is_refused(engine, clock, event, state, needs):
    """An event fired from a state it does not leave is Refused with guard state."""
    project = drive(engine, clock.set, state)
    clock.set(LATE if event in ("sign", "publish") else clock())
    before = snapshot(engine)
    with pytest.raises(Refused) as err:
        fire(engine, event, project)
    assert err.value.message == (
        f"{event} refused: project {project.id} is {state}; {event} needs it {needs}")
    assert err.value.guard == "state"
    assert snapshot(engine) == before
