"""`accel666 todo`: a role's worklist, what it may do next and by when."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from accel666.cli import output
from accel666.cli.context import actor_from, call_and_print, default_actor_name, json_option
from accel666.views.labels import N_

if TYPE_CHECKING:
    from accel666 import Policy
    from accel666.workflow.worklist import Task


HEADERS = (N_("event"), N_("project"), N_("title"), N_("state"), N_("batch"), N_("due"),
           N_("left"))


@click.command()
@click.option("--as", "as_", envvar="ACCEL666_AS", required=True, metavar="ROLE[:SCOPE]",
              help="Whose worklist: enterprise:CREDIT_CODE, tencent, city:REGION or "
                   "province. Env: ACCEL666_AS.")
@json_option
def todo(as_: str, as_json: bool) -> None:
    """What this role may do next, and by when, soonest deadline first: the projects it may
    apply for, recommend, review, sign or publish while the phase's window is open (or yet
    to open), with the time left in the programme's zone, then the open escalations
    addressed to it. A window already closed is past doing: `accel666 overdue` lists those.
    Nothing changes.

    \b
    Examples:
      accel666 todo --as city:kunshan
      accel666 todo --as province --json
    """
    actor = actor_from(as_, default_actor_name())
    call_and_print(lambda engine: engine.todo(actor), as_json, must_exist=True,
                   to_json=_json, to_text=_text)


def _json(tasks: list[Task], policy: Policy) -> Any:
    return [t.to_dict(policy.zone) for t in tasks]


def _text(tasks: list[Task], policy: Policy) -> str | None:
    from accel666.views.labels import _, current
    from accel666.views.worklist import left

    if not tasks:
        return _("Nothing waits for you.")
    shown = current()
    now = datetime.now(policy.zone)

    def what(t: Task) -> str:
        if t.escalation_id is None:
            return t.event if shown.lang == "en" else shown.event(t.event)
        if shown.lang == "en":
            return f"ack {t.escalation_id} (L{t.level})"
        return _("acknowledge escalation {id} (L{level})").format(id=t.escalation_id,
                                                                  level=t.level)

    output.table(HEADERS, (
        (what(t), t.project_id, t.title, t.state if shown.lang == "en" else shown.state(t.state),
         t.batch or "", output.shown(t.due, policy) if t.due else "-",
         left(t.due, now) if t.due else "-") for t in tasks))
    return None
