"""Publishing a whole batch: every signed project of the batch, in one transaction."""

from __future__ import annotations

import pytest
from conftest import CODE_A, CODE_B, CODE_C, cst
from wf_support import LATE, PROVINCE, TENCENT, drive, snapshot

from workflow import NotPermitted, Refused


def test_publish_batch_publishes_every_signed_project(engine, clock):
    """Only signed projects are published; each gets its own log row."""
    signed = [drive(engine, clock.set, "signed", code=c).id for c in (CODE_A, CODE_B)]
    other = drive(engine, clock.set, "reviewed", code=CODE_C)
    clock.set(LATE)
    published = engine.publish_batch(PROVINCE, "2020-1")
    assert [(p.id, p.state, p.version) for p in published] == [(i, "published", 6) for i in signed]
    assert engine.get(other.id).state == "reviewed"
    for pid in signed:
        last = engine.history(pid)[-1]
        assert (last.seq, last.event, last.from_state, last.to_state, last.payload) == (
            6, "publish", "signed", "published", {"batch": "2020-1"})


def test_publish_batch_by_other_role_is_not_permitted(engine, clock):
    """Tencent may sign but not publish: NotPermitted, nothing published."""
    drive(engine, clock.set, "signed")
    before = snapshot(engine)
    with pytest.raises(NotPermitted) as err:
        engine.publish_batch(TENCENT, "2020-1")
    assert err.value.message == (
        "publish not permitted: role tencent may not publish (allowed: province)")
    assert snapshot(engine) == before


def test_publish_batch_after_publication_closed_is_refused(engine, clock):
    """After 2020-10-31 China time the batch can no longer be published; all stay signed."""
    drive(engine, clock.set, "signed", code=CODE_A)
    drive(engine, clock.set, "signed", code=CODE_B)
    clock.set(cst(2020, 11, 1))
    before = snapshot(engine)
    with pytest.raises(Refused) as err:
        engine.publish_batch(PROVINCE, "2020-1")
    assert err.value.message == ("publish refused: the publication window of batch 2020-1 "
                                 "closed at 2020-10-31 23:59:59 +08:00")
    assert snapshot(engine) == before


def test_publish_batch_with_nothing_signed_still_checks_role(engine):
    """An empty batch does not let a wrong role through: the role is checked first."""
    with pytest.raises(NotPermitted) as err:
        engine.publish_batch(TENCENT, "2020-1")
    assert err.value.guard == "role"


def test_publish_batch_with_nothing_signed_still_checks_window(engine, clock):
    """An empty batch outside the publication window is refused, not silently 'published'."""
    clock.set(cst(2020, 11, 1, 0, 0, 0))
    with pytest.raises(Refused) as err:
        engine.publish_batch(PROVINCE, "2020-1")
    assert err.value.message == ("publish refused: the publication window of batch 2020-1 "
                                 "closed at 2020-10-31 23:59:59 +08:00")
