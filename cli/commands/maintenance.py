"""Looking after the database: `verify` the record, `db upgrade` the schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from accel666.cli import errors
from accel666.cli.context import call_and_print, json_option

if TYPE_CHECKING:
    from accel666 import Policy, VerifyReport


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
    report = call_and_print(lambda engine: engine.verify(), as_json, to_json=verify_dict,
                            to_text=verify_text, must_exist=True)
    if not report.ok:
        raise click.exceptions.Exit(errors.VERIFY_FAILED)


def counts(report: VerifyReport) -> dict[str, int]:
    return {"projects": report.projects, "log_rows": report.log_rows,
            "documents": report.documents, "escalations": report.escalations}


def verify_dict(report: VerifyReport, _policy: Policy) -> dict[str, Any]:
    return {"ok": report.ok, **counts(report), "problems": [
        {"kind": p.kind, "project_id": p.project_id, "message": p.message}
        for p in report.problems]}


def verify_text(report: VerifyReport, _policy: Policy) -> str:
    """Each problem on a line, then what was checked and the verdict."""
    summary = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts(report).items())
    verdict = "the record holds" if report.ok else f"{len(report.problems)} problem(s)"
    return "\n".join([*(f"{p.kind}: {p.message}" for p in report.problems),
                      f"checked {summary}: {verdict}"])


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
    call_and_print(lambda engine: engine.upgrade_schema(), as_json, create_schema=False,
                   to_json=lambda r, _policy: {"before": r[0], "after": r[1]},
                   to_text=upgrade_text)


def upgrade_text(revisions: tuple[str | None, str | None], _policy: Policy) -> str:
    before, after = revisions
    if before == after:
        return f"schema already at revision {after}"
    return f"schema upgraded from revision {before or 'none'} to {after}"


@db.command()
@json_option
def current(as_json: bool) -> None:
    """Print the database's schema revision."""
    call_and_print(lambda engine: engine.schema_revision(), as_json, create_schema=False,
                   must_exist=True, to_json=lambda revision, _policy: {"revision": revision},
                   to_text=lambda revision, _policy: revision or "none (empty database)")
