"""Fixtures shared by the whole suite: every backend, a controllable clock, ready actors.

The `db_url` fixture runs each test that uses it on SQLite (a fresh file) and on PostgreSQL (a
throw-away database created for the session and emptied between tests). PostgreSQL tests skip
only when no server answers and ACCEL666_REQUIRE_POSTGRES is unset; CI sets it, so there they
fail instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from tests.helpers import (
    CODE_A,
    CODE_B,
    PG_ADMIN_URL,
    REQUIRE_PG,
    Cli,
    FakeClock,
    cst,
    no_notice_policy,
    reset_logging,
)


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
    from accel666.models import metadata

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
    from accel666 import Engine

    eng = Engine(db_url, clock=clock, policy=no_notice_policy())
    try:
        yield eng
    finally:
        eng.close()


@pytest.fixture
def actors():
    """One actor of each kind, with the scopes the tests use."""
    from accel666 import Actor

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
    """CLI runs send the library's events to their captured stderr, and set the language of
    what people read (--lang); undo both after each test."""
    from accel666.views import labels

    yield
    reset_logging()
    labels.use("en")


@pytest.fixture
def run(db_url: str, tmp_path) -> Cli:
    return Cli(db_url, tmp_path)


# Mutation testing (README, Development): a mutant of these modules runs the policy tests only.
# Every engine test loads a policy, so each of their mutants would otherwise run the whole
# suite; the policy tests are the ones written to catch them.
POLICY_ONLY_MUTANTS = tuple(f"accel666.policies.{m}." for m in (
    "loader", "reader", "document", "model", "credit_code"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if not mutant.startswith(POLICY_ONLY_MUTANTS):
        return
    keep = [i for i in items if "tests/policies/" in i.nodeid]
    config.hook.pytest_deselected(items=[i for i in items if i not in keep])
    items[:] = keep
