"""Looking after the database: `verify` the record, `anchor` it, `db upgrade` the schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from accel666.cli import errors, files, output
from accel666.cli.context import call_and_print, json_option

if TYPE_CHECKING:
    from accel666 import Anchor, Policy, VerifyReport


@click.command()
@click.option("--anchor", "anchors", multiple=True, metavar="DIGEST|FILE",
              help="Also prove the record still extends this anchor: its digest (as `accel666 "
                   "anchor` prints it), the file `anchor -o` wrote, or a text file of digests "
                   "(e.g. a log of daily anchors; each is checked). Repeatable.")
@json_option
def verify(anchors: tuple[str, ...], as_json: bool) -> None:
    """Check that the record holds: exit 0 if it does, 7 naming each problem if not.

    Replays every hash chain and compares every row with it: each project's identity (credit
    code, region, category, batch, title, enterprise), state, version, chain head, times and
    paper copies against its transition log; each document against its SHA-256 and the apply
    entry that filed it (a missing one is a problem); every project against the docks chain,
    which holds each one docked (a project deleted with all its rows shows); extensions and
    their revocations, escalations (recorded, acknowledged, resolved), the outbox's deliveries
    (endpoint, status, attempts), stored policies and operators (role, scope, token digest,
    revocation) against the ledger's chains; projects against the policy in force; and every
    decision on record against the policy in force at its moment (window, materials, role,
    region). An edited, inserted or deleted row shows.

    A chain recomputed end to end is consistent again: keep the digest `accel666 anchor`
    prints outside the database, and `--anchor` proves the record still extends it. Reads only.
    """
    from accel666.record import anchoring

    given = [a for spec in anchors for a in anchoring.parse(spec)]
    report = call_and_print(lambda engine: engine.verify(given), as_json, to_json=verify_dict,
                            to_text=verify_text, must_exist=True)
    if not report.ok:
        raise click.exceptions.Exit(errors.VERIFY_FAILED)


def counts(report: VerifyReport) -> dict[str, int]:
    return {"projects": report.projects, "log_rows": report.log_rows,
            "documents": report.documents, "escalations": report.escalations,
            "ledger_rows": report.ledger_rows, "anchors": report.anchors}


def verify_dict(report: VerifyReport, _policy: Policy) -> dict[str, Any]:
    return {"ok": report.ok, **counts(report), "problems": [
        {"kind": p.kind, "project_id": p.project_id, "message": p.message}
        for p in report.problems], "unproven": list(report.unproven)}


def verify_text(report: VerifyReport, _policy: Policy) -> str:
    """Each problem on a line, what cannot be proved, then what was checked and the verdict."""
    from accel666.views.labels import N_, _

    named = {"projects": N_("{n} projects"), "log_rows": N_("{n} log rows"),
             "documents": N_("{n} documents"), "escalations": N_("{n} escalations"),
             "ledger_rows": N_("{n} ledger rows"), "anchors": N_("{n} anchors")}
    summary = _(", ").join(_(named[k]).format(n=n) for k, n in counts(report).items())
    verdict = _("the record holds") if report.ok else \
        _("{n} problem(s)").format(n=len(report.problems))
    unproven = _("unproven: {note}")
    return "\n".join([*(f"{p.kind}: {p.message}" for p in report.problems),
                      *(unproven.format(note=note) for note in report.unproven),
                      _("checked {summary}: {verdict}").format(summary=summary,
                                                               verdict=verdict)])


@click.command()
@click.option("-o", "--output", "out", default=None, metavar="FILE",
              help="Also write the anchor with every chain head to FILE (JSON), which `verify "
                   "--anchor FILE` checks even if the database's copy is gone.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@json_option
def anchor(out: str | None, force: bool, as_json: bool) -> None:
    """Print one digest over every chain head, and record it with the heads.

    Keep the digest outside the database (the province's mail, a published notice, a
    log on another machine): whoever kept it can later run `accel666 verify --anchor DIGEST`
    to prove the record still extends it, which a chain rewritten and recomputed end to end
    does not. A daily cron line: `accel666 verify && accel666 anchor >> anchors.txt`.
    Prints: DIGEST  PROJECTS projects, CHAINS chains, at TIME.
    """
    import json

    target = files.check_output(out, force) if out is not None else None
    taken = call_and_print(lambda engine: engine.anchor(), as_json, to_json=anchor_dict,
                           to_text=anchor_text, must_exist=True)
    if out is not None:
        content = json.dumps(taken.to_dict(), ensure_ascii=False, indent=1) + "\n"
        files.write_output(target, content.encode("utf-8"))


def anchor_dict(taken: Anchor, policy: Policy) -> dict[str, Any]:
    return {"id": taken.id, "digest": taken.digest, "projects": taken.projects,
            "chains": taken.chains, "at": output.local(taken.at, policy)}


def anchor_text(taken: Anchor, policy: Policy) -> str:
    return (f"{taken.digest}  {taken.projects} projects, {taken.chains} chains, at "
            f"{output.local(taken.at, policy)}")


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
