"""`accel666 publish`: one project, or every signed project of a batch with its published list."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from accel666.cli import files, output, tabular
from accel666.cli.commands.events import fire
from accel666.cli.context import acting, actor_from, json_option, with_engine

if TYPE_CHECKING:
    from accel666 import Policy, Project

FORMATS = ("md", "csv", "xlsx", "json")
COLUMNS = ("id", "title", "enterprise", "credit_code", "region", "region_name", "category")


def published_list(projects: list[Project], policy: Policy, fmt: str) -> bytes:
    return tabular.render([output.project_dict(p, policy) for p in projects], COLUMNS, fmt)


@click.command()
@click.argument("project_id", type=int, metavar="[ID]", required=False)
@click.option("--batch", default=None, metavar="KEY",
              help="Publish every signed project of this batch in one transaction.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Format of the published list (with --batch): md, csv, xlsx or json; by default "
                   "the one -o FILE's extension names, else md.")
@click.option("-o", "--output", "out", default=None, metavar="FILE",
              help="Write the published list to FILE instead of stdout (with --batch); "
                   "- is stdout.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@acting
@json_option
def publish(project_id: int | None, batch: str | None, fmt: str | None, out: str | None,
            force: bool, as_: str, actor: str, as_json: bool) -> None:
    """Publish a signed project, or with --batch every signed project of a batch (province).

    With --batch all of the batch's signed projects are published in one transaction (all or
    nothing), then the batch's published list is written in --format to -o FILE or stdout.

    \b
    Examples:
      accel666 publish 12 --as province
      accel666 publish --batch 2020-1 --as province --format csv -o 2020-1.csv
    """
    if (project_id is None) == (batch is None):
        raise click.UsageError("give either a project ID or --batch KEY")
    if project_id is not None:
        if out is not None:
            raise click.UsageError("-o/--output goes with --batch")
        fire("publish", project_id, as_, actor, as_json)
        return
    assert batch is not None
    target = None if out is None else files.check_output(out, force)  # before any change
    chosen = "json" if as_json else files.format_for(fmt, target, FORMATS, "md")
    tabular.check_target(chosen, target)
    (newly, everyone), policy = with_engine(lambda engine: (
        engine.publish_batch(actor_from(as_, actor), batch),
        engine.projects(batch=batch, state="published")))
    files.write_output(target, published_list(everyone, policy, chosen))
    from accel666.views.labels import _

    said = _("published {n} project(s) of batch {batch}; {listed} on the list") if target is None \
        else _("published {n} project(s) of batch {batch}; {listed} on the list, written to "
               "{file}")
    click.echo(said.format(n=len(newly), batch=batch, listed=len(everyone), file=out), err=True)
