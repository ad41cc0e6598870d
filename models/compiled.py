"""Core statements compiled once per dialect and run on the driver's own connection.

The few statements every state change runs (load the project, compare-and-set it, append its
log row) are written in SQLAlchemy Core like every other statement; SQLAlchemy renders their
SQL and supplies the column types' bind and result processors. Only the per-call work is done
here: processing the parameters, executing on the driver cursor, processing the row. That skips
SQLAlchemy's per-execution bookkeeping (bench/README.md says what it costs). Driver errors are
raised as SQLAlchemy's wrapped exceptions, as `Connection.execute` raises them, and a connection
the server dropped is invalidated.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

import sqlalchemy
from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement, Select
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase

Processor = Callable[[Any], Any]
# The SQLAlchemy series whose compiler and connection internals this module is tested against
# (pyproject.toml bounds the dependency to match). Another series may change them silently.
TESTED_SERIES = ((2, 0), (2, 1))


class UnsupportedSQLAlchemy(ImportError):
    """The installed SQLAlchemy is of a series this module was not tested against."""


def check_sqlalchemy(version: str) -> None:
    """Refuse, loudly, a SQLAlchemy outside TESTED_SERIES instead of misbehaving with it."""
    parts = version.split(".")
    series = (int(parts[0]), int(parts[1])) if len(parts) > 1 and all(
        p.isdigit() for p in parts[:2]) else None
    if series not in TESTED_SERIES:
        tested = ", ".join(f"{a}.{b}" for a, b in TESTED_SERIES)
        raise UnsupportedSQLAlchemy(
            f"accel666 runs its statements on SQLAlchemy internals tested with SQLAlchemy "
            f"{tested}.x; SQLAlchemy {version} is installed. Install a tested one: "
            f"pip install 'SQLAlchemy>=2.0.30,<2.2'")


check_sqlalchemy(sqlalchemy.__version__)


class DriverStatement:
    """One statement (and, for an UPDATE or INSERT, one set of column keys) for one dialect."""

    def __init__(self, stmt: ClauseElement, dialect: Dialect,
                 column_keys: Iterable[str] | None = None) -> None:
        compiled = cast(SQLCompiler, stmt.compile(
            dialect=dialect, column_keys=None if column_keys is None else list(column_keys)))
        self.sql: str = compiled.string
        if "POSTCOMPILE" in self.sql or getattr(compiled, "escaped_bind_names", None):
            raise ValueError(f"not a plain statement, run it with Connection.execute: {self.sql}")
        self.names: list[str] = list(compiled.positiontup or ()) if compiled.positional else []
        self.positional = compiled.positional
        self.binds = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                      for name, bind in compiled.binds.items()}
        self.defaults = {name: bind.value for name, bind in compiled.binds.items()
                         if bind.value is not None and not bind.required}
        self.row: type | None = None
        self.results: list[Processor | None] = []
        columns = list(stmt.exported_columns) if isinstance(stmt, Select | UpdateBase) else []
        if columns:  # a SELECT, or DML with RETURNING
            self.row = namedtuple("Row", [c.key for c in columns])  # type: ignore[misc]
            self.results = [c.type.dialect_impl(dialect).result_processor(dialect, None)
                            for c in columns]

    def parameters(self, params: Mapping[str, Any]) -> Any:
        values = {**self.defaults, **params}
        for name, process in self.binds.items():
            if process is not None and name in values:
                values[name] = process(values[name])
        return [values[n] for n in self.names] if self.positional else values

    def _cursor(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        args = self.parameters(params)
        dbapi = conn.connection
        cursor = dbapi.cursor()
        try:
            cursor.execute(self.sql, args)
        except conn.dialect.loaded_dbapi.Error as exc:
            cursor.close()
            gone = conn.dialect.is_disconnect(exc, dbapi, cursor)
            if gone:
                conn.invalidate(exc)
            raise DBAPIError.instance(self.sql, args, exc, conn.dialect.loaded_dbapi.Error,
                                      connection_invalidated=gone,
                                      dialect=conn.dialect) from exc
        return cursor

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run on `conn`'s driver connection, inside its transaction; the rows it changed."""
        cursor = self._cursor(conn, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def first(self, conn: Connection, params: Mapping[str, Any]) -> Any | None:
        """The first row, through the columns' result processors, as a named tuple."""
        if self.row is None:
            raise TypeError("first() needs a SELECT or a RETURNING statement")
        cursor = self._cursor(conn, params)
        try:
            raw = cursor.fetchone()
        finally:
            cursor.close()
        if raw is None:
            return None
        return self.row(*(v if p is None else p(v)
                          for p, v in zip(self.results, raw, strict=True)))


_made: dict[tuple[Any, ...], DriverStatement] = {}


def _compiled(conn: Connection, stmt: ClauseElement, params: Mapping[str, Any]) -> DriverStatement:
    # An INSERT or UPDATE is compiled for the columns it is given, as SQLAlchemy does. The
    # statements are module-level constants, so their ids are stable keys.
    keys = tuple(sorted(params)) if isinstance(stmt, UpdateBase) else None
    dialect = conn.dialect
    key = (type(dialect), dialect.paramstyle, id(stmt), keys)
    found = _made.get(key)
    if found is None:
        found = _made[key] = DriverStatement(stmt, dialect, keys)
    return found


def execute(conn: Connection, stmt: ClauseElement, params: Mapping[str, Any]) -> int:
    """Run a prebuilt INSERT or UPDATE on the driver; the number of rows it changed."""
    return _compiled(conn, stmt, params).execute(conn, params)


def first(conn: Connection, stmt: ClauseElement, params: Mapping[str, Any]) -> Any | None:
    """The first row of a prebuilt SELECT (or INSERT/UPDATE ... RETURNING), or None."""
    return _compiled(conn, stmt, params).first(conn, params)


def one(conn: Connection, stmt: ClauseElement, params: Mapping[str, Any]) -> Any:
    """The row an INSERT ... RETURNING (or a SELECT that must find one) gives."""
    row = first(conn, stmt, params)
    if row is None:
        raise LookupError(f"no row from {_compiled(conn, stmt, params).sql}")
    return row
