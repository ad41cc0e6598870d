"""Each input the hostile properties found to end in a traceback or a write before a refusal,
pinned as a plain test: the input, and what it gets now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from accel666 import Actor, Engine, InvalidInput, Project
from accel666.workflow.notifiers.webhook import post_json
from tests.helpers import CODE_A, Cli, FakeClock, cst, panel_review
from tests.hostile.hostile_support import (
    DEAD_WEBHOOK,
    DOC,
    LATE,
    PROVINCE,
    SUZHOU,
    TENCENT,
    assert_consistent,
    snapshot,
)

OVERDUE = cst(2020, 9, 2, 12, 0, 0)  # the application window of batch 2020-1 has closed


def docked(engine: Engine) -> Project:
    return engine.dock(SUZHOU, title="云上工厂", enterprise="苏州某某科技", credit_code=CODE_A,
                       region="suzhou", category="demo", batch="2020-1")


def signed(engine: Engine, clock: FakeClock) -> Project:
    p = docked(engine)
    engine.apply(Actor("e", "enterprise", CODE_A), p.id, paper_copies=2, document=DOC,
                 document_name="a.pdf")
    engine.recommend(SUZHOU, p.id, opinion="推荐")
    panel_review(engine, p.id, province=PROVINCE)
    clock.set(LATE.astimezone(UTC))
    return engine.sign(TENCENT, p.id)


def refused(engine: Engine, call: Callable[[], object], field: str) -> InvalidInput:
    """`call` raises InvalidInput for `field` and writes nothing."""
    before = snapshot(engine)
    with pytest.raises(InvalidInput) as caught:
        call()
    assert caught.value.field == field
    assert snapshot(engine) == before
    assert_consistent(engine)
    return caught.value


def test_an_unhashable_role_is_invalid_input_not_a_type_error(engine: Engine) -> None:
    """Was: TypeError: unhashable type, from the policy's role lookup."""
    p = docked(engine)
    for role in (["province"], {"role": "province"}):
        actor = Actor("x", role, None)  # type: ignore[arg-type]
        error = refused(engine, lambda a=actor: engine.withdraw(a, p.id, reason="r"), "role")
        assert error.reason == f"expected text, got {type(role).__name__}"


def test_a_scope_that_is_not_text_is_invalid_input(engine: Engine) -> None:
    """Was: a falsy scope of another type passed for a province-wide role and went on as it was
    (province with scope 0 extended a window)."""
    for scope in (0, False, [], 0.0, b""):
        actor = Actor("p", "province", scope)  # type: ignore[arg-type]
        refused(engine, lambda a=actor: engine.extend(a, "2020-1", phase="docking",
                                                      until="2020-07-20", reason="r"), "scope")


def test_an_extension_until_a_datetime_is_invalid_input(engine: Engine) -> None:
    """Was: TypeError: can't compare datetime.datetime to datetime.date (a datetime is a date)."""
    refused(engine, lambda: engine.extend(PROVINCE, "2020-1", phase="docking",
                                          until=datetime(2020, 8, 1), reason="r"), "until")


def test_an_extension_past_2999_is_refused_so_the_calendar_stays_computable(
        engine: Engine) -> None:
    """Was: accepted, after which batches(), overdue(), sweep() and every event of the phase
    raised OverflowError (date value out of range) for good. The last day allowed works."""
    docked(engine)
    for until in ("9999-12-31", date.max, "3000-01-01"):
        error = refused(engine, lambda u=until: engine.extend(
            PROVINCE, "2020-1", phase="application", until=u, reason="r"), "until")
        assert error.message == "invalid until: must be 2999-12-31 or earlier"
    engine.extend(PROVINCE, "2020-1", phase="application", until="2999-12-31", reason="r")
    assert any(w.extended for b in engine.batches() for w in b.windows)
    assert engine.overdue() == []
    engine.sweep()
    assert_consistent(engine)


OFF_THE_CALENDAR = (
    datetime.max.replace(tzinfo=timezone(timedelta(hours=-1))),  # past datetime.max in UTC
    datetime.min.replace(tzinfo=timezone(timedelta(hours=1))),  # before datetime.min in UTC
    datetime(9999, 12, 31, 23, 0, tzinfo=UTC),  # a lease or backoff after it overflows
    datetime(3000, 1, 1, tzinfo=UTC),
)


def test_a_now_off_the_calendar_is_invalid_input(engine: Engine) -> None:
    """Was: OverflowError from astimezone, or from now + lease in a delivery round."""
    docked(engine)
    for method in ("sweep", "escalate", "deliver", "overdue"):
        for now in OFF_THE_CALENDAR:
            call = getattr(engine, method)
            error = refused(engine, lambda c=call, n=now: c(now=n), "now")
            assert error.reason == "pass a moment before 3000-01-01 UTC"


def test_a_sweep_decades_after_a_deadline_saturates_the_lateness(engine: Engine) -> None:
    """Was, on PostgreSQL: DataError, integer out of range (lateness_seconds past 2**31 - 1)."""
    docked(engine)
    result = engine.sweep(datetime(2100, 1, 1, tzinfo=UTC))
    assert result.total == 3
    assert {e.lateness_seconds for e in engine.escalations()} == {2**31 - 1}
    assert_consistent(engine)


def test_a_webhook_the_database_or_http_client_cannot_take_is_invalid_input(
        engine: Engine, clock: FakeClock) -> None:
    docked(engine)
    clock.set(OVERDUE.astimezone(UTC))
    for webhook in (
        DEAD_WEBHOOK + "\ud800",  # was: UnicodeEncodeError storing the delivery
        DEAD_WEBHOOK + "\x00",  # was, on PostgreSQL: NUL in a text field
        DEAD_WEBHOOK + "x" * 2000,  # was, on PostgreSQL: too long for the endpoint column
        DEAD_WEBHOOK + "😀",  # was: UnicodeEncodeError in http.client, crashing the round
        DEAD_WEBHOOK + "/钩子",
        DEAD_WEBHOOK + "\n",
        "http://[::1",  # was: ValueError from urllib, after the sweep had recorded
        "http://127.0.0.1:99999/hook",  # was: a delivery that could never be attempted
        "http://",  # was: a delivery to no host, failing every attempt
    ):
        refused(engine, lambda w=webhook: engine.escalate(webhook=w), "webhook")


def test_a_url_http_client_cannot_send_is_a_failed_attempt_not_a_crash() -> None:
    """A delivery stored before the webhook check tightened fails like any other attempt."""
    error = post_json(DEAD_WEBHOOK + "😀", {"id": 1}, "key", 1.0)
    assert error is not None and error.startswith("UnicodeEncodeError posting to ")
    assert post_json("http://[::1", {"id": 1}, "key", 1.0) == (
        "ValueError posting to http://[::1: Invalid IPv6 URL")


def test_escalate_checks_max_attempts_before_the_sweep_writes(
        engine: Engine, clock: FakeClock) -> None:
    """Was: the sweep recorded the escalations, then InvalidInput (which promises that nothing
    was written)."""
    docked(engine)
    clock.set(OVERDUE.astimezone(UTC))
    for attempts in (0, "3", 2**64, 1.5):
        refused(engine, lambda a=attempts: engine.escalate(max_attempts=a), "max attempts")
    assert engine.escalations() == []


@pytest.mark.parametrize("policy", ["a\x00b", 123, ["p.toml"], b"p.toml"])
def test_a_hostile_policy_is_invalid_input(tmp_path: Path, policy: object) -> None:
    """Was: ValueError (embedded null byte) or TypeError from os.fspath. (Refused before the
    database is opened, so one backend is enough.)"""
    with pytest.raises(InvalidInput) as caught:
        Engine(f"sqlite:///{tmp_path / 'p.db'}", policy=policy)  # type: ignore[arg-type]
    assert caught.value.field == "policy"


def test_build_scheduler_refuses_an_interval_past_the_calendar(engine: Engine) -> None:
    """Was: OverflowError (date value out of range) from the interval trigger."""
    from accel666.workflow.scheduler import build_scheduler

    with pytest.raises(InvalidInput) as caught:
        build_scheduler(engine, timedelta(days=999_999_999))
    assert caught.value.message == "invalid every: the interval must be at most 366 days"


# -- the command line ----------------------------------------------------------------------------


@pytest.fixture
def applied(run: Cli) -> int:
    pid = run.dock()
    result = run("apply", str(pid), "--as", f"enterprise:{CODE_A}", "--paper-copies", "2",
                 "--document", run.document())
    assert result.exit_code == 0, result.stderr
    return pid


def test_document_to_a_file_that_cannot_be_written_is_a_usage_error(
        run: Cli, applied: int, tmp_path: Path) -> None:
    """Was: exit 1 with a traceback (FileNotFoundError, OSError: File name too long)."""
    for name in ("missing/x.pdf", "x" * 300, "."):
        target = tmp_path / name
        result = run("document", str(applied), "-o", str(target), "--force")
        assert result.exit_code == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert f"Invalid value for -o/--output: cannot write to {target}" in result.stderr
        assert not list(tmp_path.glob(".*.tmp"))


def test_document_json_names_an_undecodable_file_name(run: Cli, applied: int,
                                                      tmp_path: Path) -> None:
    """Was: UnicodeEncodeError printing the JSON (a name from undecodable argv bytes holds a
    surrogate, which stdout cannot encode)."""
    result = run("document", str(applied), "-o", str(tmp_path / "\udcff.pdf"), "--json")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "\udcff.pdf").read_bytes() == b"%PDF-1.4 test"
    assert '\\\\udcff.pdf"' in result.stdout


def test_publish_batch_checks_its_output_file_before_publishing(run: Cli, tmp_path: Path,
                                                                engine: Engine,
                                                                clock: FakeClock) -> None:
    """Was: the batch was published, then OSError (File name too long) writing its list: exit 1
    after the commit."""
    project = signed(engine, clock)
    run.moment = LATE
    target = tmp_path / ("x" * 300)
    result = run("publish", "--batch", "2020-1", "--as", "province", "-o", str(target))
    assert result.exit_code == 2, result.stderr
    assert "cannot write to" in result.stderr and "File name too long" in result.stderr
    assert engine.get(project.id).state == "signed"


def test_scheduler_refuses_an_interval_past_the_calendar(run: Cli) -> None:
    """Was: exit 1 with a traceback (OverflowError from timedelta or from the trigger)."""
    for every, message in (
        ("99999999999999999999d", "'99999999999999999999d' is too long a duration"),
        ("999999999d", "accel666: invalid every: the interval must be at most 366 days"),
    ):
        result = run("scheduler", "--every", every)
        assert result.exit_code == 2, result.stderr
        assert "Traceback" not in result.stderr and message in result.stderr
