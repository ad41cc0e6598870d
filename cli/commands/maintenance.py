"""Looking after the database: `verify` the record, `db upgrade` the schema."""

from __future__ import annotations

import click

from accel666.cli import errors, output
from accel666.cli.context import json_option, settings


@click.command()
@json_option
def verify(as_json: bool) -> None:
    """Check that the record holds: exit 0 if it does, 7 naming each problem if not.

    Checks every project's hash-chained transition log (each row's SHA-256 covers the row and
    the previous row's hash, so an edited, deleted or reordered row shows), that each project's
    state, version and chain head agree with its log, that each stored document still matches
    its SHA-256 and the hash its application recorded, and that escalations and deliveries
    reference existing projects and escalations. Reads only.
    """
    with settings().open_engine() as engine:
        report = engine.verify()
    counts = {"projects": report.projects, "log_rows": report.log_rows,
              "documents": report.documents, "escalations": report.escalations}
    if as_json:
        output.emit_json({"ok": report.ok, **counts, "problems": [
            {"kind": p.kind, "project_id": p.project_id, "message": p.message}
            for p in report.problems]})
    else:
        for p in report.problems:
            click.echo(f"{p.kind}: {p.message}")
        summary = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
        verdict = "the record holds" if report.ok else f"{len(report.problems)} problem(s)"
        click.echo(f"checked {summary}: {verdict}")
    if not report.ok:
        raise click.exceptions.Exit(errors.VERIFY_FAILED)


@click.group()
def db() -> None:
    """The database's schema."""


@db.command()
@json_option
def upgrade(as_json: bool) -> None:
    """Bring the database's schema up to this version of accel666 (back it up first).

    A new database is created at the latest schema on first use; one made by an older
    accel666 is refused until it is upgraded. Safe to run twice, and from several machines.
    """
    from accel666 import Engine

    chosen = settings()
    chosen.configure_logging()
    with Engine(chosen.db, policy=chosen.policy, create_schema=False) as engine:
        before, after = engine.upgrade_schema()
    if as_json:
        output.emit_json({"before": before, "after": after})
    elif before == after:
        click.echo(f"schema already at revision {after}")
    else:
        click.echo(f"schema upgraded from revision {before or 'none'} to {after}")


@db.command()
@json_option
def current(as_json: bool) -> None:
    """Print the database's schema revision."""
    from accel666 import Engine

    chosen = settings()
    chosen.configure_logging()
    with Engine(chosen.db, policy=chosen.policy, create_schema=False) as engine:
        revision = engine.schema_revision()
    if as_json:
        output.emit_json({"revision": revision})
    else:
        click.echo(revision or "none (empty database)")
