"""The schema's revision: create a new database at the head, upgrade an old one with Alembic.

Opening a database only reads one row (the revision) unless the database is new; Alembic is
imported only to upgrade.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import OperationalError, ProgrammingError

from accel666.models.database import write_transaction, writing
from accel666.models.tables import metadata

HEAD = "0013"  # the newest migration in models/migrations/versions
FIRST = "0001"  # the schema as it was before migrations were kept
VERSION_TABLE = "accel666_alembic_version"
_LOCK_KEY = 666_0001  # PostgreSQL advisory lock serialising schema changes

version_table = Table(
    VERSION_TABLE, MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name=f"{VERSION_TABLE}_pkc"),
)


class SchemaOutdated(RuntimeError):
    """The database was made by an older accel666; `accel666 db upgrade` brings it up to date."""

    def __init__(self, current: str | None) -> None:
        super().__init__(
            f"the database schema is at revision {current or 'none'}, this accel666 needs "
            f"{HEAD}: back the database up, then run `accel666 db upgrade`")
        self.current = current


class SchemaNewer(RuntimeError):
    """The database was made by a newer accel666: this one cannot read it or upgrade it."""

    def __init__(self, current: str) -> None:
        super().__init__(
            f"the database schema is at revision {current}, made by a newer accel666 (this one "
            f"knows revisions up to {HEAD}): use that version, or a later one "
            "(pip install --upgrade accel666)")
        self.current = current


def is_newer(revision: str) -> bool:
    """Is `revision` one this accel666 does not know (a later migration)?"""
    return not (revision.isdigit() and int(revision) <= int(HEAD))


class SchemaUnrecorded(RuntimeError):
    """accel666 tables with no revision recorded, shaped like no revision this one can name."""

    def __init__(self, differences: list[str]) -> None:
        super().__init__(
            "the database holds accel666 tables but no record of its schema revision, and "
            f"they are neither those of revision {FIRST} nor those of {HEAD} "
            f"({'; '.join(differences)}): no upgrade can be trusted to fit them; restore a "
            "backup made by accel666, or let accel666 create a new database")
        self.current = None


# The tables and columns of the first schema, as create_all made them before revisions were
# recorded (models/migrations/versions/0001_first_schema.py).
FIRST_COLUMNS = {
    "accel666_project": {"id", "title", "enterprise", "credit_code", "region", "category",
                         "batch", "state", "version", "paper_copies", "created_at",
                         "updated_at"},
    "accel666_transition": {"id", "project_id", "seq", "event", "from_state", "to_state",
                            "actor", "role", "scope", "at", "payload"},
    "accel666_document": {"id", "project_id", "name", "size", "sha256", "content",
                          "uploaded_at"},
    "accel666_extension": {"id", "batch", "phase", "until", "reason", "actor", "role", "at"},
    "accel666_escalation": {"id", "project_id", "batch", "phase", "deadline", "level",
                            "due_at", "fired_at", "lateness_seconds", "target_role",
                            "target_scope", "state_seen", "idempotency_key", "lapsed",
                            "acked_at", "acked_by", "ack_role", "ack_scope", "ack_note",
                            "resolved_at"},
    "accel666_delivery": {"id", "escalation_id", "notifier", "endpoint", "status", "attempts",
                          "last_error", "next_attempt_at", "lease_owner", "lease_until",
                          "delivered_at"},
}


def current(conn: Connection) -> str | None:
    """The database's revision; None if it holds no accel666 schema at all.

    Tables made by `create_all` record none: they are taken for the first schema or for the
    head when their tables and columns are exactly those, and refused otherwise
    (SchemaUnrecorded)."""
    inspector = inspect(conn)
    names = set(inspector.get_table_names())
    if VERSION_TABLE in names:
        return conn.execute(select(version_table.c.version_num)).scalar()
    found = {name: {c["name"] for c in inspector.get_columns(name)}
             for name in names if name.startswith("accel666_")}
    if not found:
        return None
    head = {t.name: {c.name for c in t.columns} for t in metadata.sorted_tables}
    if found == head:
        return HEAD
    if found == FIRST_COLUMNS:
        return FIRST
    raise SchemaUnrecorded(_differences(found, head))


def _differences(found: dict[str, set[str]], expected: dict[str, set[str]]) -> list[str]:
    """What sets `found` apart from `expected`, table by table, in words."""
    said = [f"no table {name}" for name in sorted(expected.keys() - found.keys())]
    said += [f"an unknown table {name}" for name in sorted(found.keys() - expected.keys())]
    for name in sorted(found.keys() & expected.keys()):
        if missing := sorted(expected[name] - found[name]):
            said.append(f"{name} lacks {', '.join(missing)}")
        if extra := sorted(found[name] - expected[name]):
            said.append(f"{name} has unknown {', '.join(extra)}")
    return said


def ensure(engine: Engine) -> None:
    """Create a new database at the head revision; refuse an outdated one with SchemaOutdated."""
    with engine.connect() as conn:
        found = _stored_revision(conn)
    if found == HEAD:
        return
    if found is not None and is_newer(found):
        raise SchemaNewer(found)
    with writing(engine) as conn:
        _serialise(conn)
        found = current(conn)
        if found is None:
            metadata.create_all(conn)
        if found in (None, HEAD):  # a new database, or this version's tables unrecorded
            _record(conn, HEAD)
            return
    if found != HEAD:
        raise SchemaOutdated(found)


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to `revision` with Alembic, in one transaction; returns (before, after).

    SQLite rebuilds a table to alter it, which enforced foreign keys forbid, and the switch
    works only outside a transaction: it is turned off on this connection for the upgrade, and
    the keys are checked before the commit.
    """
    from alembic import command
    from alembic.config import Config

    with engine.connect() as conn:
        raw = conn.connection.driver_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with write_transaction(conn):
                _serialise(conn)
                before = current(conn)
                if before is not None and is_newer(before):
                    raise SchemaNewer(before)
                if before is not None and VERSION_TABLE not in inspect(conn).get_table_names():
                    _record(conn, before)  # tables create_all made: recorded as they were
                cfg = Config()
                cfg.set_main_option("script_location", "accel666.models:migrations")
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                if raw is not None:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the upgrade would break foreign keys: {broken[:5]}")
                after = current(conn)
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys = ON")
    return before, after


def _record(conn: Connection, revision: str) -> None:
    version_table.create(conn)
    conn.execute(version_table.insert().values(version_num=revision))


def _stored_revision(conn: Connection) -> str | None:
    """The recorded revision, read without inspecting the catalogue (the fast path)."""
    try:
        with conn.begin():
            return conn.execute(select(version_table.c.version_num)).scalar()
    except (OperationalError, ProgrammingError):
        return None  # no version table (yet): ensure() looks closer, under the lock


def _serialise(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
