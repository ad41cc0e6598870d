"""`accel666 export`: projects as a spreadsheet, JSON or Markdown file, read-only."""

from __future__ import annotations

import click

from accel666.cli import files, output, tabular
from accel666.cli.context import reader_from, reading, with_engine
from accel666.views.labels import HEADINGS, N_, current

# The import headers first (an export imports again), then what the record adds.
COLUMNS = ("title", "enterprise", "credit_code", "region", "category", "id", "region_name",
           "batch", "state", "updated_at")


@click.command()
@click.option("--state", default=None, help="Only projects in this state.")
@click.option("--region", default=None, help="Only this region (code, Chinese name or pinyin).")
@click.option("--category", default=None, help="Only this category.")
@click.option("--batch", default=None, help="Only this batch.")
@click.option("--format", "fmt", type=click.Choice(tabular.FORMATS), default=None,
              help="csv (UTF-8 with BOM, for Excel), xlsx, json or md; by default the one -o "
                   "FILE's extension names, else csv.")
@click.option("-o", "--output", "out", required=True, metavar="FILE",
              help="Where to write; - for stdout (not for xlsx).")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@reading
def export(state: str | None, region: str | None, category: str | None, batch: str | None,
           fmt: str | None, out: str, force: bool, as_: str | None) -> None:
    """Write the projects (narrowed as `list` narrows them) to a file people open. Any role
    may export what it may read (with --as, as `list --as` reads); nothing changes.

    The columns are those `import` reads (title, enterprise, credit_code, region, category),
    then id, region_name, batch, state and updated_at, so an export imports again. A cell that
    begins with = + - @, a tab or a carriage return gets a leading ' (spreadsheet formulas are
    never run from stored text).

    \b
    Examples:
      accel666 export --batch 2020-1 --state published -o 2020-1-published.xlsx
      accel666 export --region suzhou -o - --format md
    """
    target = files.check_output(out, force)
    chosen = files.format_for(fmt, target, tabular.FORMATS, "csv")
    tabular.check_target(chosen, target)
    actor = reader_from(as_)
    projects, policy = with_engine(lambda engine: engine.projects(
        state=state, region=region, category=category, batch=batch, actor=actor),
        must_exist=True)
    rows = [output.project_dict(p, policy) for p in projects]
    shown = current()
    if shown.lang != "en" and chosen in ("csv", "xlsx", "md"):  # for people: names, which
        rows = [{**r, "state": shown.state(r["state"]),  # import reads back (not the state)
                 "category": shown.category(r["category"], policy)} for r in rows]
    files.write_output(target, tabular.render(rows, COLUMNS, chosen, headings=[
        current().text(HEADINGS[c]) for c in COLUMNS] if chosen in ("csv", "xlsx", "md")
        else None))
    if target is not None:
        click.echo(shown.text(N_("{n} project(s) written to {file}")).format(
            n=len(rows), file=out), err=True)
