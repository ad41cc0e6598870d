"""One command per lifecycle event: parse, fire the event through the Engine, print."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from accel666.cli import output
from accel666.cli.context import acting, actor_from, call_and_print, json_option
from accel666.lifecycle import VERDICTS

if TYPE_CHECKING:
    from accel666 import Project

project_id_argument = click.argument("project_id", type=int, metavar="ID")
expecting = click.option(
    "--if-version", "expected_version", type=int, default=None, metavar="N",
    help="Fire only if the project is still at version N (the one you read with show); "
         "otherwise exit 6 and change nothing.")


def fire(event: str, project_id: int, as_: str, actor: str, as_json: bool,
         expected_version: int | None = None, **values: Any) -> None:
    """Fire `event` on a project with `values` and print the project as it now stands."""
    call_and_print(
        lambda engine: engine.fire(actor_from(as_, actor), project_id, event, values,
                                   expected_version=expected_version),
        as_json, to_json=output.project_dict,
        to_text=lambda p, _policy: fired(p, event))


def fired(p: Project, event: str) -> str:
    """The line that says what an event did, in the language in use."""
    from accel666.views.labels import _, current

    shown = current()
    english = shown.lang == "en"  # the command's own words; elsewhere the language's
    return _("project {id}: {event} → {state} (version {version})").format(
        id=p.id, event=event if english else shown.event(event),
        state=p.state if english else shown.state(p.state), version=p.version)


@click.command()
@click.option("--title", required=True, help="The project's title.")
@click.option("--enterprise", required=True, help="The enterprise's registered name.")
@click.option("--credit-code", required=True, metavar="CODE",
              help="The enterprise's 18-character unified social credit code.")
@click.option("--region", required=True, metavar="REGION",
              help="The recommending bureau: code (320500), Chinese name (苏州市) or pinyin (suzhou).")
@click.option("--category", required=True, metavar="KEY",
              help="cloud-base, backbone or demo (see the policy).")
@click.option("--batch", default=None, metavar="KEY",
              help="The batch, e.g. 2020-1. Default: the batch whose docking window is open now.")
@acting
@json_option
def dock(title: str, enterprise: str, credit_code: str, region: str, category: str,
         batch: str | None, as_: str, actor: str, as_json: bool) -> None:
    """Register a new project (state: docked) and print its id.

    Tencent's docking team or the city bureau of the project's region registers it.

    \b
    Example:
      accel666 dock --as city:suzhou --title "Cloud MES" --enterprise "苏州某某科技有限公司" \\
          --credit-code 914403001922038216 --region suzhou --category demo
    """
    call_and_print(lambda engine: engine.dock(actor_from(as_, actor), title=title,
                                              enterprise=enterprise, credit_code=credit_code,
                                              region=region, category=category, batch=batch),
                   as_json, to_json=output.project_dict, to_text=lambda p, _policy: str(p.id))


@click.command()
@project_id_argument
@click.option("--paper-copies", type=int, required=True, metavar="N",
              help="How many paper copies were sent to the provincial department (policy: ≥ 2).")
@click.option("--document", "document", required=True, metavar="FILE",
              help="The electronic application document; its bytes are stored in the database.")
@expecting
@acting
@json_option
def apply(project_id: int, paper_copies: int, document: str, as_: str, actor: str,
          expected_version: int | None, as_json: bool) -> None:
    """File the joint application of a docked project, with its materials.

    The enterprise (enterprise:CREDIT_CODE) or its city bureau files it before the
    application window closes.
    """
    fire("apply", project_id, as_, actor, as_json, expected_version, paper_copies=paper_copies,
         document=document)


@click.command()
@project_id_argument
@click.option("--opinion", required=True, help="The bureau's recommendation opinion (推荐意见).")
@expecting
@acting
@json_option
def recommend(project_id: int, opinion: str, as_: str, actor: str, expected_version: int | None,
              as_json: bool) -> None:
    """Recommend an application to the province (the city bureau of its region)."""
    fire("recommend", project_id, as_, actor, as_json, expected_version, opinion=opinion)


@click.command()
@project_id_argument
@click.option("--score", type=int, default=None, metavar="0-100",
              help="The province's score, when it reviews alone (policy [review] panel_size "
                   "0, or no [review]); with a panel, its aggregate is the score.")
@click.option("--verdict", type=click.Choice(VERDICTS), default=None,
              help="pass → reviewed, fail → rejected. With a panel: only against it, with "
                   "--override and --reason.")
@click.option("--override", is_flag=True, default=False,
              help="Give --verdict against the panel's outcome; recorded as an override.")
@click.option("--reason", default=None, help="Why the verdict goes against the panel.")
@expecting
@acting
@json_option
def review(project_id: int, score: int | None, verdict: str | None, override: bool,
           reason: str | None, as_: str, actor: str, expected_version: int | None,
           as_json: bool) -> None:
    """Record the provincial review of a recommended project (province).

    With an expert panel (the policy's [review] panel_size above 0), the review follows the
    panel once its quorum has scored: the verdict is the panel's aggregate against the pass
    mark, and the recorded score is the aggregate (exit 4 until the quorum has scored). A
    verdict against the panel needs --verdict, --override and --reason, and is recorded as
    an override. Without a panel, the province gives --score and --verdict; with
    panel_size 0 they must agree against the pass mark (exit 4 otherwise).

    \b
    Examples:
      accel666 review 7 --as province                       # follows the panel
      accel666 review 7 --verdict fail --override --reason "存在重大失信记录" --as province
      accel666 review 7 --score 88 --verdict pass --as province   # the province alone
    """
    values = {"score": score, "verdict": verdict, "reason": reason}
    given: dict[str, object] = {k: v for k, v in values.items() if v is not None}
    if override:
        given["override"] = True
    fire("review", project_id, as_, actor, as_json, expected_version, **given)


@click.command()
@project_id_argument
@expecting
@acting
@json_option
def sign(project_id: int, as_: str, actor: str, expected_version: int | None, as_json: bool) -> None:
    """Sign a reviewed project at the signing ceremony (province or tencent)."""
    fire("sign", project_id, as_, actor, as_json, expected_version)


@click.command()
@project_id_argument
@click.option("--reason", required=True, help="Why the project is declined or rejected.")
@expecting
@acting
@json_option
def reject(project_id: int, reason: str, as_: str, actor: str, expected_version: int | None,
           as_json: bool) -> None:
    """Decline an application (city, from applied) or reject a recommended project (province)."""
    fire("reject", project_id, as_, actor, as_json, expected_version, reason=reason)


@click.command()
@project_id_argument
@click.option("--reason", required=True, help="Why the project is withdrawn.")
@expecting
@acting
@json_option
def withdraw(project_id: int, reason: str, as_: str, actor: str, expected_version: int | None,
             as_json: bool) -> None:
    """Withdraw a project that is not yet published (the enterprise or its city bureau)."""
    fire("withdraw", project_id, as_, actor, as_json, expected_version, reason=reason)
