"""Every command answers --help, and --help never imports the database stack."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from accel666.cli.main import COMMANDS, cli

ISSUE_COMMANDS = ["dock", "apply", "recommend", "review", "sign", "publish", "reject",
                  "withdraw", "show", "list", "history", "document", "batches", "batch", "demo"]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: cli {name}") or f"Usage: accel666 {name}" \
        in result.stdout


def test_every_issue_command_is_registered():
    assert set(ISSUE_COMMANDS) <= set(COMMANDS)


def test_batch_extend_has_help():
    result = CliRunner().invoke(cli, ["batch", "extend", "--help"])
    assert result.exit_code == 0 and "--until YYYY-MM-DD" in result.stdout


def test_top_help_documents_exit_codes():
    result = CliRunner().invoke(cli, ["--help"])
    for line in ("2  usage error or invalid input", "3  not found", "4  refused by a rule",
                 "5  not permitted", "6  conflict"):
        assert line in result.stdout


def test_help_does_not_import_the_database_stack():
    code = ("import sys; from accel666.cli.main import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'accel666.workflow.engine', "
            "'structlog', 'rich') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "HEAVY []" in out
