"""The escalation commands through click's CliRunner, on every backend, under frozen time."""

from __future__ import annotations

import json

import pytest

from accel666 import Engine
from tests.escalation.esc_support import drive, receiver
from tests.helpers import CODE_B, CODE_C, FakeClock, cst


@pytest.fixture
def overdue_db(db_url, clock: FakeClock):
    """Three projects of batch 2020-1: docked in Suzhou, applied in Kunshan, docked in Nanjing."""
    with Engine(db_url, clock=clock) as engine:
        ids = [drive(engine, clock.set, "docked").id,
               drive(engine, clock.set, "applied", code=CODE_B, region="kunshan").id,
               drive(engine, clock.set, "docked", code=CODE_C, region="nanjing").id]
    return ids


def test_escalate_records_once_and_prints_json(run, overdue_db):
    run.moment = cst(2020, 8, 31, 0, 0, 1)
    result = run("escalate", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["now"] == "2020-08-31T00:00:01+08:00"
    assert data["recorded"] == [
        {"batch": "2020-1", "phase": "application", "level": 1, "count": 2},
        {"batch": "2020-1", "phase": "recommendation", "level": 1, "count": 1}]
    assert (data["total"], data["first_id"], data["last_id"], data["enqueued"]) == (3, 1, 3, 3)
    assert data["delivery"] == {"attempted": 3, "delivered": 3, "retrying": 0, "failed": 0,
                                "failed_escalations": []}
    assert '"event": "escalation"' in result.stderr  # the log notifier, on stderr
    again = run("escalate")
    assert again.exit_code == 0
    assert again.stdout == ("swept at 2020-08-31 00:00:01 +08:00: recorded 0 escalation(s), "
                            "resolved 0; deliveries: 0 delivered, 0 to retry, 0 failed\n")


def test_escalate_dry_run_writes_nothing(run, overdue_db):
    run.moment = cst(2020, 9, 3, 0, 0, 1)
    dry = run.json("escalate", "--dry-run")
    assert (dry["dry_run"], dry["total"], dry["first_id"]) == (True, 6, None)
    assert {(p["project_id"], p["level"]) for p in dry["planned"]} == {
        (pid, lv) for pid in overdue_db for lv in (1, 2)}
    assert run.json("escalations") == []
    text = run("escalate", "--dry-run")
    assert text.stdout.startswith("swept at 2020-09-03 00:00:01 +08:00: would record 6 "
                                  "escalation(s) (2020-1 application L1: 2, ")


def test_escalate_exits_8_when_a_delivery_fails_for_good(run, overdue_db):
    run.moment = cst(2020, 8, 31, 0, 0, 1)
    with receiver(failures=99) as hook:
        result = run("escalate", "--webhook", hook.url, "--max-attempts", "1", "--json")
    assert result.exit_code == 8
    data = json.loads(result.stdout)
    assert (data["delivery"]["failed"], data["delivery"]["failed_escalations"]) == (3, [1, 2, 3])
    assert ("accel666: 3 delivery(ies) failed for good; see accel666 escalations --failed"
            in result.stderr)
    failed = run.json("escalations", "--failed")
    assert [e["id"] for e in failed] == [1, 2, 3]
    assert failed[0]["deliveries"][1]["last_error"] == "HTTP 500 Internal Server Error"


def test_escalate_refuses_a_webhook_that_is_not_http(run, overdue_db):
    result = run("escalate", "--webhook", "ftp://example.org/x")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "accel666: invalid webhook: expected an http:// or https:// URL")


def test_overdue_lists_projects_with_deadline_lateness_and_level(run, overdue_db):
    run.moment = cst(2020, 8, 31, 0, 0, 1)
    run("escalate")
    run.moment = cst(2020, 9, 1, 12, 0, 0)
    rows = run.json("overdue")
    assert [(r["project_id"], r["phase"], r["level"]) for r in rows] == [
        (overdue_db[0], "application", 1), (overdue_db[1], "recommendation", 1),
        (overdue_db[2], "application", 1)]
    first = rows[0]
    assert (first["deadline"], first["late_seconds"], first["next_level"], first["next_due_at"]) \
        == ("2020-08-31T00:00:00+08:00", 36 * 3600, 2, "2020-09-03T00:00:00+08:00")
    (kunshan,) = run.json("overdue", "--region", "昆山")
    assert (kunshan["region"], kunshan["region_name"], kunshan["state"]) == (
        "320583", "昆山市", "applied")
    text = run("overdue", "--region", "kunshan")
    assert "1d 12:00:00" in text.stdout and "1 overdue" in text.stderr
    bad = run("overdue", "--region", "atlantis")
    assert bad.exit_code == 2


def test_overdue_is_empty_before_the_close(run, overdue_db):
    run.moment = cst(2020, 8, 30, 23, 59, 59)
    assert run.json("overdue") == []


def test_ack_by_the_target_then_refused_the_second_time(run, overdue_db):
    run.moment = cst(2020, 8, 31, 0, 0, 1)
    run("escalate")
    (first,) = [e for e in run.json("escalations", "--open") if e["project_id"] == overdue_db[0]]
    assert (first["target_role"], first["target_scope"]) == ("city", "320500")
    escalation_id = str(first["id"])

    wrong = run("ack", escalation_id, "--note", "x", "--as", "city:nanjing", "--actor", "nj")
    assert wrong.exit_code == 5
    assert wrong.stderr.strip().endswith(
        "accel666: ack not permitted: city:320100 may not acknowledge an escalation addressed "
        "to city:320500")

    run.moment = cst(2020, 9, 1, 9, 0, 0)
    done = run("ack", escalation_id, "--note", "已催办", "--as", "city:suzhou", "--actor", "sz",
               "--json")
    assert done.exit_code == 0, done.stderr
    acked = json.loads(done.stdout)
    assert (acked["acked_by"], acked["ack_role"], acked["ack_note"], acked["acked_at"]) == (
        "sz", "city", "已催办", "2020-09-01T09:00:00+08:00")
    assert first["id"] not in [e["id"] for e in run.json("escalations", "--open")]

    again = run("ack", escalation_id, "--note", "y", "--as", "province")
    assert again.exit_code == 4
    assert "was already acknowledged by sz (city) at 2020-09-01 09:00:00 +08:00" in again.stderr
    missing = run("ack", "999", "--note", "y", "--as", "province", "--json")
    assert missing.exit_code == 3
    assert json.loads(missing.stderr.splitlines()[-1])["message"] == "escalation 999 not found"


def test_escalations_text_and_rearm_by_the_province(run, overdue_db):
    run.moment = cst(2020, 8, 31, 0, 0, 1)
    with receiver(failures=99) as hook:
        assert run("escalate", "--webhook", hook.url, "--max-attempts", "1").exit_code == 8
    table = run("escalations", "--failed")
    assert table.exit_code == 0
    assert "webhook:failed×1" in table.stdout and "3 escalation(s)" in table.stderr
    refused = run("rearm", "1", "--as", "city:suzhou")
    assert refused.exit_code == 5
    assert refused.stderr.strip().endswith(
        "accel666: rearm not permitted: only province may re-arm deliveries")
    rearmed = run("rearm", "1", "--as", "province", "--json")
    assert rearmed.exit_code == 0, rearmed.stderr
    web = json.loads(rearmed.stdout)["deliveries"][1]
    assert (web["status"], web["attempts"]) == ("pending", 0)
    assert [e["id"] for e in run.json("escalations", "--failed")] == [2, 3]
    assert run("rearm", "1", "--as", "province").exit_code == 4


def test_scheduler_rejects_a_bad_interval(run):
    result = run("scheduler", "--every", "soon")
    assert result.exit_code == 2
    assert "'soon' is not a duration such as 90s, 15m, 1h30m or 2d" in result.stderr


def test_an_escalation_log_event_keeps_its_escalation_level_and_china_times(run, overdue_db):
    """The log line of an escalation names its escalation level under a key of its own (the
    log level stays `warning`), and its times in China time with their offset."""
    run.moment = cst(2020, 9, 3, 0, 0, 1)
    result = run("--log-json", "escalate")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    escalations = [e for e in lines if e["event"] == "escalation"]
    assert sorted((e["project_id"], e["escalation_level"]) for e in escalations) == sorted(
        (pid, lv) for pid in overdue_db for lv in (1, 2))
    assert {e["level"] for e in escalations} == {"warning"}
    first = next(e for e in escalations if e["project_id"] == overdue_db[0]
                 and e["escalation_level"] == 1)
    assert first["deadline"] == "2020-08-31T00:00:00+08:00"  # the window closes then
    assert first["due_at"] == "2020-08-31T00:00:00+08:00"
    assert first["fired_at"] == "2020-09-03T00:00:01+08:00"
