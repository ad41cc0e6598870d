"""The served requests (Idempotency-Key) are the service's own store: service/storage.py holds
every statement and column alias of their table; the rest of the service calls it."""

from __future__ import annotations

import ast

from tools import tree

ROOT = tree.ROOT
TABLE = "served_request"
STORE = "service/storage.py"
# Where the table is defined and created, besides its store.
DEFINED = ("models/tables.py", "models/__init__.py", "models/migrations/versions/")
SQL = ("sqlalchemy", "sqlmodel", "accel666.models")
SOURCES = {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8")
           for p in tree.modules().values()}


def imports_sql(source: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [f"{node.module}.{a.name}" for a in node.names]
                 if isinstance(node, ast.ImportFrom) and node.module and not node.level
                 else [])
        if any(n == s or n.startswith(f"{s}.") for n in names for s in SQL):
            return True
    return False


def test_only_the_store_names_the_table():
    naming = sorted(rel for rel, text in SOURCES.items()
                    if TABLE in text and not rel.startswith(DEFINED))
    assert naming == [STORE]


def test_only_the_store_speaks_sql_in_the_service():
    speaking = sorted(rel for rel, text in SOURCES.items()
                      if rel.startswith("service/") and imports_sql(text))
    assert speaking == [STORE]


def test_the_middleware_calls_the_store():
    assert "from accel666.service import storage" in SOURCES["service/idempotency.py"]


def test_the_sql_detector_sees_the_forms():
    assert imports_sql("from sqlalchemy import select\n")
    assert imports_sql("import sqlalchemy.exc\n")
    assert imports_sql("from accel666 import models\n")
    assert imports_sql("from accel666.models.tables import x\n")
    assert not imports_sql("from accel666 import Engine\nfrom accel666.service import storage\n")
