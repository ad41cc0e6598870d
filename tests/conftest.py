"""Fixtures shared by the whole suite: every backend, a controllable clock, ready actors.

The `db_url` fixture runs each test that uses it on SQLite (a fresh file) and on PostgreSQL (a
throw-away database created for the session and emptied between tests). PostgreSQL tests skip
only when no server answers and ACCEL666_REQUIRE_POSTGRES is unset; CI sets it, so there they
fail instead of skipping.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from freezegun import freeze_time
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

CST = ZoneInfo("Asia/Shanghai")
PG_ADMIN_URL = os.environ.get(
    "ACCEL666_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("ACCEL666_REQUIRE_POSTGRES", "") not in ("", "0")

# Credit codes that pass both check characters (from the standard's published examples).
CODE_A = "914403001922038216"
CODE_B = "91440300708461136T"
CODE_C = "9144030071526726XG"
CODE_D = "91350100M000100Y43"


class FakeClock:
    """The engine's clock in tests: set and advanced by hand, never read from the wall."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


def cst(*args: int) -> datetime:
    """An aware datetime in China Standard Time."""
    return datetime(*args, tzinfo=CST)  # type: ignore[misc]


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test session; dropped at the end."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"accel666_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (ACCEL666_REQUIRE_POSTGRES) but failed: {exc}")
        pytest.skip(f"no PostgreSQL server answers at {PG_ADMIN_URL}: {exc}")
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_pg(url: str) -> None:
    from models import metadata

    eng = create_engine(url)
    try:
        with eng.begin() as conn:
            existing = set(conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )).scalars())
            names = [t.name for t in metadata.sorted_tables if t.name in existing]
            if names:
                conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
    finally:
        eng.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path, request: pytest.FixtureRequest) -> str:
    """A database URL for an empty database on the test's backend."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'accel666.db'}"
    url: str = request.getfixturevalue("pg_database")
    _empty_pg(url)
    return url


@pytest.fixture
def pg_url(pg_database: str) -> str:
    """An empty PostgreSQL database, for the few tests about PostgreSQL's behaviour alone."""
    _empty_pg(pg_database)
    return pg_database


@pytest.fixture
def clock() -> FakeClock:
    """Noon, China time, on 2020-07-01: every window of batch 2020-1 but signing is open."""
    return FakeClock(cst(2020, 7, 1, 12, 0, 0).astimezone(UTC))


@pytest.fixture
def engine(db_url: str, clock: FakeClock):
    from workflow import Engine

    eng = Engine(db_url, clock=clock)
    try:
        yield eng
    finally:
        eng.close()


@pytest.fixture
def actors():
    """One actor of each kind, with the scopes the tests use."""
    from workflow import Actor

    class A:
        tencent = Actor("tx", "tencent")
        province = Actor("prov", "province")
        suzhou = Actor("sz", "city", "suzhou")
        nanjing = Actor("nj", "city", "nanjing")
        kunshan = Actor("ks", "city", "kunshan")
        ent_a = Actor("ea", "enterprise", CODE_A)
        ent_b = Actor("eb", "enterprise", CODE_B)

    return A


@pytest.fixture(autouse=True)
def _reset_logging() -> Iterator[None]:
    """CLI runs configure structlog to write to their captured stderr; undo that after each test."""
    yield
    import structlog

    structlog.reset_defaults()



class Cli:
    """Runs `accel666 --db URL ...` at a frozen moment (China time) and keeps the last result."""

    def __init__(self, db_url: str, tmp_path) -> None:
        self.db_url = db_url
        self.tmp_path = tmp_path
        self.moment = cst(2020, 7, 1, 10, 0, 0)
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None, **kw: Any) -> Result:
        from cli.main import cli

        with freeze_time(self.moment.astimezone(UTC)):
            return self.runner.invoke(cli, ["--db", self.db_url, *args], env=env,
                                      catch_exceptions=False, **kw)

    def json(self, *args: str) -> Any:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    def dock(self, *extra: str, code: str = CODE_A, region: str = "suzhou",
             actor: str = "city:suzhou") -> int:
        result = self("dock", "--as", actor, "--title", "云上工厂", "--enterprise", "苏州某某科技",
                      "--credit-code", code, "--region", region, "--category", "demo", *extra)
        assert result.exit_code == 0, result.stderr
        return int(result.stdout.strip())

    def document(self, content: bytes = b"%PDF-1.4 test") -> str:
        path = self.tmp_path / "application.pdf"
        path.write_bytes(content)
        return str(path)


@pytest.fixture
def run(db_url: str, tmp_path) -> Cli:
    return Cli(db_url, tmp_path)
