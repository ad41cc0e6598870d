"""Extensions as audited acts: the reopening limit and its override, revocation, the list.

A window closed more than the policy's reopen_within_days (30) ago is reopened only with an
override; a revocation undoes an extension and what its act carried along, as a recorded act
of its own; `extensions()` lists them all."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from accel666 import InvalidInput, NotFound, NotPermitted, Refused
from tests.helpers import cst
from tests.workflow.wf_support import PROVINCE, TENCENT, drive, fire, snapshot

APPLICATION_CLOSED = cst(2020, 8, 31)  # the application window's close (exclusive)
LIMIT = APPLICATION_CLOSED + timedelta(days=30)


def extend(engine, until="2020-10-20", **kw):
    return engine.extend(PROVINCE, "2020-1", phase="application", until=until, reason="补交",
                         **kw)


@pytest.mark.parametrize(("moment", "allowed"), [
    (LIMIT - timedelta(microseconds=1), True),
    (LIMIT, True),
    (LIMIT + timedelta(microseconds=1), False),
])
def test_a_window_closed_longer_than_the_limit_is_not_reopened(engine, clock, moment, allowed):
    clock.set(moment)
    if allowed:
        assert extend(engine).until == date(2020, 10, 20)
        return
    before = snapshot(engine)
    with pytest.raises(Refused) as caught:
        extend(engine)
    assert caught.value.guard == "reopen"
    assert caught.value.facts == {"batch": "2020-1", "phase": "application", "closed_days": 30,
                                  "reopen_within_days": 30}
    assert caught.value.message == (
        "extend refused: the application window of batch 2020-1 closed at 2020-08-30 23:59:59 "
        "+08:00, 30 days ago; an extension may reopen a window within 30 days of its close "
        "(pass --override to do it anyway; the reason is recorded)")
    assert snapshot(engine) == before


def test_an_override_reopens_it_and_is_recorded(engine, clock):
    project = drive(engine, clock.set, "docked")
    clock.set(cst(2022, 3, 1))
    record = extend(engine, until="2022-03-10", override=True)
    assert record.override is True
    assert engine.extensions()[0].override is True
    assert fire(engine, "apply", project).state == "applied"


def test_override_must_be_a_bool(engine):
    with pytest.raises(InvalidInput):
        extend(engine, override="yes")


def test_a_revocation_undoes_the_extension_and_what_it_carried(engine, clock):
    project = drive(engine, clock.set, "docked")
    record = extend(engine, until="2020-09-15")
    assert record.carried == ("recommendation",)
    clock.set(cst(2020, 9, 1, 9))
    revoked = engine.revoke_extension(PROVINCE, record.id, reason="录入错误")
    assert (revoked.revoked_at, revoked.revoked_by, revoked.revoke_reason) == (
        cst(2020, 9, 1, 9), "prov", "录入错误")
    assert [x.revoked_at is not None for x in engine.extensions()] == [True, True]
    assert not any(w.extended for w in engine.batches()[0].windows)
    with pytest.raises(Refused) as closed:
        fire(engine, "apply", project)
    assert closed.value.guard == "window"


def test_a_revocation_leaves_earlier_extensions_standing(engine, clock):
    first = extend(engine, until="2020-09-10")
    second = extend(engine, until="2020-09-20")
    engine.revoke_extension(PROVINCE, second.id, reason="撤回")
    window = next(w for w in engine.batches()[0].windows if w.phase == "application")
    assert window.closes_at == cst(2020, 9, 10, 23, 59, 59, 999_999)
    assert first.id < second.id


def test_what_cannot_be_revoked(engine):
    record = extend(engine, until="2020-09-15")
    carried = engine.extensions()[1]
    with pytest.raises(Refused, match=f"revoke {record.id}"):
        engine.revoke_extension(PROVINCE, carried.id, reason="x")
    engine.revoke_extension(PROVINCE, record.id, reason="x")
    with pytest.raises(Refused, match="revoked already"):
        engine.revoke_extension(PROVINCE, record.id, reason="again")
    with pytest.raises(NotFound):
        engine.revoke_extension(PROVINCE, 99, reason="x")
    with pytest.raises(NotPermitted):
        engine.revoke_extension(TENCENT, record.id, reason="x")


def test_the_cli_lists_extends_and_revokes(run):
    made = run.json("batch", "extend", "2020-1", "--phase", "application", "--until",
                    "2020-09-15", "--reason", "补交", "--as", "province")
    assert (made["id"], made["carried"], made["override"]) == (1, ["recommendation"], False)
    listed = run.json("batch", "extensions")
    assert [(x["id"], x["phase"], x["follows"]) for x in listed] == [
        (1, "application", None), (2, "recommendation", 1)]
    text = run("batch", "extensions")
    assert text.exit_code == 0 and "补交" in text.stdout
    revoked = run.json("batch", "extend", "--revoke", "1", "--reason", "错了", "--as",
                       "province")
    assert (revoked["revoke_reason"], revoked["revoked_by"] is not None) == ("错了", True)
    assert all(x["revoked_at"] for x in run.json("batch", "extensions", "2020-1"))
    usage = run("batch", "extend", "2020-1", "--revoke", "1", "--reason", "x", "--as",
                "province")
    assert usage.exit_code == 2
