"""The closing edge of every window-guarded event, read from the engine's default clock.

The Engine is built without a clock, so it reads the (frozen) wall clock in aware UTC; freezegun
moves that clock. Each case runs with the process time zone set to UTC and to China time.
"""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from freezegun import freeze_time

from accel666 import Engine, Refused
from tests.helpers import cst, no_notice_policy, scored_panel
from tests.workflow.wf_support import CLOSING, EARLY, dock, drive, fire, snapshot, use_process_tz

LAST = timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999)


@pytest.fixture(params=["UTC", "Asia/Shanghai"])
def process_tz(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    yield from use_process_tz(monkeypatch, request.param)


@pytest.fixture
def frozen():
    with freeze_time(EARLY.astimezone(UTC)) as f:
        yield f


@pytest.fixture
def wall_engine(db_url, frozen):
    """An Engine on the default clock (aware UTC now), under frozen time."""
    eng = Engine(db_url, policy=no_notice_policy())
    try:
        yield eng
    finally:
        eng.close()


@pytest.mark.parametrize(
    ("offset", "allowed"),
    [(LAST, True), (timedelta(days=1), False), (timedelta(days=1, seconds=1), False)],
    ids=["23:59:59.999999", "next-00:00:00", "next-00:00:01"],
)
@pytest.mark.parametrize("event", list(CLOSING))
def test_window_closes_at_end_of_day_on_default_clock(
    wall_engine, frozen, process_tz, event, offset, allowed
):
    """Allowed up to 23:59:59.999999 China time on the closing day, refused from 00:00 after."""
    phase, source, day = CLOSING[event]
    project = None if source is None else drive(wall_engine, frozen.move_to, source)
    if event == "review":  # its panel scored while the window is open: the review follows it
        scored_panel(wall_engine, project.id)
    moment = cst(*day) + offset
    frozen.move_to(moment.astimezone(UTC))
    assert wall_engine.now() == moment
    attempt = (lambda: dock(wall_engine)) if project is None else \
        (lambda: fire(wall_engine, event, project))
    if allowed:
        assert attempt().updated_at == moment
        return
    before = snapshot(wall_engine)
    with pytest.raises(Refused) as err:
        attempt()
    shown = f"{day[0]}-{day[1]:02d}-{day[2]:02d}"
    assert err.value.message == (
        f"{event} refused: the {phase} window of batch 2020-1 closed at {shown} 23:59:59 +08:00")
    assert err.value.guard == "window"
    assert snapshot(wall_engine) == before
