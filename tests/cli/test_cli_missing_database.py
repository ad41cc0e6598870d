"""A read-only command on a database path that does not exist exits 3 and creates nothing: a
mistyped path used to create an empty database, on which `verify` said the record holds."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from accel666 import Engine, NotFound
from tests.helpers import cst

READS = [("list",), ("show", "1"), ("history", "1"), ("document", "1", "-o", "-"),
         ("batches",), ("overdue",), ("escalations",), ("verify",), ("db", "current")]


@pytest.mark.parametrize("args", READS, ids=lambda a: " ".join(a[:2]))
def test_a_read_on_a_missing_database_exits_3_and_creates_nothing(tmp_path, args):
    from accel666.cli.main import cli

    path = tmp_path / "walkthroguh.db"  # mistyped
    result = CliRunner().invoke(cli, ["--db", str(path), *args])
    assert result.exit_code == 3, result.output
    assert result.stderr == (f"accel666: no database at {path}; `accel666 db upgrade` creates "
                             "one, as does any command that writes\n")
    assert list(tmp_path.iterdir()) == []


def test_the_json_error_names_the_database(tmp_path):
    from accel666.cli.main import cli

    path = tmp_path / "missing.db"
    result = CliRunner().invoke(cli, ["--db", str(path), "list", "--json"])
    assert result.exit_code == 3
    error = json.loads(result.stderr)
    assert (error["error"], error["kind"], error["key"]) == ("NotFound", "database", str(path))


def test_a_command_that_writes_creates_the_database(tmp_path):
    from accel666.cli.main import cli

    path = tmp_path / "new.db"
    assert CliRunner().invoke(cli, ["--db", str(path), "db", "upgrade"]).exit_code == 0
    assert path.exists()
    assert CliRunner().invoke(cli, ["--db", str(path), "verify"]).exit_code == 0


def test_the_library_creates_unless_told_the_database_must_exist(tmp_path):
    clock = lambda: cst(2020, 7, 1, 12, 0, 0)  # noqa: E731
    with pytest.raises(NotFound):
        Engine(str(tmp_path / "a.db"), clock=clock, must_exist=True)
    assert not (tmp_path / "a.db").exists()
    Engine(str(tmp_path / "a.db"), clock=clock).close()
    assert (tmp_path / "a.db").exists()
