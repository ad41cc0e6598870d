"""User errors that used to end in exit 1 (the code for a bug), often with a traceback: each now
exits with its documented code and a one-line message, and changes nothing on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Cli


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
