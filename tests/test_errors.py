"""One table of errors: each class of the library carries its exit code and its HTTP status, the
command line and the service read them there, and the README and `--help` say the same."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.requests import Request

from accel666 import (
    Conflict,
    InvalidInput,
    NotFound,
    NotPermitted,
    PolicyError,
    Refused,
    Stale,
    Unauthenticated,
    Unavailable,
    WorkflowError,
)
from accel666.cli import errors
from accel666.service import problems

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")

# Each class, one of its errors, its exit code and its HTTP status.
TABLE = [
    (InvalidInput, InvalidInput("score", "must be from 0 to 100 (got 101)", 101), 2, 400),
    (Unauthenticated, Unauthenticated("unknown"), 2, 401),
    (NotFound, NotFound("project", 7), 3, 404),
    (Refused, Refused("sign", "state", "not yet", project_id=7), 4, 422),
    (NotPermitted, NotPermitted("sign", "role", "no", role="city", scope="320500"), 5, 403),
    (Conflict, Conflict("sign", 7, 2), 6, 409),
    (Stale, Stale("sign", 7, 2, 3), 6, 412),
    (Unavailable, Unavailable("locked", "database is locked"), 9, 503),
    (PolicyError, PolicyError("p.toml: timezone: unknown", "p.toml: roles: empty"), 2, 400),
]
IDS = [row[0].__name__ for row in TABLE]


@pytest.mark.parametrize(("cls", "error", "exit_code", "status"), TABLE, ids=IDS)
def test_each_class_carries_its_exit_code_and_http_status(cls, error, exit_code, status):
    assert (cls.exit_code, cls.http_status) == (exit_code, status)
    assert isinstance(error, WorkflowError)
    assert errors.exit_code_for(error) == exit_code
    assert problems.status_for(error) == status


@pytest.mark.parametrize("error", [RuntimeError("disk on fire"), KeyError("x"),
                                   ValueError("not ours"), WorkflowError("no class of its own")])
def test_anything_else_is_a_bug_exit_1_http_500(error):
    assert errors.exit_code_for(error) == errors.UNEXPECTED == 1
    assert problems.status_for(error) == 500


def test_the_table_has_every_class_of_the_hierarchy():
    """A class added to accel666/errors.py gets a row here (and so an exit code and a status
    someone chose)."""
    import accel666.errors

    defined = {c for c in vars(accel666.errors).values()
               if isinstance(c, type) and issubclass(c, WorkflowError) and c is not WorkflowError}
    assert defined | {PolicyError} == {row[0] for row in TABLE}


def test_a_policy_error_is_a_workflow_error_and_still_a_value_error():
    error = PolicyError("a.toml: x: one", "a.toml: y: two")
    assert isinstance(error, WorkflowError) and isinstance(error, ValueError)
    assert error.message == str(error) == "a.toml: x: one\na.toml: y: two"
    assert error.to_dict() == {"error": "PolicyError", "message": error.message,
                               "problems": ["a.toml: x: one", "a.toml: y: two"]}


def test_the_command_line_shows_a_policy_error_as_it_always_has(capsys):
    error = PolicyError("a.toml: x: one", "a.toml: y: two")
    assert errors.report(error, as_json=False) == 2
    assert capsys.readouterr().err == "a.toml: x: one\na.toml: y: two\n"
    assert errors.report(error, as_json=True) == 2
    shown = capsys.readouterr().err
    assert list(json.loads(shown)) == ["error", "message", "problems", "exit_code"]
    assert json.loads(shown) == {"error": "PolicyError", "message": error.message,
                                 "problems": error.problems, "exit_code": 2}


def test_the_service_answers_a_policy_error_with_its_problems():
    request = Request({"type": "http", "method": "POST", "path": "/x", "headers": []})
    answer = problems.from_error(PolicyError("a.toml: x: one", "a.toml: y: two"), request)
    assert answer.status_code == 400 and answer.media_type == problems.MEDIA_TYPE
    assert json.loads(answer.body) == {
        "error": "PolicyError", "problems": ["a.toml: x: one", "a.toml: y: two"],
        "type": "urn:accel666:problem:policy-error", "title": "Bad Request", "status": 400,
        "detail": "a.toml: x: one\na.toml: y: two", "instance": "/x"}


@pytest.mark.parametrize(("cls", "error", "exit_code", "status"), TABLE, ids=IDS)
def test_the_problem_document_has_the_classes_status(cls, error, exit_code, status):
    request = Request({"type": "http", "method": "POST", "path": "/x", "headers": []})
    answer = problems.from_error(error, request)
    body = json.loads(answer.body)
    assert answer.status_code == body["status"] == status
    assert body["error"] == cls.__name__ and body["detail"] == error.message
    assert ("www-authenticate" in answer.headers) == (status == 401)


# The words with which the README's table and the --help epilog name what each class means.
MEANING = {InvalidInput: "invalid input", NotFound: "not found", Refused: "refused",
           NotPermitted: "not permitted", Conflict: "conflict", Unavailable: "unavailable"}


@pytest.mark.parametrize(("cls", "error", "exit_code", "status"), TABLE, ids=IDS)
def test_the_readme_and_the_help_epilog_give_each_classes_exit_code(cls, error, exit_code,
                                                                    status):
    row = re.search(rf"^\| {exit_code} \| (.*) \|$", README, re.M)
    line = re.search(rf"^\s+{exit_code}  (.*)$", errors.EXIT_CODES_HELP, re.M)
    assert row is not None, f"exit code {exit_code} ({cls.__name__}) not in the README's table"
    assert line is not None, f"exit code {exit_code} ({cls.__name__}) not in the --help epilog"
    word = MEANING.get(cls)
    if word is not None:
        assert word in row.group(1) and word in line.group(1)


def test_help_shows_the_epilog():
    from accel666.cli.main import cli

    shown = CliRunner().invoke(cli, ["--help"]).output
    assert "Exit codes:" in shown
    assert all(re.search(rf"^\s+{code}  ", shown, re.M)
               for code in {row[2] for row in TABLE})
