"""CI runs the project's checks with tools the `test` extra installs: the lint, the type check
and the import contracts, before the tests."""

from __future__ import annotations

import re
import tomllib

from tools import tree

ROOT = tree.ROOT
RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
TEST_EXTRA = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
    "project"]["optional-dependencies"]["test"]


def _line(command: str) -> int:
    lines = [n for n, line in enumerate(RUN.splitlines()) if line.strip() == command]
    assert len(lines) == 1, f"`{command}` is not one line of .ci/run"
    return lines[0]


def test_ci_runs_the_checks_in_order_before_the_tests():
    order = [_line(c) for c in ("ruff check .", "python -m tools.typecheck",
                                "python -m tools.contracts", "pytest -n auto")]
    assert order == sorted(order)


def test_the_test_extra_installs_the_checks_tools():
    names = {re.split(r"[<>=!~\[ ;]", spec, maxsplit=1)[0].lower() for spec in TEST_EXTRA}
    assert {"ruff", "mypy", "import-linter", "pytest"} <= names
