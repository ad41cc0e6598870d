"""One logging idiom: every part of accel666, the service included, logs events with fields
through `accel666.workflow.logs`; only that module and the command line's output set-up
(cli/logs.py) touch the standard `logging` module."""

from __future__ import annotations

import ast

from tools import tree

ROOT = tree.ROOT
THE_IDIOM = {"workflow/logs.py", "cli/logs.py"}
MODULES = {path.relative_to(ROOT).as_posix(): path for path in tree.modules().values()}


def _is_logging(module: str | None) -> bool:
    return module is not None and (module == "logging" or module.startswith("logging."))


def uses_logging(source: str) -> list[int]:
    """The lines that import the standard `logging` module (or a name from it)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        plain = isinstance(node, ast.Import) and any(_is_logging(a.name) for a in node.names)
        named = isinstance(node, ast.ImportFrom) and not node.level and _is_logging(node.module)
        if plain or named:
            lines.append(node.lineno)
    return lines


def test_the_walk_sees_the_service_and_the_idiom():
    assert {"service/application.py", "service/auth.py", *THE_IDIOM} <= set(MODULES)


def test_every_other_module_logs_through_the_librarys_events():
    found = {rel: uses_logging(path.read_text(encoding="utf-8"))
             for rel, path in sorted(MODULES.items()) if rel not in THE_IDIOM}
    assert {rel: lines for rel, lines in found.items() if lines} == {}


def test_the_detector_sees_logging_imported():
    source = ("import logging\nfrom logging import getLogger\nimport logging.handlers as h\n"
              "from .logging import x\nfrom accel666.workflow import logs\n")
    assert uses_logging(source) == [1, 2, 3]
