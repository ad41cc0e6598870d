"""Commands that read: show, list, history, document."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from accel666.cli import files, output
from accel666.cli.context import (
    call_and_print,
    json_option,
    paging,
    reader_from,
    reading,
    with_engine,
)

if TYPE_CHECKING:
    from accel666 import Policy, Project, Transition

project_id_argument = click.argument("project_id", type=int, metavar="ID")


@click.command()
@project_id_argument
@reading
@json_option
def show(project_id: int, as_: str | None, as_json: bool) -> None:
    """Show one project: who, where, which batch, its state, what can happen next, its
    materials and the decisions its log records (opinion, review score and verdict, reasons).
    With --as, only a project that role may read (else exit 5)."""
    actor = reader_from(as_)
    call_and_print(lambda engine: (engine.get(project_id, actor=actor),
                                   engine.history(project_id, actor=actor)),
                   as_json, must_exist=True,
                   to_json=lambda found, policy: output.shown_project_dict(*found, policy),
                   to_text=lambda found, policy: output.project_text(*found, policy))


@click.command("list")
@click.option("--state", default=None, help="Only projects in this state.")
@click.option("--region", default=None, help="Only this region (code, Chinese name or pinyin).")
@click.option("--category", default=None, help="Only this category.")
@click.option("--batch", default=None, help="Only this batch.")
@click.option("--search", default=None, metavar="TEXT",
              help="Only projects whose title, enterprise or credit code holds TEXT "
                   "(case-insensitive).")
@click.option("--sort", default="id", show_default=True, metavar="COLUMN",
              help="Order by id, title, enterprise, credit_code, region, category, batch, "
                   "state, created_at or updated_at; -COLUMN for descending.")
@paging
@reading
@json_option
def list_projects(state: str | None, region: str | None, category: str | None,
                  batch: str | None, search: str | None, sort: str, limit: int | None,
                  offset: int, as_: str | None, as_json: bool) -> None:
    """List projects, oldest first, optionally filtered; with --as, only those that role may
    read.

    \b
    Examples:
      accel666 list --region kunshan --state applied --json
      accel666 list --search 苏州 --sort -updated_at --limit 20 --offset 40
      accel666 list --as city:kunshan
    """
    actor = reader_from(as_)
    call_and_print(lambda engine: engine.projects(state=state, region=region, category=category,
                                                  batch=batch, limit=limit, offset=offset,
                                                  sort=sort, search=search, actor=actor),
                   as_json, to_json=output.each(output.project_dict), to_text=list_text,
                   must_exist=True)


def list_text(projects: list[Project], policy: Policy) -> None:
    """The table on stdout, the count on stderr."""
    from accel666.views.labels import _, current

    shown = current()
    output.table(
        ("id", "state", "region", "category", "batch", "enterprise", "title"),
        ((p.id, shown.state(p.state), shown.region(p.region, policy),
          p.category if shown.lang == "en" else shown.category(p.category, policy), p.batch,
          p.enterprise, p.title) for p in projects),
    )
    click.echo(_("{n} project(s)").format(n=len(projects)), err=True)


@click.command()
@project_id_argument
@reading
@json_option
def history(project_id: int, as_: str | None, as_json: bool) -> None:
    """Show a project's transition log: every event, who fired it and when (China time).
    With --as, only a project that role may read (else exit 5)."""
    actor = reader_from(as_)
    call_and_print(lambda engine: engine.history(project_id, actor=actor), as_json,
                   must_exist=True,
                   to_json=output.each(output.transition_dict), to_text=history_text)


def history_text(rows: list[Transition], policy: Policy) -> None:
    from accel666.views.labels import current

    shown = current()
    if shown.lang == "en":
        output.table(
            ("#", "at", "event", "from → to", "actor", "details"),
            ((t.seq, output.shown(t.at, policy), t.event,
              f"{t.from_state or '∅'} → {t.to_state}",
              f"{t.actor} ({t.role}{':' + t.scope if t.scope else ''})",
              ", ".join(f"{k}={v}" for k, v in t.payload.items()
                        if k not in ("sha256", "identity")))
             for t in rows),
        )
        return
    output.table(
        ("#", "at", "event", "from → to", "actor", "details"),
        ((t.seq, output.shown(t.at, policy), shown.event(t.event),
          f"{shown.state(t.from_state) if t.from_state else '∅'} → {shown.state(t.to_state)}",
          shown.actor(t.actor, t.role, t.scope, policy), output.details_text(t.payload))
         for t in rows),
    )


@click.command()
@project_id_argument
@click.option("-o", "--output", "out", required=True, metavar="FILE",
              help="Where to write the document; - for stdout.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@reading
@json_option
def document(project_id: int, out: str, force: bool, as_: str | None, as_json: bool) -> None:
    """Write the electronic document filed with a project's application to FILE.

    The bytes come from the database and are checked against their stored SHA-256. With
    --as, only a project that role may read (else exit 5).
    """
    import hashlib

    target = files.check_output(out, force)
    actor = reader_from(as_)
    doc, policy = with_engine(lambda engine: engine.document(project_id, actor=actor),
                              must_exist=True)
    if hashlib.sha256(doc.content).hexdigest() != doc.sha256:
        raise click.ClickException(f"document {doc.id} does not match its stored SHA-256")
    info = {"project_id": doc.project_id, "document_id": doc.id, "name": doc.name,
            "size": doc.size, "sha256": doc.sha256, "uploaded_at": output.local(doc.uploaded_at,
                                                                                 policy),
            # A name undecodable from the command line holds surrogates stdout cannot encode.
            "written_to": out.encode("utf-8", "backslashreplace").decode("utf-8")}
    files.write_output(target, doc.content)
    if as_json and target is not None:
        output.emit_json(info)
    else:
        click.echo(f"{doc.name}: {doc.size} bytes, sha256 {doc.sha256} → {out}", err=True)
