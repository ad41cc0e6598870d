"""Every exit code of the table in cli/errors.py, with the message the user sees."""

from __future__ import annotations

import json

import pytest

from tests.helpers import CODE_A, CODE_B, cst


def test_invalid_credit_code_exits_2_and_names_the_rule(run):
    result = run("dock", "--as", "city:suzhou", "--title", "T", "--enterprise", "E",
                 "--credit-code", "914403001922038217", "--region", "suzhou",
                 "--category", "demo")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "accel666: invalid credit code: check character (position 18) is '7', expected '6'\n")
    assert result.stdout == ""


@pytest.mark.parametrize(("args", "message"), [
    (("--region", "beijing", "--category", "demo"), "accel666: invalid region: unknown region"),
    (("--region", "suzhou", "--category", "gold"),
     "accel666: invalid category: use one of cloud-base, backbone, demo"),
    (("--region", "suzhou", "--category", "demo", "--batch", "2099-9"),
     "accel666: invalid batch: unknown batch '2099-9'; batches: 2020-1"),
])
def test_unknown_names_exit_2(run, args, message):
    result = run("dock", "--as", "city:suzhou", "--title", "T", "--enterprise", "E",
                 "--credit-code", CODE_A, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_bad_role_spec_exits_2(run):
    result = run("dock", "--as", "mayor", "--title", "T", "--enterprise", "E",
                 "--credit-code", CODE_A, "--region", "suzhou", "--category", "demo")
    assert result.exit_code == 2
    assert "accel666: invalid role: unknown role 'mayor'; roles: enterprise, tencent, city, " \
           "province" in result.stderr


def test_click_usage_error_exits_2(run):
    result = run("apply", "1", "--as", "province", "--paper-copies", "two", "--document", "x")
    assert result.exit_code == 2
    assert "'two' is not a valid integer" in result.stderr


def test_negative_paper_copies_exit_2_and_change_nothing(run):
    pid = run.dock()
    result = run("apply", str(pid), "--as", f"enterprise:{CODE_A}", "--paper-copies", "-1",
                 "--document", run.document())
    assert result.exit_code == 2
    assert "accel666: invalid paper copies: must be 0 or more (got -1)" in result.stderr
    assert run.json("show", str(pid))["version"] == 1


def test_missing_document_exits_2(run, tmp_path):
    pid = run.dock()
    missing = tmp_path / "nope.pdf"
    result = run("apply", str(pid), "--as", f"enterprise:{CODE_A}", "--paper-copies", "2",
                 "--document", str(missing))
    assert result.exit_code == 2
    assert f"accel666: invalid document: cannot read {missing}: No such file or directory" \
        in result.stderr


def test_not_found_exits_3(run):
    assert run("db", "upgrade").exit_code == 0  # an empty database, not a missing one
    result = run("show", "42")
    assert result.exit_code == 3
    assert result.stderr == "accel666: project 42 not found\n"


def test_deadline_refusal_exits_4(run):
    pid = run.dock()
    run.moment = cst(2020, 8, 31, 0, 0, 0)
    result = run("apply", str(pid), "--as", f"enterprise:{CODE_A}", "--paper-copies", "2",
                 "--document", run.document())
    assert result.exit_code == 4
    assert result.stderr.endswith(
        "accel666: apply refused: the application window of batch 2020-1 closed at "
        "2020-08-30 23:59:59 +08:00\n")


def test_materials_refusal_exits_4(run):
    pid = run.dock()
    result = run("apply", str(pid), "--as", f"enterprise:{CODE_A}", "--paper-copies", "1",
                 "--document", run.document())
    assert result.exit_code == 4
    assert "accel666: apply refused: the application needs 2 paper copies (got 1)" \
        in result.stderr


def test_state_refusal_exits_4(run):
    pid = run.dock()
    result = run("recommend", str(pid), "--as", "city:suzhou", "--opinion", "同意")
    assert result.exit_code == 4
    assert f"accel666: recommend refused: project {pid} is docked; recommend needs it applied" \
        in result.stderr


def test_duplicate_refusal_exits_4(run):
    pid = run.dock()
    result = run("dock", "--as", "tencent", "--title", "T2", "--enterprise", "E",
                 "--credit-code", CODE_A, "--region", "suzhou", "--category", "demo")
    assert result.exit_code == 4
    assert (f"accel666: dock refused: enterprise {CODE_A} already holds live project {pid} "
            "in category demo of batch 2020-1") in result.stderr


def test_other_region_exits_5(run):
    pid = run.dock(region="kunshan", actor="city:kunshan")
    result = run("withdraw", str(pid), "--as", "city:suzhou", "--reason", "x")
    assert result.exit_code == 5
    assert ("accel666: withdraw not permitted: city:320500 may not act on a project of region "
            "320583 (昆山市)") in result.stderr


def test_wrong_role_exits_5(run):
    pid = run.dock()
    result = run("withdraw", str(pid), "--as", f"enterprise:{CODE_B}", "--reason", "x")
    assert result.exit_code == 5
    assert f"enterprise {CODE_B} may act only on its own projects" in result.stderr


def test_conflict_exits_6(run, monkeypatch):
    from accel666 import Conflict

    pid = run.dock()

    def moved(*_a, **_k):
        raise Conflict("withdraw", pid, 1)

    monkeypatch.setattr("accel666.models.stores.projects.compare_and_set", moved)
    result = run("withdraw", str(pid), "--as", "city:suzhou", "--reason", "x")
    assert result.exit_code == 6
    assert (f"accel666: withdraw conflict: project {pid} changed since version 1 was read; "
            "show it again and retry") in result.stderr


def test_unexpected_error_exits_1_with_its_type(run, monkeypatch):
    assert run("db", "upgrade").exit_code == 0
    def broken(*_a, **_k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("accel666.workflow.engine.Engine.get", broken)
    result = run("show", "1")
    assert result.exit_code == 1
    assert "accel666: unexpected error: RuntimeError: disk on fire" in result.stderr


def test_json_errors_are_structured_on_stderr(run):
    assert run("db", "upgrade").exit_code == 0  # an empty database, not a missing one
    result = run("show", "7", "--json")
    assert result.exit_code == 3
    assert result.stdout == ""
    error = json.loads(result.stderr.strip().splitlines()[-1])
    assert error == {"error": "NotFound", "message": "project 7 not found", "kind": "project",
                     "key": 7, "exit_code": 3}


@pytest.mark.parametrize(("db", "message"), [
    ("/nonexistent/dir/x.db", "accel666: invalid database: cannot open it: unable to open "
                              "database file"),
    ("", "accel666: invalid database: give a database URL or a SQLite file path"),
    ("foo://bar", "accel666: invalid database: not a database URL or path: Can't load plugin: "
                  "sqlalchemy.dialects:foo"),
])
def test_a_database_that_cannot_be_opened_exits_2(run, db, message):
    run.db_url = db
    result = run("db", "upgrade")  # a command that would create it
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_ctrl_c_exits_130_without_a_word(run, monkeypatch):
    assert run("db", "upgrade").exit_code == 0
    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr("accel666.workflow.engine.Engine.get", interrupted)
    result = run("show", "1")
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "")
