"""`accel666 notice start | show` and `accel666 objection add | resolve | list`: the public
notice (公示) of a batch's reviewed projects and the objections (异议) received while it runs."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

import click

from accel666.cli import output
from accel666.cli.context import acting, actor_from, call_and_print, json_option
from accel666.views import labels

if TYPE_CHECKING:
    from accel666 import BatchNotice, Notice, Objection, Policy, Project

N_ = labels.N_
# The columns of the list published on the department's website (public fields only).
PUBLIC_COLUMNS = (N_("No."), N_("title"), N_("enterprise"), N_("credit_code"), N_("region"),
                  N_("category"))


@click.group()
def notice() -> None:
    """The public notice (公示) of a batch's reviewed projects, before signing.

    The province announces the projects that passed the review; the notice closes at
    23:59:59.999999 China time on the policy's Nth working day ([notice] working_days,
    builtin 5) after the day it starts, counted over China's official calendar (weekends and
    statutory holidays off, adjusted working days on). While it is open the province records
    the objections received in writing (`accel666 objection add`); signing waits until it has
    closed with every objection resolved ([notice] gates, builtin "sign").

    \b
    Examples:
      accel666 notice start 2020-1 --as province
      accel666 notice show 2020-1
      accel666 --lang zh notice show 2020-1 --format md > 公示名单.md
    """


@notice.command()
@click.argument("batch")
@acting
@json_option
def start(batch: str, as_: str, actor: str, as_json: bool) -> None:
    """Announce the batch's reviewed projects (province).

    Every project of BATCH that passed the review and that no notice announced yet is put
    under public notice from now; the closing time is printed. Nothing reviewed: exit 4.
    """
    who = actor_from(as_, actor)
    call_and_print(lambda engine: engine.start_notice(who, batch), as_json,
                   to_json=lambda n, p: n.to_dict(p.zone), to_text=started_text)


@notice.command()
@click.argument("batch")
@click.option("--format", "form", type=click.Choice(("text", "md", "csv")), default="text",
              show_default=True,
              help="md or csv: the list under notice for the department's website (public "
                   "fields only, headings in the language of --lang).")
@json_option
def show(batch: str, form: str, as_json: bool) -> None:
    """Show a batch's public notice: its times, projects and objections.

    --json prints batch, started_at, closes_at, projects and objections (and each notice the
    batch had, under notices). No notice started for BATCH: exit 3.
    """
    def text(found: BatchNotice, policy: Policy) -> str | None:
        if form == "md":
            return markdown(found, policy)
        if form == "csv":
            return spreadsheet(found, policy)
        shown_text(found, policy)
        return None

    call_and_print(lambda engine: engine.notice(batch), as_json, must_exist=True,
                   to_json=lambda n, p: n.to_dict(p.zone), to_text=text)


@click.group()
def objection() -> None:
    """Objections (异议) to projects under public notice, and their resolution.

    An objection is received in writing under a real name (a unit's under its seal) while the
    project's notice is open; late or anonymous ones are not accepted. The province records it
    and resolves it: dismissed, or upheld, which rejects the project.

    \b
    Examples:
      accel666 objection add 17 --name 张三 --unit 某某公司 --text "申报数据不实" --as province
      accel666 objection resolve 1 --dismissed --reason "经核查，数据属实" --as province
      accel666 objection list --batch 2020-1
    """


@objection.command()
@click.argument("project_id", type=int)
@click.option("--name", default=None, metavar="NAME",
              help="The real name the objection is signed with (required).")
@click.option("--unit", default=None, help="The unit, when it came under a unit's seal.")
@click.option("--text", "text_", required=True, help="What the objection says.")
@acting
@json_option
def add(project_id: int, name: str | None, unit: str | None, text_: str, as_: str, actor: str,
        as_json: bool) -> None:
    """Record an objection received in writing (province).

    Only while PROJECT_ID's notice is open (before it starts or after it closes: exit 4,
    naming its times); without a real name: exit 2. Prints the objection's id.
    """
    who = actor_from(as_, actor)
    call_and_print(lambda engine: engine.object(who, project_id, name=name or "", unit=unit,
                                                text=text_),
                   as_json, to_json=lambda o, p: o.to_dict(p.zone),
                   to_text=lambda o, _p: str(o.id))


@objection.command()
@click.argument("objection_id", type=int)
@click.option("--upheld", "outcome", flag_value="upheld", help="The objection holds: the "
              "project is rejected.")
@click.option("--dismissed", "outcome", flag_value="dismissed",
              help="The objection does not hold.")
@click.option("--reason", required=True, help="Why; recorded, and the rejection's reason.")
@acting
@json_option
def resolve(objection_id: int, outcome: str | None, reason: str, as_: str, actor: str,
            as_json: bool) -> None:
    """Resolve an objection: --upheld (the project is rejected) or --dismissed (province)."""
    if outcome is None:
        raise click.UsageError("give --upheld or --dismissed")
    who = actor_from(as_, actor)
    call_and_print(lambda engine: engine.resolve_objection(who, objection_id, outcome=outcome,
                                                           reason=reason),
                   as_json, to_json=resolved_dict, to_text=resolved_text)


@objection.command(name="list")
@click.option("--batch", default=None, help="Only the objections to this batch's projects.")
@json_option
def list_objections(batch: str | None, as_json: bool) -> None:
    """List the objections, oldest first, with their resolution."""
    call_and_print(lambda engine: engine.objections(batch), as_json, must_exist=True,
                   to_json=output.each(lambda o, p: o.to_dict(p.zone)),
                   to_text=objections_text)


def started_text(n: Notice, policy: Policy) -> str:
    _ = labels._
    return _("notice {id} of batch {batch}: {count} project(s) under notice until "
             "{closes}").format(id=n.id, batch=n.batch, count=len(n.projects),
                                closes=output.shown(n.closes_at, policy))


def shown_text(found: BatchNotice, policy: Policy) -> None:
    _ = labels._
    latest = found.latest
    click.echo(_("batch {batch}: under notice from {start} until {closes}").format(
        batch=found.batch, start=output.shown(latest.started_at, policy),
        closes=output.shown(latest.closes_at, policy)))
    click.echo(latest.contact)
    output.table(("project", "title", "enterprise", "region", "state"),
                 ((p.id, p.title, p.enterprise, output.region_name(p.region, policy),
                   labels.current().state(p.state)) for p in found.projects))
    if found.objections:
        objections_text(list(found.objections), policy)


def objections_text(rows: list[Objection], policy: Policy) -> None:
    shown = labels.current()

    def who(o: Objection) -> str:
        if o.unit is None:
            return o.name
        return f"{o.name} ({o.unit})" if shown.lang == "en" else f"{o.name}（{o.unit}）"

    output.table(("#", "project", "objector", "received at", "outcome", "reason"),
                 ((o.id, o.project_id, who(o), output.shown(o.received_at, policy),
                   shown.outcome(o.outcome) if o.outcome else "-", o.reason)
                  for o in rows))
    click.echo(labels._("{n} objection(s)").format(n=len(rows)), err=True)


def _public_rows(found: BatchNotice, policy: Policy) -> list[list[Any]]:
    cur = labels.current()
    return [[i, p.title, p.enterprise, p.credit_code, cur.region(p.region, policy),
             cur.category(p.category, policy)]
            for i, p in enumerate((p for p in found.projects
                                   if p.state not in ("rejected", "withdrawn")), start=1)]


def markdown(found: BatchNotice, policy: Policy) -> str:
    """The list under notice as Markdown for the department's website."""
    _ = labels._
    latest = found.latest
    batch = policy.batches.get(found.batch)
    title = _("Public notice of batch {name}").format(
        name=batch.name if batch else found.batch)
    lines = ["# " + output.markdown_cell(title), "",
             _("Under notice from {start} until {closes}.").format(
                 start=output.shown(latest.started_at, policy),
                 closes=output.shown(latest.closes_at, policy)),
             "", output.markdown_cell(latest.contact), "",
             "| " + " | ".join(_(c) for c in PUBLIC_COLUMNS) + " |",
             "|" + "---|" * len(PUBLIC_COLUMNS)]
    lines += ["| " + " | ".join(output.markdown_cell(v) for v in row) + " |"
              for row in _public_rows(found, policy)]
    return "\n".join(lines)


def spreadsheet(found: BatchNotice, policy: Policy) -> str:
    """The list under notice as CSV (UTF-8) for the department's website."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([labels._(c) for c in PUBLIC_COLUMNS])
    for row in _public_rows(found, policy):
        writer.writerow([output.spreadsheet_cell(v) for v in row])
    return buffer.getvalue().rstrip("\n")


def resolved_dict(result: tuple[Objection, Project | None], policy: Policy) -> dict[str, Any]:
    found, project = result
    return {**found.to_dict(policy.zone),
            "project_state": None if project is None else project.state}


def resolved_text(result: tuple[Objection, Project | None], _policy: Policy) -> str:
    found, project = result
    said = labels._("objection {id} {outcome}").format(
        id=found.id, outcome=labels.current().outcome(found.outcome or ""))
    if project is not None:
        said += "; " + labels._("project {id} rejected").format(id=project.id)
    return said
