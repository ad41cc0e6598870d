"""Schema migrations: new databases at the head, old ones upgraded without losing anything."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, create_engine, insert, select

from accel666 import Actor, Engine, InvalidInput, models
from accel666.models import schema
from tests.audit.audit_support import at_revision, behind_the_back, empty_database
from tests.helpers import CODE_A, CODE_B, cst

AT = datetime(2020, 7, 1, 4, 0, tzinfo=UTC)


def fill_first_schema(url: str) -> None:
    """Rows as accel666 wrote them at revision 0001: two projects with logs, a document,
    an extension, an escalation and its delivery."""
    eng = create_engine(url)
    meta = MetaData()
    t = {name: Table(f"accel666_{name}", meta, autoload_with=eng)
         for name in ("project", "transition", "document", "extension", "escalation", "delivery")}
    with eng.begin() as conn:
        for pid, code, state, events in (
            (1, CODE_A, "applied", [("dock", None, "docked"), ("apply", "docked", "applied")]),
            (2, CODE_B, "docked", [("dock", None, "docked")]),
        ):
            conn.execute(insert(t["project"]).values(
                id=pid, title=f"项目{pid}", enterprise=f"企业{pid}", credit_code=code,
                region="320500", category="demo", batch="2020-1", state=state,
                version=len(events), paper_copies=2 if pid == 1 else None, created_at=AT,
                updated_at=AT))
            for seq, (event, source, dest) in enumerate(events, start=1):
                payload = {"sha256": "ab" * 32, "paper_copies": 2} if event == "apply" else {}
                conn.execute(insert(t["transition"]).values(
                    project_id=pid, seq=seq, event=event, from_state=source, to_state=dest,
                    actor="王工", role="city", scope="320500", at=AT, payload=payload))
        conn.execute(insert(t["document"]).values(
            project_id=1, name="a.pdf", size=3, sha256="ab" * 32, content=b"abc",
            uploaded_at=AT))
        conn.execute(insert(t["extension"]).values(
            batch="2020-1", phase="review", until=datetime(2020, 10, 9).date(), reason="延期",
            actor="省厅", role="province", at=AT))
        conn.execute(insert(t["escalation"]).values(
            project_id=2, batch="2020-1", phase="application", deadline=AT, level=1, due_at=AT,
            fired_at=AT, lateness_seconds=0, target_role="city", target_scope="320500",
            state_seen="docked", idempotency_key="k-2-application-1", lapsed=False))
        conn.execute(insert(t["delivery"]).values(
            escalation_id=1, notifier="log", status="delivered", attempts=1,
            next_attempt_at=AT, delivered_at=AT))
    eng.dispose()


def test_head_constant_is_the_newest_migration():
    cfg = Config()
    cfg.set_main_option("script_location", "accel666.models:migrations")
    assert ScriptDirectory.from_config(cfg).get_current_head() == schema.HEAD


def test_a_new_database_is_created_at_the_head(db_url):
    empty_database(db_url)
    with Engine(db_url) as engine:
        assert engine.schema_revision() == schema.HEAD


def test_migrations_build_the_same_schema_as_the_models(db_url):
    """Upgrading an empty database step by step gives exactly the tables the code declares."""
    at_revision(db_url, "head")
    eng = models.create(db_url)
    try:
        with eng.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True,
                                                       "version_table": schema.VERSION_TABLE}),
                models.metadata)
    finally:
        eng.dispose()
    assert diff == []


def test_upgrade_from_the_first_schema_keeps_every_row_and_chains_the_log(db_url, run):
    at_revision(db_url, "0001")
    fill_first_schema(db_url)
    with pytest.raises(InvalidInput) as refused:
        Engine(db_url)
    assert refused.value.field == "database"
    assert f"schema is at revision 0001, this accel666 needs {schema.HEAD}" in refused.value.reason

    result = run("db", "upgrade")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"schema upgraded from revision 0001 to {schema.HEAD}\n"
    assert run("db", "upgrade").stdout == f"schema already at revision {schema.HEAD}\n"

    with Engine(db_url) as engine:
        assert [(p.id, p.state, p.version) for p in engine.projects()] == [
            (1, "applied", 2), (2, "docked", 1)]
        assert [h.event for h in engine.history(1)] == ["dock", "apply"]
        assert engine.document(1).content == b"abc"
        assert [(x.project_id, x.level, x.state_seen) for x in engine.escalations()] == [
            (2, 1, "docked")]
        assert any(w.extended for b in engine.batches() for w in b.windows if w.phase == "review")
        assert engine.get(1).head_hash == engine.history(1)[-1].hash
        report = engine.verify()
        assert [p.kind for p in report.problems] == ["document"]  # the fixture's fake bytes
        assert report.log_rows == 3

    run.moment = cst(2020, 7, 3, 10)
    moved = run("withdraw", "2", "--as", "city:suzhou", "--reason", "企业放弃")
    assert moved.exit_code == 0, moved.stderr
    with Engine(db_url) as engine:
        assert engine.history(2)[-1].seq == 2


def test_a_database_from_before_revisions_were_kept_is_upgraded(db_url):
    """Tables made by create_all at the first schema, with no revision row, count as 0001."""
    at_revision(db_url, "0001")
    fill_first_schema(db_url)
    eng = create_engine(db_url)
    with eng.begin() as conn:
        schema.version_table.drop(conn)
    eng.dispose()
    with Engine(db_url, create_schema=False) as engine:
        assert engine.schema_revision() == "0001"
        assert engine.upgrade_schema() == ("0001", schema.HEAD)
    with Engine(db_url) as engine:
        assert engine.verify().log_rows == 3


def test_migration_files_ship_with_the_package():
    versions = Path(models.__file__).parent / "migrations" / "versions"
    assert sorted(p.name for p in versions.glob("0*.py")) == [
        "0001_first_schema.py", "0002_hash_chain.py", "0003_delivery_claim_index.py",
        "0004_lifecycle_checks.py", "0005_extension_acts.py",
        "0006_stored_policy.py", "0007_ledger.py", "0008_operators.py",
        "0009_served_requests.py", "0010_sessions.py", "0011_docks_and_outbox_chains.py",
        "0012_review_panels.py", "0013_notices.py"]


def test_an_engine_can_work_after_upgrade_with_actors(db_url):
    at_revision(db_url, "head")
    with Engine(db_url, clock=lambda: cst(2020, 7, 1, 10)) as engine:
        p = engine.dock(Actor("x", "tencent"), title="T", enterprise="E", credit_code=CODE_A,
                        region="suzhou", category="demo")
        assert engine.verify().ok
        assert select(models.project_table.c.id) is not None
        assert p.version == 1


def test_the_upgrade_to_the_ledger_adopts_what_the_database_held(db_url):
    """Rows from before schema 0007 are adopted as found: verify names what they cannot prove,
    and an edit of one of them after the upgrade still shows."""
    at_revision(db_url, "0001")
    fill_first_schema(db_url)
    eng = models.create(db_url)
    try:
        schema.upgrade(eng)
    finally:
        eng.dispose()
    with Engine(db_url) as engine:
        report = engine.verify()
        assert [p.kind for p in report.problems] == ["document"]  # the fixture's fake bytes
        assert len(report.unproven) == 1
        assert "with 2 projects, 1 extensions, 1 escalations, 0 policies already on record" \
            in report.unproven[0]
        assert "2 of those projects' dock entries do not record their identity" \
            in report.unproven[0]
    behind_the_back(db_url, "UPDATE accel666_project SET region = '320583' WHERE id = 2",
                    "UPDATE accel666_extension SET until = '2999-12-31'")
    with Engine(db_url) as engine:
        found = [(p.kind, p.message) for p in engine.verify().problems]
    assert ("adopted", "the projects held when the ledger began (ids up to 2) are no longer as "
            "they were found then: a row was changed, inserted or deleted") in found
    assert ("adopted", "the extensions held when the ledger began (ids up to 1) are no longer "
            "as they were found then: a row was changed, inserted or deleted") in found


def test_the_upgrade_to_operators_adds_their_table_and_chain(db_url, run):
    """A database at the ledger's schema (0007) is refused until upgraded; then operators are
    granted, authenticated and proved like any act (rows kept: the upgrade from 0001 above)."""
    at_revision(db_url, "0007")
    with pytest.raises(InvalidInput) as refused:
        Engine(db_url)
    assert f"schema is at revision 0007, this accel666 needs {schema.HEAD}" in refused.value.reason
    result = run("db", "upgrade")
    assert result.stdout == f"schema upgraded from revision 0007 to {schema.HEAD}\n", result.stderr
    with Engine(db_url) as engine:
        token = engine.add_operator("li", "city:suzhou", by="prov").token
        assert engine.authenticate(token).scope == "320500"
        report = engine.verify()
        assert report.ok and report.unproven == (), report.problems
        assert report.ledger_rows == 2  # the policy recorded at first use, the grant


def test_a_new_database_begins_its_ledger_with_nothing_to_adopt(engine, actors):
    engine.dock(actors.tencent, title="T", enterprise="E", credit_code=CODE_A, region="suzhou",
                category="demo")
    report = engine.verify()
    assert report.ok and report.unproven == ()
    assert report.ledger_rows == 2  # the policy, recorded with the first change; the dock


def _tables(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, in order: the whole database, to compare before and after."""
    eng = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(eng)
        with eng.connect() as conn:
            return {name: sorted(map(tuple, conn.execute(select(table)).all()), key=repr)
                    for name, table in meta.tables.items()}
    finally:
        eng.dispose()


def made_by_create_all(url: str, tables: list[Table]) -> None:
    """An empty database given `tables` by `metadata.create_all`, as an embedder would."""
    empty_database(url)
    eng = create_engine(url)
    try:
        with eng.begin() as conn:
            models.metadata.create_all(conn, tables=tables)
    finally:
        eng.dispose()


def test_tables_made_by_create_all_at_the_head_are_recorded_at_the_head(db_url):
    """An embedder that made the tables itself (`models.metadata.create_all`) recorded no
    revision: the tables are this version's, so the database opens, and is recorded at the
    head, instead of being taken for the first schema and broken by its upgrade."""
    made_by_create_all(db_url, models.metadata.sorted_tables)
    with Engine(db_url, create_schema=False) as engine:
        assert engine.schema_revision() == schema.HEAD
        assert engine.upgrade_schema() == (schema.HEAD, schema.HEAD)
    with Engine(db_url, clock=lambda: cst(2020, 7, 1, 10)) as engine:
        engine.dock(Actor("x", "tencent"), title="T", enterprise="E", credit_code=CODE_A,
                    region="suzhou", category="demo")
        assert engine.verify().ok
    assert _tables(db_url)[schema.VERSION_TABLE] == [(schema.HEAD,)]


def test_tables_with_no_revision_that_match_no_schema_are_refused_unchanged(db_url, run):
    """Neither the first schema nor this version's (a table of the head missing, here): no
    upgrade can be trusted to fit them, so opening and upgrading both refuse, with exit 2,
    and write nothing."""
    made_by_create_all(db_url, [t for t in models.metadata.sorted_tables  # and its sessions'
                                if t.name not in ("accel666_operator", "accel666_session")])
    try:
        before = _tables(db_url)
        for args in (("list",), ("db", "upgrade"), ("db", "current")):
            result = run(*args)
            assert result.exit_code == 2, (args, result.stdout, result.stderr)
            assert "no record of its schema revision" in result.stderr
            assert "no table accel666_operator" in result.stderr
        with pytest.raises(InvalidInput) as refused:
            Engine(db_url)
        assert refused.value.field == "database"
        assert _tables(db_url) == before
    finally:
        empty_database(db_url)  # the next test on this server database finds it usable


def test_the_upgrade_to_the_docks_and_outbox_chains_adopts_what_is_held(db_url):
    """Projects and deliveries held before schema 0011 are adopted one by one: the `docks`
    chain begins with every project's id and identity, the `outbox` chain with every delivery's
    endpoint, status and attempts; a project deleted or a delivery changed after the upgrade
    is named."""
    at_revision(db_url, "0001")
    fill_first_schema(db_url)
    eng = models.create(db_url)
    try:
        schema.upgrade(eng, "0010")
        assert schema.upgrade(eng, "0011") == ("0010", "0011")
        assert schema.upgrade(eng) == ("0011", schema.HEAD)  # the panels', the notices' after
    finally:
        eng.dispose()
    ledger = models.ledger_table.c
    plain = create_engine(db_url)
    with plain.connect() as conn:
        entries = conn.execute(select(ledger.chain, ledger.seq, ledger.kind, ledger.body)
                               .where(ledger.chain.in_(("docks", "outbox")))
                               .order_by(ledger.chain, ledger.seq)).all()
        proved = conn.execute(select(models.delivery_table.c.proved_in)).scalars().all()
    plain.dispose()
    assert [(e.chain, e.seq, e.kind) for e in entries] == [("docks", 1, "adopt"),
                                                           ("outbox", 1, "held")]
    assert entries[0].body["projects"] == [
        [1, "项目1", "企业1", CODE_A, "320500", "demo", "2020-1"],
        [2, "项目2", "企业2", CODE_B, "320500", "demo", "2020-1"]]
    assert entries[1].body["deliveries"] == [[1, 1, "log", None, "delivered", 1]]
    assert proved == [1]
    with Engine(db_url) as engine:
        assert [p.kind for p in engine.verify().problems] == ["document"]  # the fake bytes
    behind_the_back(db_url, "DELETE FROM accel666_document WHERE project_id = 1",
                    "DELETE FROM accel666_transition WHERE project_id = 1",
                    "DELETE FROM accel666_project WHERE id = 1",
                    "UPDATE accel666_delivery SET status = 'failed'")
    with Engine(db_url) as engine:
        found = [(p.kind, p.message) for p in engine.verify().problems]
    assert ("project", f"project 1 ('项目1', enterprise 企业1, credit code {CODE_A}, region "
            "320500, category demo, batch 2020-1) is in the docks chain but not on record: it "
            "was deleted") in found
    assert ("delivery", "delivery 1 (escalation 1, log): status differs from what the outbox "
            "chain records") in found
