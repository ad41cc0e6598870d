"""User errors that used to end in exit 1 (the code for a bug), often with a traceback: each now
exits with its documented code and a one-line message, and changes nothing on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Cli, cst


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The CLI on a SQLite file: these cases are about files and paths."""
    return Cli(f"sqlite:///{tmp_path / 'accel666.db'}", tmp_path)


@pytest.mark.parametrize("args", [["list"], ["verify"], ["escalate"], ["db", "current"],
                                  ["db", "upgrade"]])
def test_a_file_that_is_not_a_database_exits_2(cli: Cli, tmp_path: Path, args: list[str]) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    cli.db_url = str(notes)
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr == "accel666: invalid database: cannot open it: file is not a database\n"
    assert notes.read_text() == "not a database\n"


@pytest.mark.parametrize("args", [["db", "current"], ["db", "upgrade"]])
def test_schema_commands_on_a_directory_exit_2(cli: Cli, tmp_path: Path, args: list[str]) -> None:
    cli.db_url = str(tmp_path)
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr == "accel666: invalid database: cannot open it: unable to open database file\n"


@pytest.mark.parametrize(("url", "reason"), [
    ("http://[::1", "not a valid URL: Invalid IPv6 URL"),
    ("http://127.0.0.1:99999/hook", "not a valid URL: Port out of range 0-65535"),
    ("http://", "expected a URL with a host, e.g. https://ops.example/hook"),
    ("https://:443/hook", "expected a URL with a host, e.g. https://ops.example/hook"),
])
def test_a_webhook_that_cannot_be_posted_to_exits_2_and_records_nothing(run: Cli, url: str,
                                                                        reason: str) -> None:
    run.dock()
    run.moment = cst(2020, 8, 31, 0, 0, 1)  # the application window has closed: one is due
    result = run("escalate", "--webhook", url)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"accel666: invalid webhook: {reason}\n")
    assert run.json("escalations") == []
