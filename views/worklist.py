"""A worklist as people read it: the time left to a deadline, and the dashboard's section that
lists an operator's tasks (`Engine.todo`) above the programme's figures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from accel666.views import documents, forms, labels
from accel666.views.labels import _

if TYPE_CHECKING:
    from accel666.policies import Policy
    from accel666.workflow.worklist import Task


def left(due: datetime, now: datetime) -> str:
    """The time left until `due`, as people say it: 3 d 4 h, 5 h 20 min, 12 min."""
    seconds = int((due - now).total_seconds())
    if seconds <= 0:
        return _("{n} min").format(n=0)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        return _("{d} d {h} h").format(d=days, h=hours)
    if hours:
        return _("{h} h {m} min").format(h=hours, m=minutes)
    return _("{n} min").format(n=minutes)


def html(tasks: Sequence[Task], policy: Policy, now: datetime, *, csrf: str | None = None
         ) -> str:
    """The section listing `tasks`, soonest first, with the time left at `now`; with `csrf`
    (a signed-in page's token), each project opens its page, where its forms are, and each
    escalation carries the form acknowledging it."""
    title, nothing = _("Your worklist"), _("Nothing waits for you.")
    heading = f"<h2>{escape(title)}</h2>"
    if not tasks:
        return heading + f'<p id="worklist">{escape(nothing)}</p>'
    shown = labels.current()
    opening = _("open")
    rows = []
    for t in tasks:
        act = shown.event(t.event) + (f" {t.escalation_id} (L{t.level})"
                                       if t.escalation_id is not None else "")
        due = documents.shown(t.due, policy) if t.due else "-"
        project = str(t.project_id) if csrf is None else \
            f'<a href="/p/{t.project_id}">{t.project_id}</a>'
        form = "" if csrf is None else \
            forms.ack_form(t.escalation_id, csrf) if t.escalation_id is not None else \
            f'<a class="open" href="/p/{t.project_id}">{escape(opening)}</a>'
        rows.append(
            f'<tr class="task" data-event="{escape(t.event)}" data-project="{t.project_id}">'
            f"<td>{escape(act)}</td><td>{project}</td><td>{escape(t.title)}</td>"
            f"<td>{escape(shown.state(t.state))}</td><td>{escape(due)}</td>"
            f"<td>{escape(left(t.due, now) if t.due else '-')}</td>"
            + ("" if csrf is None else f"<td>{form}</td>") + "</tr>")
    named = ("event", "project", "title", "state", "due", "left") + (("",) if csrf else ())
    head = "".join(f"<th>{escape(_(h)) if h else ''}</th>" for h in named)
    return (heading + f'<table id="worklist"><thead><tr>{head}</tr></thead><tbody>'
            f'{"".join(rows)}</tbody></table>')
