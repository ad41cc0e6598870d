"""The README keeps up with the code: every command and exit code is documented there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accel666.cli import errors
from accel666.cli.main import COMMANDS

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_is_documented(name):
    assert re.search(rf"accel666 {re.escape(name)}\b", README), f"`accel666 {name}` not in README"


def test_exit_codes_table_matches_cli():
    """The codes of the command line and those the library's error classes carry."""
    from accel666 import PolicyError, WorkflowError
    from accel666 import errors as library

    classes = [c for c in (*vars(library).values(), PolicyError)
               if isinstance(c, type) and issubclass(c, WorkflowError)]
    codes = {v for k, v in vars(errors).items() if k.isupper() and isinstance(v, int)}
    codes |= {c.exit_code for c in classes}
    assert {3, 4, 5, 6, 9} <= codes
    for code in codes:
        assert re.search(rf"^\| {code} \| ", README, re.M), f"exit code {code} not in README"


def test_first_lines_give_the_two_fresh_machine_commands():
    block = README.split("```", 2)[1]
    assert "pip install . && accel666 demo" in block
    assert "pip install -e '.[test]' && pytest" in block
