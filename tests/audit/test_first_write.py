"""A command that fails, or a dry run, writes nothing: on a fresh database the policy binding
(a policy row and its ledger entry) is written in the same transaction as the first change,
never by a read, a dry run or a refused write."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select

from accel666 import Actor, Engine, models
from tests.audit.audit_support import empty_database
from tests.cli.test_cli_import import CODES, EN, en_rows, write_csv
from tests.helpers import CODE_A, cst

LATER_BATCH = Path(__file__).resolve().parents[2] / "examples" / "later-batch.toml"


def recorded(url: str) -> tuple[int, int]:
    """How many ledger entries and stored policies the database holds (0 for a missing
    table: a database never created)."""
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            names = set(inspect(conn).get_table_names())
            return tuple(  # type: ignore[return-value]
                conn.execute(select(func.count()).select_from(t)).scalar_one()
                if t.name in names else 0
                for t in (models.ledger_table, models.policy_table))
    finally:
        eng.dispose()


@pytest.fixture
def fresh(db_url):
    empty_database(db_url)
    return db_url


def test_an_import_dry_run_on_a_fresh_database_records_nothing(run, fresh, tmp_path):
    """Was: the dry run stored the policy binding (a policy row and its ledger entry)."""
    path = write_csv(tmp_path / "en.csv", EN, en_rows())
    result = run("import", path, "--as", "city:suzhou", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert recorded(fresh) == (0, 0)


@pytest.mark.parametrize("rows, code", [
    ([["A", "E", CODES[0], "nanjing", "demo"]], 4),           # registered in Suzhou: refused
    ([["", "E", CODES[0], "suzhou", "demo"]], 2),             # no title: invalid
    ([["A", "E", CODES[0], "suzhou", "demo"]] * 2, 4),       # the same enterprise twice
], ids=["refused", "invalid", "duplicate"])
def test_a_refused_import_on_a_fresh_database_records_nothing(run, fresh, tmp_path, rows, code):
    """Was: an import refused for bad rows stored the policy binding all the same."""
    as_ = "city:nanjing" if rows[0][3] == "nanjing" else "city:suzhou"
    result = run("import", write_csv(tmp_path / "bad.csv", EN, rows), "--as", as_)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert recorded(fresh) == (0, 0)


def test_reads_and_a_refused_dock_on_a_fresh_database_record_nothing(run, fresh):
    for args in (("list",), ("report",), ("batches",), ("overdue",), ("escalate", "--dry-run"),
                 ("policy", "history")):
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
    run.moment = cst(2020, 7, 16, 10)  # docking closed
    refused = run("dock", "--as", "city:suzhou", "--title", "T", "--enterprise", "E",
                  "--credit-code", CODE_A, "--region", "suzhou", "--category", "demo")
    assert refused.exit_code == 4, refused.stderr
    assert recorded(fresh) == (0, 0)


def test_the_first_change_records_the_policy_in_its_own_transaction(fresh, clock, actors):
    with Engine(fresh, clock=clock) as engine:
        assert recorded(fresh) == (0, 0)
        assert engine.policies() == []
        engine.dock(actors.suzhou, title="T", enterprise="E", credit_code=CODE_A,
                    region="suzhou", category="demo")
        [first] = engine.policies()
        assert (first.applied_at, first.actor, first.reason) == (
            clock(), "accel666", "the policy in force when the database was first used")
        assert recorded(fresh) == (2, 1)  # the policy's entry and the dock's
        assert engine.verify().ok


def test_the_policy_a_first_change_ran_under_is_the_one_recorded(fresh):
    at = cst(2026, 9, 2, 10)
    with Engine(fresh, policy=LATER_BATCH, clock=lambda: at) as engine:
        engine.dock(Actor("c", "city", "suzhou"), title="T", enterprise="E",
                    credit_code=CODE_A, region="suzhou", category="demo", batch="2026-2")
    with Engine(fresh, clock=lambda: at) as later:  # no policy given: the stored one
        assert "2026-2" in later.policy.batches


def test_a_successful_import_records_the_policy_with_the_projects(run, fresh, tmp_path):
    result = run("import", write_csv(tmp_path / "en.csv", EN, en_rows()), "--as", "city:suzhou")
    assert result.exit_code == 0, result.stderr
    assert recorded(fresh) == (2, 1)  # the policy's entry and the import's
    assert run("verify").exit_code == 0
