"""`accel666 report`: where the programme stands against 6 / 60 / 600."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from accel666.cli import files, output
from accel666.cli.context import json_option, reader_from, reading, with_engine

if TYPE_CHECKING:
    from accel666 import Policy
    from accel666.workflow.report import ProgrammeReport


@click.command()
@click.option("--batch", default=None, help="Only this batch (e.g. 2020-1).")
@click.option("--region", default=None,
              help="Only this region (code, Chinese name or pinyin, e.g. 320500, 苏州市, suzhou).")
@click.option("--html", "html_out", default=None, metavar="FILE",
              help="Also write the report as one self-contained HTML page (charts inline, "
                   "opens without a network) to FILE.")
@click.option("--force", is_flag=True, help="Replace the --html FILE if it exists.")
@reading
@json_option
def report(batch: str | None, region: str | None, html_out: str | None, force: bool,
           as_: str | None, as_json: bool) -> None:
    """Where the programme stands now: projects by state, each category's progress toward its
    target (6 cloud bases, 60 backbone enterprises, 600 demonstration enterprises), and the 16
    regions by state with what is overdue and escalated there. Any role may read its figures;
    the filters narrow every figure. The page's list of overdue projects (--html) holds, with
    --as, those that role may read.

    \b
    Examples:
      accel666 report
      accel666 report --batch 2020-1 --region suzhou
      accel666 report --json
      accel666 report --html 2020-10-31.html
    """
    target = None if html_out is None else files.check_output(html_out, force)
    actor = reader_from(as_)
    result, policy = with_engine(lambda engine: engine.report(batch=batch, region=region,
                                                              actor=actor),
                                 must_exist=True)
    if html_out != files.STDOUT:  # `--html -`: the page alone on stdout
        output.render(result, policy, as_json, to_json=report_dict, to_text=report_text)
    if html_out is not None:
        from accel666.views import page

        files.write_output(target, page.render(result, policy).encode("utf-8"))


def report_dict(r: ProgrammeReport, policy: Policy) -> dict[str, Any]:
    return r.to_dict(policy.zone)


def report_text(r: ProgrammeReport, policy: Policy) -> None:
    """Three tables: the funnel, the categories, the regions; the headline on stderr."""
    from accel666.views.labels import _, current

    shown = current()
    states = list(r.totals)
    narrowed = ", ".join(f"{_(k)} {v}" for k, v in (("batch", r.batch), ("region", r.region))
                         if v)
    title = _("Projects by state at {moment}").format(moment=output.shown(r.as_of, policy))
    output.table(("state", "projects"), ((shown.state(s), r.totals[s]) for s in states),
                 title=title + (f" ({narrowed})" if narrowed else ""))
    output.table(
        ("category", "target", "published", "in pipeline", "progress", "due"),
        ((f"{c.key} {shown.category(c.key, policy)}" if shown.lang == "en"
          else shown.category(c.key, policy), c.target, c.published, c.in_pipeline,
          f"{c.progress:.0%}", c.due.isoformat()) for c in r.categories),
        title=_("Progress toward the targets"))
    output.table(
        ("region", *(shown.state(s) for s in states), "overdue", "open escalations"),
        ((f"{row.code} {shown.region(row.code, policy)}", *(row.states[s] for s in states),
          row.overdue, row.open_escalations) for row in r.regions),
        title=_("Regions"))
    v = r.review
    click.echo(_("The expert review: {under} under review, {quorum} panels at quorum; "
                 "{passed} passed, {failed} failed, {overridden} overridden").format(
        under=v.under_review, quorum=v.panels_at_quorum, passed=v.passed, failed=v.failed,
        overridden=v.overridden))
    if v.awaited:
        click.echo(_("scores awaited: {experts}").format(
            experts=", ".join(f"{k} {n}" for k, n in v.awaited.items())))
    for b in r.review_batches:
        f = b.figures
        if not (f.under_review or f.passed or f.failed or b.notice_closes_at):
            continue
        line = _("  batch {batch}: {under} under review, {quorum} panels at quorum; {passed} "
                 "passed, {failed} failed, {overridden} overridden").format(
            batch=b.batch, under=f.under_review, quorum=f.panels_at_quorum, passed=f.passed,
            failed=f.failed, overridden=f.overridden)
        if b.notice_closes_at is not None:
            notice = _("; public notice until {closes} ({state}), {n} open objections")
            state = _("accepting objections") if b.notice_open else _("closed")
            line += notice.format(closes=output.shown(b.notice_closes_at, policy), state=state,
                                  n=b.open_objections)
        click.echo(line)
    click.echo(_("{projects} projects, {overdue} overdue, {open} open escalations").format(
        projects=sum(r.totals.values()), overdue=r.overdue, open=r.open_escalations),
        err=True)
