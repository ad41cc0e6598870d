"""`accel666 report`: where the programme stands against 6 / 60 / 600."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from accel666.cli import output
from accel666.cli.context import call_and_print, json_option

if TYPE_CHECKING:
    from accel666 import Policy
    from accel666.workflow.views.report import ProgrammeReport


@click.command()
@click.option("--batch", default=None, help="Only this batch (e.g. 2020-1).")
@click.option("--region", default=None,
              help="Only this region (code, Chinese name or pinyin, e.g. 320500, 苏州市, suzhou).")
@json_option
def report(batch: str | None, region: str | None, as_json: bool) -> None:
    """Where the programme stands now: projects by state, each category's progress toward its
    target (6 cloud bases, 60 backbone enterprises, 600 demonstration enterprises), and the 16
    regions by state with what is overdue and escalated there. Any role may read it; the
    filters narrow every figure.

    \b
    Examples:
      accel666 report
      accel666 report --batch 2020-1 --region suzhou
      accel666 report --json
    """
    call_and_print(lambda engine: engine.report(batch=batch, region=region), as_json,
                   to_json=report_dict, to_text=report_text, must_exist=True)


def report_dict(r: ProgrammeReport, policy: Policy) -> dict[str, Any]:
    return r.to_dict(policy.zone)


def report_text(r: ProgrammeReport, policy: Policy) -> None:
    """Three tables: the funnel, the categories, the regions; the headline on stderr."""
    states = list(r.totals)
    narrowed = ", ".join(f"{k} {v}" for k, v in (("batch", r.batch), ("region", r.region)) if v)
    output.table(("state", "projects"), ((s, r.totals[s]) for s in states),
                 title=f"Projects by state at {output.shown(r.as_of, policy)}"
                       + (f" ({narrowed})" if narrowed else ""))
    output.table(
        ("category", "target", "published", "in pipeline", "progress", "due"),
        ((f"{c.key} {c.name}", c.target, c.published, c.in_pipeline, f"{c.progress:.0%}",
          c.due.isoformat()) for c in r.categories),
        title="Progress toward the targets")
    output.table(
        ("region", *states, "overdue", "open escalations"),
        ((f"{row.code} {row.name}", *(row.states[s] for s in states), row.overdue,
          row.open_escalations) for row in r.regions),
        title="Regions")
    click.echo(f"{sum(r.totals.values())} projects, {r.overdue} overdue, "
               f"{r.open_escalations} open escalations", err=True)
