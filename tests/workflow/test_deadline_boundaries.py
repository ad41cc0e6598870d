"""Every window-guarded event at the exact edges of its window, with the engine on a FakeClock.

Each case runs under a UTC and a non-UTC process time zone: the engine must read its calendar in
China time whatever the machine's zone is.
"""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from accel666 import Engine, Refused
from tests.helpers import cst, no_notice_policy, scored_panel
from tests.workflow.wf_support import (
    CLOSING,
    PATH,
    dock,
    drive,
    early_signing_policy,
    fire,
    snapshot,
    use_process_tz,
)


@pytest.fixture(params=["UTC", "America/New_York"])
def process_tz(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    yield from use_process_tz(monkeypatch, request.param)


def _prepare(engine: Engine, clock, event: str):
    """The project the event acts on (None for dock), in the event's source state."""
    source = CLOSING[event][1]
    project = None if source is None else drive(engine, clock.set, source)
    if event == "review":  # its panel scored while the window is open: the review follows it
        scored_panel(engine, project.id)
    return project


def _attempt(engine: Engine, event: str, project):
    return dock(engine, region="suzhou") if project is None else fire(engine, event, project)


@pytest.mark.parametrize("event", list(CLOSING))
def test_event_succeeds_at_last_microsecond_of_window(engine, clock, process_tz, event):
    """At 23:59:59.999999 China time on the closing day the event still succeeds."""
    project = _prepare(engine, clock, event)
    clock.set(cst(*CLOSING[event][2], 23, 59, 59, 999_999).astimezone(UTC))
    done = _attempt(engine, event, project)
    assert done.updated_at == cst(*CLOSING[event][2], 23, 59, 59, 999_999)
    assert done.version == len(PATH[done.state])


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1)], ids=["midnight", "plus1s"])
@pytest.mark.parametrize("event", list(CLOSING))
def test_event_refused_from_midnight_after_closing_day(engine, clock, process_tz, event, after):
    """From 00:00:00 China time on the next day the event is refused by the window guard."""
    phase, _, day = CLOSING[event]
    project = _prepare(engine, clock, event)
    clock.set((cst(*day) + timedelta(days=1) + after).astimezone(UTC))
    before = snapshot(engine)
    with pytest.raises(Refused) as err:
        _attempt(engine, event, project)
    shown = f"{day[0]}-{day[1]:02d}-{day[2]:02d}"
    assert err.value.message == (
        f"{event} refused: the {phase} window of batch 2020-1 closed at {shown} 23:59:59 +08:00")
    assert (err.value.event, err.value.guard) == (event, "window")
    assert err.value.project_id == (None if project is None else project.id)
    assert err.value.facts["phase"] == phase
    assert err.value.facts["closed_at"] == f"{shown}T23:59:59.999999+08:00"
    assert snapshot(engine) == before


def _policy_for_opening(event: str):
    """Signing can be tried from `reviewed` under the built-in policy; publication needs a project
    signed before 2020-10-01, so its tests use a policy whose signing window opens earlier."""
    return early_signing_policy() if event == "publish" else no_notice_policy()


@pytest.mark.parametrize("event", ["sign", "publish"])
def test_event_refused_at_last_microsecond_before_window_opens(db_url, clock, process_tz, event):
    """At 2020-09-30 23:59:59.999999 China time signing and publication are not open yet."""
    engine = Engine(db_url, policy=_policy_for_opening(event), clock=clock)
    try:
        project = drive(engine, clock.set, CLOSING[event][1], late=cst(2020, 7, 2))
        clock.set(cst(2020, 9, 30, 23, 59, 59, 999_999))
        before = snapshot(engine)
        with pytest.raises(Refused) as err:
            fire(engine, event, project)
        phase = CLOSING[event][0]
        assert err.value.message == (
            f"{event} refused: the {phase} window of batch 2020-1 opens at 2020-10-01 00:00:00 +08:00")
        assert (err.value.guard, err.value.project_id) == ("window", project.id)
        assert err.value.facts["opens_at"] == "2020-10-01T00:00:00+08:00"
        assert snapshot(engine) == before
    finally:
        engine.close()


@pytest.mark.parametrize("event", ["sign", "publish"])
def test_event_succeeds_at_first_instant_of_window(db_url, clock, process_tz, event):
    """At 2020-10-01 00:00:00 China time signing and publication are open."""
    engine = Engine(db_url, policy=_policy_for_opening(event), clock=clock)
    try:
        project = drive(engine, clock.set, CLOSING[event][1], late=cst(2020, 7, 2))
        clock.set(cst(2020, 10, 1).astimezone(UTC))
        assert fire(engine, event, project).state == {"sign": "signed", "publish": "published"}[event]
    finally:
        engine.close()


def test_dock_without_batch_after_docking_closed_is_refused(engine, clock):
    """Docking with no batch named when no batch is open for docking says so."""
    clock.set(cst(2020, 7, 16))
    with pytest.raises(Refused) as err:
        dock(engine, batch=None)
    assert err.value.message == (
        "dock refused: no batch is open for docking now; name one (batches: 2020-1)")
    assert (err.value.guard, err.value.project_id) == ("window", None)
