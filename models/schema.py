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

HEAD = "0009"  # the newest migration in models/migrations/versions
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


def current(conn: Connection) -> str | None:
    """The database's revision; None if it holds no accel666 schema at all."""
    names = set(inspect(conn).get_table_names())
    if VERSION_TABLE in names:
        return conn.execute(select(version_table.c.version_num)).scalar()
    # Made by create_all before revisions were recorded: the first schema.
    return FIRST if "accel666_project" in names else None


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
            version_table.create(conn)
            conn.execute(version_table.insert().values(version_num=HEAD))
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
                if before == FIRST and VERSION_TABLE not in inspect(conn).get_table_names():
                    version_table.create(conn)
                    conn.execute(version_table.insert().values(version_num=FIRST))
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
