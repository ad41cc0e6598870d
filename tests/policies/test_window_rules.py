"""The pure window and materials rules: (policy, facts, now) -> None or a Denial, no clock read."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accel666 import policies
from accel666.policies.rules import (
    LookupFailed,
    check_materials,
    check_window,
    effective_window,
    find_batch,
    open_batches,
    show_time,
)

CST = ZoneInfo("Asia/Shanghai")
POLICY = policies.load()
BATCH = POLICY.batches["2020-1"]
US = timedelta(microseconds=1)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=CST)  # type: ignore[misc]


@pytest.mark.parametrize(("event", "now", "denied"), [
    ("dock", at(2020, 7, 15, 23, 59, 59, 999_999), None),
    ("dock", at(2020, 7, 16), "the docking window of batch 2020-1 closed at 2020-07-15 23:59:59 +08:00"),
    ("apply", datetime(2020, 8, 30, 15, 59, 59, 999_999, tzinfo=UTC), None),
    ("apply", datetime(2020, 8, 30, 16, tzinfo=UTC),
     "the application window of batch 2020-1 closed at 2020-08-30 23:59:59 +08:00"),
    ("apply", datetime(2020, 8, 30, 12, tzinfo=ZoneInfo("America/New_York")),
     "the application window of batch 2020-1 closed at 2020-08-30 23:59:59 +08:00"),
    ("apply", datetime(2020, 8, 30, 11, 59, 59, tzinfo=ZoneInfo("America/New_York")), None),
    ("review", at(2020, 9, 30, 23, 59, 59, 999_999), None),
    ("review", at(2020, 10, 1), "the review window of batch 2020-1 closed at 2020-09-30 23:59:59 +08:00"),
    ("sign", at(2020, 10, 1) - US, "the signing window of batch 2020-1 opens at 2020-10-01 00:00:00 +08:00"),
    ("sign", at(2020, 10, 1), None),
    ("publish", at(2020, 10, 31, 23, 59, 59, 999_999), None),
    ("publish", at(2020, 11, 1, 0, 0, 1),
     "the publication window of batch 2020-1 closed at 2020-10-31 23:59:59 +08:00"),
    ("reject", at(2030, 1, 1), None),
    ("withdraw", at(2030, 1, 1), None),
    ("extend", at(2030, 1, 1), None),
])
def test_check_window(event, now, denied):
    """The guard compares instants, so the zone `now` is expressed in does not matter."""
    denial = check_window(BATCH, event, now)
    assert (None if denial is None else denial.message) == denied
    if denial is not None:
        assert denial.guard == "window"
        boundary = "opens_at" if " opens at " in denied else "closed_at"
        assert set(denial.facts) == {"batch", "phase", "now", boundary}
        assert (denial.facts["batch"], denial.facts["now"]) == ("2020-1", now.isoformat())
        assert denied.startswith(f"the {denial.facts['phase']} window ")


def test_extension_lengthens_but_never_shortens_a_window():
    window = BATCH.windows["application"]
    assert effective_window(window, None) == window
    assert effective_window(window, date(2020, 8, 1)) == window  # earlier: no effect
    assert effective_window(window, window.closes) == window
    assert effective_window(window, date(2020, 9, 15)).closes == date(2020, 9, 15)
    assert check_window(BATCH, "apply", at(2020, 9, 15, 23, 59, 59), date(2020, 9, 15)) is None
    signing = BATCH.windows["signing"]
    longer = effective_window(signing, date(2020, 11, 15))
    assert (longer.phase, longer.opens, longer.closes, longer.zone) == (
        "signing", signing.opens, date(2020, 11, 15), signing.zone)
    # Lengthened, it still opens when it did.
    early = check_window(BATCH, "sign", at(2020, 10, 1) - US, date(2020, 11, 15))
    assert early is not None and early.message == (
        "the signing window of batch 2020-1 opens at 2020-10-01 00:00:00 +08:00")


def test_open_batches_for_an_event():
    assert open_batches(POLICY, "dock", at(2020, 7, 1)) == [BATCH]
    assert open_batches(POLICY, "dock", at(2020, 7, 16)) == []


def test_show_time_prints_china_time_with_offset():
    assert show_time(datetime(2020, 8, 30, 15, 59, 59, 999_999, tzinfo=UTC), CST) == \
        "2020-08-30 23:59:59 +08:00"


@pytest.mark.parametrize(("copies", "documents", "message"), [
    (2, 1, None),
    (5, 1, None),
    (1, 1, "the application needs 2 paper copies (got 1)"),
    (2, 0, "the application needs 1 electronic document (got 0)"),
    (0, 0, "the application needs 2 paper copies (got 0) and 1 electronic document (got 0)"),
])
def test_check_materials(copies, documents, message):
    denial = check_materials(POLICY, copies, documents)
    assert (None if denial is None else (denial.guard, denial.message)) == (
        None if message is None else ("materials", message))
    if denial is not None:
        assert denial.facts == {"paper_copies": copies, "documents": documents,
                                "min_paper_copies": 2, "electronic_documents": 1}


def test_an_unknown_batch_is_named_with_every_known_one():
    two = dataclasses.replace(POLICY, batches={**POLICY.batches, "2020-2": BATCH})
    with pytest.raises(LookupFailed) as err:
        find_batch(two, "2099-9")
    assert str(err.value) == "unknown batch '2099-9'; batches: 2020-1, 2020-2"
    assert find_batch(two, "2020-1") is BATCH
