"""What the package needs from its environment, and what it says when that is missing."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest
import sqlalchemy

from accel666 import Engine, InvalidInput
from accel666.models import compiled

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_installed_sqlalchemy_is_a_tested_one():
    compiled.check_sqlalchemy(sqlalchemy.__version__)


@pytest.mark.parametrize("version", ["2.2.0", "3.0.1", "1.4.52", "2.2.0b1", "garbage"])
def test_an_untested_sqlalchemy_is_refused_loudly(version):
    """The driver-level statements would misbehave quietly on changed internals: refuse."""
    with pytest.raises(compiled.UnsupportedSQLAlchemy) as err:
        compiled.check_sqlalchemy(version)
    assert str(err.value) == (
        f"accel666 runs its statements on SQLAlchemy internals tested with SQLAlchemy 2.0, "
        f"2.1.x; SQLAlchemy {version} is installed. Install a tested one: "
        "pip install 'SQLAlchemy>=2.0.30,<2.2'")


def test_the_dependency_bound_matches_the_tested_series():
    """pyproject.toml's upper bound on SQLAlchemy is the series after the newest tested one."""
    (spec,) = [d for d in PYPROJECT["project"]["dependencies"] if d.startswith("SQLAlchemy")]
    upper = re.search(r"<(\d+)\.(\d+)", spec)
    assert upper is not None, spec
    newest = max(compiled.TESTED_SERIES)
    assert (int(upper.group(1)), int(upper.group(2))) == (newest[0], newest[1] + 1)


def test_psycopg_is_an_extra_the_test_tools_include():
    optional = PYPROJECT["project"]["optional-dependencies"]
    assert not any(d.startswith("psycopg") for d in PYPROJECT["project"]["dependencies"])
    assert any(d.startswith("psycopg") for d in optional["postgres"])
    assert any(d.startswith("psycopg") for d in optional["test"])


def test_a_postgresql_url_without_psycopg_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    with pytest.raises(InvalidInput) as err:
        Engine("postgresql://postgres@127.0.0.1:5432/test")
    assert err.value.message == ("invalid database: a PostgreSQL database needs the psycopg "
                                 "driver: pip install 'accel666[postgres]'")


def test_the_cli_exits_2_naming_the_extra(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from accel666.cli.main import cli

    monkeypatch.setitem(sys.modules, "psycopg", None)
    result = CliRunner().invoke(cli, ["--db", "postgresql://postgres@127.0.0.1/test", "list"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("accel666: invalid database: a PostgreSQL database needs "
                                     "the psycopg driver: pip install 'accel666[postgres]'")
