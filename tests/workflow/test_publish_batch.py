"""Publishing a whole batch: every signed project of the batch, in one transaction."""

from __future__ import annotations

import pytest

from accel666 import Engine, NotPermitted, Refused
from accel666.policies import parse
from tests.helpers import CODE_A, CODE_B, CODE_C, cst
from tests.workflow.wf_support import EARLY, LATE, PATH, PROVINCE, TENCENT, dock, drive, fire, snapshot

# A second batch with the first one's calendar: both have signed projects at the same time.
TWO_BATCHES = parse("""
extends = "builtin"

[[batches]]
key = "2020-2"
name = "2020年第二批"

[batches.windows]
docking = { closes = 2020-07-15 }
application = { closes = 2020-08-30 }
recommendation = { closes = 2020-08-30 }
review = { closes = 2020-09-30 }
signing = { opens = 2020-10-01, closes = 2020-10-31 }
publication = { opens = 2020-10-01, closes = 2020-10-31 }

[notice]
gates = ""
""")


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


def _publication_closed_changes_nothing(engine):
    """publish_batch is refused by the publication window of 2020-1 and writes nothing."""
    before = snapshot(engine)
    with pytest.raises(Refused) as err:
        engine.publish_batch(PROVINCE, "2020-1")
    assert err.value.message == ("publish refused: the publication window of batch 2020-1 "
                                 "closed at 2020-10-31 23:59:59 +08:00")
    assert snapshot(engine) == before


def test_publish_batch_after_publication_closed_is_refused(engine, clock):
    """After 2020-10-31 China time the batch can no longer be published; all stay signed."""
    drive(engine, clock.set, "signed", code=CODE_A)
    drive(engine, clock.set, "signed", code=CODE_B)
    clock.set(cst(2020, 11, 1))
    _publication_closed_changes_nothing(engine)


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


def _signed(engine, clock, code, batch):
    clock.set(EARLY)
    project = dock(engine, code=code, batch=batch)
    for event in PATH["signed"][1:]:
        if event == "sign":
            clock.set(LATE)
        project = fire(engine, event, project)
    return project


def test_publish_batch_publishes_only_its_own_batch(db_url, clock):
    """Two batches with signed projects at once: publishing 2020-2 leaves 2020-1's signed."""
    with Engine(db_url, clock=clock, policy=TWO_BATCHES) as engine:
        first = _signed(engine, clock, CODE_A, "2020-1")
        second = [_signed(engine, clock, c, "2020-2") for c in (CODE_B, CODE_C)]
        published = engine.publish_batch(PROVINCE, "2020-2")
        assert [(p.id, p.batch) for p in published] == [(p.id, "2020-2") for p in second]
        assert engine.get(first.id).state == "signed"
        assert [p.id for p in engine.projects(state="published")] == [p.id for p in second]


def test_publish_batch_follows_an_extension_of_publication(engine, clock):
    """Publication extended to 2020-11-10: the batch can still be published on 11-05."""
    project = drive(engine, clock.set, "signed")
    engine.extend(PROVINCE, "2020-1", phase="publication", until="2020-11-10", reason="延期")
    clock.set(cst(2020, 11, 5, 10))
    assert [p.id for p in engine.publish_batch(PROVINCE, "2020-1")] == [project.id]


def test_publish_batch_ignores_a_revoked_extension_of_publication(engine, clock):
    """Publication extended to 2020-11-10, then revoked: refused on 11-05."""
    drive(engine, clock.set, "signed")
    extension = engine.extend(PROVINCE, "2020-1", phase="publication", until="2020-11-10",
                              reason="延期")
    engine.revoke_extension(PROVINCE, extension.id, reason="撤销")
    clock.set(cst(2020, 11, 5, 10))
    _publication_closed_changes_nothing(engine)


def test_publish_batch_reads_publications_window_not_signings(engine, clock):
    """Under a policy whose publication closes a week after signing, signing extended to
    11-04 leaves publication as it was (it closes later): publish on 11-05 works, and refuses
    once publication's own close (11-07) has passed."""
    from tests.workflow.wf_support import later_publication_policy

    engine.apply_policy(PROVINCE, later_publication_policy(), reason="公示期延长")
    project = drive(engine, clock.set, "signed")
    extension = engine.extend(PROVINCE, "2020-1", phase="signing", until="2020-11-04",
                              reason="延期")
    assert extension.carried == ()
    clock.set(cst(2020, 11, 8, 10))
    with pytest.raises(Refused):
        engine.publish_batch(PROVINCE, "2020-1")
    clock.set(cst(2020, 11, 5, 10))
    assert [p.id for p in engine.publish_batch(PROVINCE, "2020-1")] == [project.id]


def test_every_event_on_a_project_takes_the_one_transition_path(engine, clock, monkeypatch):
    """Single events and each project of publish_batch go through transition.change, which
    authorises, guards, fires, logs and compares-and-sets."""
    from accel666.workflow.changes import transition

    seen: list[tuple[int, str]] = []
    real = transition.change

    def spy(conn, policy, actor, row, event, *args, **kwargs):
        seen.append((row.id, event))
        return real(conn, policy, actor, row, event, *args, **kwargs)

    monkeypatch.setattr(transition, "change", spy)
    signed = [drive(engine, clock.set, "signed", code=c).id for c in (CODE_A, CODE_B)]
    engine.publish_batch(PROVINCE, "2020-1")
    assert seen == [(signed[0], e) for e in ("apply", "recommend", "review", "sign")] + [
        (signed[1], e) for e in ("apply", "recommend", "review", "sign")] + [
        (pid, "publish") for pid in signed]
