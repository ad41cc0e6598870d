"""`accel666 panel assign | show`, `score` and `recuse`: the expert panels of the review."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from accel666.cli import output
from accel666.cli.context import (
    acting,
    actor_from,
    call_and_print,
    json_option,
    reader_from,
    reading,
)
from accel666.views import labels

if TYPE_CHECKING:
    from accel666 import Panel, Policy

project_id_argument = click.argument("project_id", type=int, metavar="ID")


@click.group()
def panel() -> None:
    """The expert panel of each recommended project: assign experts, show a panel.

    The province seats up to the policy's panel_size experts ([review]) on a project's
    panel; an expert who must avoid the project's enterprise or region is refused (exit 4),
    as is a panel beyond panel_size. Each expert scores the project once (`accel666 score`),
    blind to the others until the quorum has scored, or recuses itself before scoring
    (`accel666 recuse`); the province then seats another.

    \b
    Examples:
      accel666 panel assign 7 8 --experts wang,li,zhao,qian,sun --as province
      accel666 panel show 7 --json
    """


@panel.command()
@click.argument("project_ids", type=int, nargs=-1, required=True, metavar="ID...")
@click.option("--experts", required=True, metavar="KEY[,KEY...]",
              help="The experts to seat on each project's panel, by key, comma-separated.")
@acting
@json_option
def assign(project_ids: tuple[int, ...], experts: str, as_: str, actor: str,
           as_json: bool) -> None:
    """Seat experts on the panels of recommended projects (province), all or none."""
    keys = [k.strip() for k in experts.split(",") if k.strip()]
    call_and_print(lambda engine: engine.assign_panel(actor_from(as_, actor), project_ids, keys),
                   as_json, to_json=output.each(panel_dict), to_text=lambda panels, _p: "\n".join(
                       labels._("project {id}: panel of {n} ({experts})").format(
                           id=p.project, n=len(p.experts),
                           experts=", ".join(s.key for s in p.experts)) for p in panels))


@panel.command()
@project_id_argument
@reading
@json_option
def show(project_id: int, as_: str | None, as_json: bool) -> None:
    """Show a project's panel: its experts, their scores, the quorum and the outcome.

    As an expert (--as expert:KEY), the other experts' scores are hidden (null) until the
    quorum has scored; the province sees them all. The panel's score is the policy's
    aggregate of the scores (mean, or trimmed_mean), its outcome pending until the quorum
    has scored, then pass or fail against the pass mark.
    """
    call_and_print(lambda engine: engine.panel(project_id, actor=reader_from(as_)), as_json,
                   must_exist=True, to_json=panel_dict, to_text=panel_text)


@click.command()
@project_id_argument
@click.option("--score", "value", type=str, required=True, metavar="0-100",
              help="Your score: a whole number from 0 to 100.")
@click.option("--comment", default=None, help="Your comment on the application.")
@acting
@json_option
def score(project_id: int, value: str, comment: str | None, as_: str, actor: str,
          as_json: bool) -> None:
    """Score a project on your panel (expert:KEY), once.

    Only while the project is recommended and its review window is open (extensions count).
    A score once given stands. Until the quorum has scored you see no other expert's score.
    """
    call_and_print(lambda engine: engine.score(actor_from(as_, actor), project_id,
                                               score=whole_number(value), comment=comment),
                   as_json, to_json=panel_dict,
                   to_text=lambda p, _policy: labels._(
                       "project {id}: scored ({scored} of {n} on the panel)").format(
                       id=p.project, scored=p.scored, n=len(p.experts)))


@click.command()
@project_id_argument
@click.option("--reason", required=True, help="Why you leave the panel (a conflict of interest).")
@acting
@json_option
def recuse(project_id: int, reason: str, as_: str, actor: str, as_json: bool) -> None:
    """Leave a project's panel before scoring it (expert:KEY); the province seats another."""
    call_and_print(lambda engine: engine.recuse(actor_from(as_, actor), project_id,
                                                reason=reason),
                   as_json, to_json=panel_dict,
                   to_text=lambda p, _policy: labels._("project {id}: recused").format(
                       id=p.project))


def whole_number(text: str) -> Any:
    """The score as typed: a whole number stays one; anything else (88.5, "x") is passed on
    as text, for the library to refuse with its message."""
    stripped = text.strip()
    body = stripped[1:] if stripped[:1] in "+-" else stripped
    return int(stripped) if body.isascii() and body.isdigit() else text


def panel_dict(p: Panel, policy: Policy) -> dict[str, Any]:
    return p.to_dict(policy.zone)


def panel_text(p: Panel, policy: Policy) -> None:
    _ = labels._
    names = labels.current()
    output.table(("expert", "name", "scored", "score", "comment"),
                 ((s.key, s.name, output.shown(s.scored_at, policy) if s.scored else None,
                   s.score, s.comment) for s in p.experts),
                 title=_("project {id}").format(id=p.project))
    for s in p.recused:
        click.echo(_("recused: {key} ({name}) at {moment}: {reason}").format(
            key=s.key, name=s.name, moment=output.shown(s.recused_at, policy),
            reason=s.recuse_reason))
    shown = "-" if p.score is None else f"{p.score:g}"
    click.echo(_("quorum {quorum}, pass mark {pass_mark}, {aggregate}: score {score}, "
                 "{outcome}").format(quorum=p.quorum, pass_mark=p.pass_mark,
                                     aggregate=names.aggregate(str(p.aggregate))
                                     if names.lang != "en" else p.aggregate,
                                     score=shown, outcome=names.outcome(p.outcome)))
