"""Deadline extensions: an explicit, recorded act of the province that moves a window's close."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest

from accel666 import Actor, Extension, InvalidInput, NotPermitted, Refused
from tests.helpers import CODE_B, cst
from tests.workflow.wf_support import PROVINCE, TENCENT, city, dock, drive, enterprise, fire, snapshot


def _extend(engine, actor: Actor = PROVINCE, until: date | str = "2020-09-15",
            phase: str = "application"):
    return engine.extend(actor, "2020-1", phase=phase, until=until, reason="疫情影响，延期受理")


def _window(engine, phase: str):
    (batch,) = engine.batches()
    return next(w for w in batch.windows if w.phase == phase)


def test_extension_reopens_window_the_day_after_old_close(engine, clock):
    """After the application window is extended, apply succeeds on 2020-08-31 00:00 China time."""
    project = drive(engine, clock.set, "docked")
    clock.set(cst(2020, 8, 31))
    with pytest.raises(Refused):
        fire(engine, "apply", project)
    _extend(engine)
    assert fire(engine, "apply", project).state == "applied"


def test_extended_window_closes_at_end_of_new_day(engine, clock):
    """An extended window admits 23:59:59.999999 of the new day and refuses 00:00 the day after."""
    first = drive(engine, clock.set, "docked")
    second = drive(engine, clock.set, "docked", code=CODE_B)
    _extend(engine)
    clock.set(cst(2020, 9, 15, 23, 59, 59, 999_999))
    assert fire(engine, "apply", first).state == "applied"
    clock.set(cst(2020, 9, 16))
    with pytest.raises(Refused) as err:
        fire(engine, "apply", second)
    assert err.value.message == ("apply refused: the application window of batch 2020-1 "
                                 "closed at 2020-09-15 23:59:59 +08:00")
    assert err.value.guard == "window"


def test_extension_carries_along_only_later_phases_that_would_close_first(engine, clock):
    """Application extended to 09-15: recommendation (closing 08-30) is carried to 09-15 in the
    same act; review (closing 09-30) and docking (an earlier phase) stay as they were. An
    application filed on the last day can still be recommended."""
    project = drive(engine, clock.set, "docked")
    record = _extend(engine)
    assert record.carried == ("recommendation",)
    clock.set(cst(2020, 9, 15, 23, 0))
    project = fire(engine, "apply", project)
    assert fire(engine, "recommend", project).state == "recommended"
    closes = {w.phase: (w.closes_at, w.extended) for w in engine.batches()[0].windows}
    assert closes["recommendation"] == (cst(2020, 9, 15, 23, 59, 59, 999_999), True)
    assert closes["review"] == (cst(2020, 9, 30, 23, 59, 59, 999_999), False)
    assert closes["docking"][1] is False
    (first, carried) = engine.extensions()
    assert (carried.phase, carried.follows, carried.until) == ("recommendation", first.id,
                                                               date(2020, 9, 15))


def test_extension_of_docking_opens_batch_for_docking_without_batch(engine, clock):
    """Docking without naming a batch finds the batch whose docking window was extended."""
    clock.set(cst(2020, 7, 16, 9))
    _extend(engine, phase="docking", until="2020-07-31")
    assert dock(engine, batch=None).batch == "2020-1"


def test_extension_is_recorded_and_returned(engine, clock):
    """extend returns the recorded Extension, and batches() shows the window extended."""
    clock.set(cst(2020, 8, 20, 10))
    record = _extend(engine, until=date(2020, 9, 15))
    assert record == Extension(batch="2020-1", phase="application", until=date(2020, 9, 15),
                               reason="疫情影响，延期受理", actor="prov", role="province",
                               at=cst(2020, 8, 20, 10).astimezone(UTC), id=1,
                               carried=("recommendation",))
    assert len(snapshot(engine)["accel666_extension"]) == 2
    window = _window(engine, "application")
    assert (window.extended, window.closes_at, window.open) == (
        True, cst(2020, 9, 15, 23, 59, 59, 999_999), True)
    assert window.closes_at.utcoffset() is not None
    others = [w for w in engine.batches()[0].windows
              if w.phase not in ("application", "recommendation")]
    assert not any(w.extended for w in others)


def test_second_extension_moves_the_close_again(engine, clock):
    """A later extension wins; batches() shows the latest close."""
    _extend(engine, until="2020-09-15")
    _extend(engine, until="2020-09-20")
    assert _window(engine, "application").closes_at == cst(2020, 9, 20, 23, 59, 59, 999_999)
    assert len(snapshot(engine)["accel666_extension"]) == 4  # each carried recommendation


@pytest.mark.parametrize("actor", [TENCENT, city("suzhou"), enterprise(CODE_B)],
                         ids=["tencent", "city", "enterprise"])
def test_only_province_may_extend(engine, actor):
    """Any other role gets NotPermitted (guard role) and no extension is recorded."""
    before = snapshot(engine)
    with pytest.raises(NotPermitted) as err:
        _extend(engine, actor)
    assert err.value.message == (
        f"extend not permitted: role {actor.role} may not extend (allowed: province)")
    assert (err.value.event, err.value.guard, err.value.role) == ("extend", "role", actor.role)
    assert snapshot(engine) == before


@pytest.mark.parametrize(("until", "current"), [
    ("2020-08-30", "2020-08-30"),  # the current close itself
    ("2020-08-01", "2020-08-30"),  # earlier
])
def test_extension_must_move_close_later(engine, until, current):
    """An until not later than the current close is InvalidInput (field until); nothing recorded."""
    before = snapshot(engine)
    with pytest.raises(InvalidInput) as err:
        _extend(engine, until=until)
    assert err.value.message == (
        f"invalid until: the application window of batch 2020-1 already closes at the end of "
        f"{current}; an extension must move it later")
    assert (err.value.field, err.value.value) == ("until", until)
    assert snapshot(engine) == before


def test_extension_must_move_an_extended_close_later(engine):
    """After an extension to 2020-09-15, an extension to 2020-09-10 is refused as not later."""
    _extend(engine, until="2020-09-15")
    with pytest.raises(InvalidInput) as err:
        _extend(engine, until="2020-09-10")
    assert err.value.reason.endswith("already closes at the end of 2020-09-15; "
                                     "an extension must move it later")
    assert _window(engine, "application").closes_at == cst(2020, 9, 16) - timedelta(microseconds=1)


def test_extension_needs_known_phase_and_date(engine):
    """An unknown phase or a malformed date is InvalidInput naming the field."""
    with pytest.raises(InvalidInput) as err:
        _extend(engine, phase="lunch")
    assert (err.value.field, err.value.message) == (
        "phase", "invalid phase: use one of docking, application, recommendation, review, "
                 "signing, publication")
    with pytest.raises(InvalidInput) as err:
        _extend(engine, until="15/09/2020")
    assert (err.value.field, err.value.message) == (
        "until", "invalid until: expected a date as YYYY-MM-DD")
