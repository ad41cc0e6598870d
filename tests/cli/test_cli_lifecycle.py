"""A project's whole life through the command line, and the JSON shapes scripts rely on."""

from __future__ import annotations

import json

from tests.helpers import CODE_A, cli_panel_review, cst

PROJECT_KEYS = {"id", "title", "enterprise", "credit_code", "region", "category", "batch",
                "state", "version"}
HISTORY_KEYS = {"event", "from_state", "to_state", "actor", "role", "scope", "at"}


def advance_to_signed(run) -> int:
    pid = run.dock()
    assert run("apply", str(pid), "--as", f"enterprise:{CODE_A}", "--paper-copies", "2",
               "--document", run.document()).exit_code == 0
    assert run("recommend", str(pid), "--as", "city:suzhou", "--opinion", "同意").exit_code == 0
    run.moment = cst(2020, 9, 15, 10, 0, 0)
    assert cli_panel_review(run, pid).exit_code == 0
    run.moment = cst(2020, 10, 12, 10, 0, 0)
    assert run("sign", str(pid), "--as", "tencent").exit_code == 0
    return pid


def test_dock_prints_only_the_new_id(run):
    result = run("dock", "--as", "city:suzhou", "--title", "T", "--enterprise", "E",
                 "--credit-code", CODE_A, "--region", "苏州市", "--category", "demo")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "1\n"


def test_dock_json_is_a_project_object_in_china_time(run):
    data = run.json("dock", "--as", "tencent", "--title", "T", "--enterprise", "E",
                    "--credit-code", f" {CODE_A.lower()} ", "--region", "320583",
                    "--category", "backbone")
    assert set(data) >= PROJECT_KEYS
    assert (data["region"], data["credit_code"], data["batch"], data["state"], data["version"]) \
        == ("320583", CODE_A, "2020-1", "docked", 1)
    assert data["created_at"] == "2020-07-01T10:00:00+08:00"


def test_each_event_prints_the_new_state(run):
    pid = run.dock()
    result = run("apply", str(pid), "--as", f"enterprise:{CODE_A}", "--paper-copies", "2",
                 "--document", run.document())
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"project {pid}: apply → applied (version 2)\n"


def test_whole_life_to_published_with_history_json(run):
    pid = advance_to_signed(run)
    result = run("publish", str(pid), "--as", "province", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["state"] == "published"
    history = run.json("history", str(pid))
    assert [h["event"] for h in history] == ["dock", "apply", "recommend", "review", "sign",
                                             "publish"]
    assert all(set(h) >= HISTORY_KEYS for h in history)
    assert history[0]["from_state"] is None
    assert history[3]["at"] == "2020-09-15T10:00:00+08:00"
    assert (history[4]["role"], history[4]["scope"]) == ("tencent", None)
    assert (history[0]["role"], history[0]["scope"]) == ("city", "320500")


def test_review_fail_rejects(run):
    pid = run.dock()
    run("apply", str(pid), "--as", "city:suzhou", "--paper-copies", "3",
        "--document", run.document())
    run("recommend", str(pid), "--as", "city:suzhou", "--opinion", "同意")
    assert cli_panel_review(run, pid, "fail").exit_code == 0  # the panel's 40s fail it
    assert run.json("show", str(pid))["state"] == "rejected"


def test_withdraw_and_reject_record_their_reason(run):
    first = run.dock()
    assert run("withdraw", str(first), "--as", f"enterprise:{CODE_A}",
               "--reason", "改报下一批").exit_code == 0
    second = run.dock()
    run("apply", str(second), "--as", f"enterprise:{CODE_A}", "--paper-copies", "2",
        "--document", run.document())
    assert run("reject", str(second), "--as", "city:suzhou", "--reason", "材料不全").exit_code == 0
    assert run.json("history", str(first))[-1]["to_state"] == "withdrawn"
    last = run.json("history", str(second))[-1]
    assert (last["event"], last["to_state"]) == ("reject", "rejected")


def test_environment_supplies_actor_and_role(run):
    result = run("dock", "--title", "T", "--enterprise", "E", "--credit-code", CODE_A,
                 "--region", "suzhou", "--category", "demo",
                 env={"ACCEL666_AS": "city:suzhou", "ACCEL666_ACTOR": "张三"})
    assert result.exit_code == 0, result.stderr
    assert run.json("history", "1")[0]["actor"] == "张三"


def test_if_version_fires_only_on_the_version_read(run):
    """A script that read version 1 fires with --if-version 1; a stale number exits 6, names
    both versions, and changes nothing."""
    pid = run.dock()
    stale = run("withdraw", str(pid), "--as", "city:suzhou", "--reason", "x",
                "--if-version", "2", "--json")
    assert stale.exit_code == 6
    error = json.loads(stale.stderr.splitlines()[-1])
    assert (error["error"], error["expected_version"], error["version"]) == ("Stale", 2, 1)
    assert run.json("show", str(pid))["state"] == "docked"
    done = run("withdraw", str(pid), "--as", "city:suzhou", "--reason", "x", "--if-version", "1")
    assert done.exit_code == 0, done.stderr
    assert run.json("show", str(pid))["state"] == "withdrawn"
