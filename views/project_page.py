"""One project's page for a signed-in operator: what it is and where it stands, its document,
its expert panel as the reader may see it, its log, and the forms of what the reader may do
on it (views/forms.py), with the outcome of the last act (done, or the refusal in the page's
language)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from accel666.views import documents, forms, labels
from accel666.views.labels import N_, _

if TYPE_CHECKING:
    from accel666.policies import Policy
    from accel666.workflow.panels import Panel
    from accel666.workflow.records import Project, Transition


def _facts(p: Project, policy: Policy) -> str:
    shown = labels.current()
    rows = (("title", p.title), ("enterprise", p.enterprise), ("credit code", p.credit_code),
            ("region", shown.region(p.region, policy)),
            ("category", shown.category(p.category, policy)), ("batch", p.batch),
            ("state", shown.state(p.state)), ("paper copies", "-" if p.paper_copies is None
                                               else str(p.paper_copies)))
    cells = "".join(f'<tr data-field="{escape(k)}"><th>{escape(shown.field(k))}</th>'
                    f"<td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<table id="facts" data-state="{escape(p.state)}">{cells}</table>'


def _panel(panel: Panel | None) -> str:
    if panel is None or not (panel.experts or panel.recused):
        return ""
    heads = "".join(f"<th>{escape(_(h))}</th>" for h in (N_("expert"), N_("scored"),
                                                          N_("score")))
    yes, no = _("yes"), _("no")
    rows = "".join(
        f'<tr class="seat" data-expert="{escape(s.key)}"><td>{escape(s.name or s.key)}</td>'
        f"<td>{escape(yes if s.scored else no)}</td>"
        f"<td>{'-' if s.score is None else s.score}</td></tr>" for s in panel.experts)
    score = "-" if panel.score is None else f"{panel.score:g}"
    outcome = labels.current().outcome(panel.outcome)
    summary = _("{scored} of {seated} scored; quorum {quorum}; score {score}; outcome "
                "{outcome}").format(scored=panel.scored, seated=len(panel.experts),
                                    quorum=panel.quorum, score=score, outcome=outcome)
    title = _("The expert panel")
    return (f"<h2>{escape(title)}</h2>"
            f'<p class="meta" id="panel" data-outcome="{escape(panel.outcome)}">'
            f"{escape(summary)}</p><table><tr>{heads}</tr>{rows}</table>")


def _history(history: Sequence[Transition], policy: Policy) -> str:
    shown = labels.current()
    heads = "".join(f"<th>{escape(_(h))}</th>" for h in (N_("at"), N_("event"), N_("state"),
                                                          N_("by")))
    rows = "".join(
        f'<tr class="logged" data-event="{escape(t.event)}">'
        f"<td>{escape(documents.shown(t.at, policy))}</td><td>{escape(shown.event(t.event))}</td>"
        f"<td>{escape(shown.state(t.to_state))}</td><td>{escape(t.actor)}</td></tr>"
        for t in history)
    title = _("The log")
    return f'<h2>{escape(title)}</h2><table id="log"><tr>{heads}</tr>{rows}</table>'



def render(p: Project, history: Sequence[Transition], policy: Policy, *, offered: Sequence[str],
           csrf: str, panel: Panel | None = None, scoring: bool = False,
           has_document: bool = False, done: str = "", problem: str | None = None,
           due: datetime | None = None) -> str:
    """The page's content: `offered`, the events whose forms it shows; `scoring`, whether the
    reader is an expert on its panel who has still to score; `done`, the line saying what was
    just done (HTML);
    `problem`, the refusal of the act just tried, as the reader reads it."""
    back, document, may = (_("Back to the worklist"), _("Open the application document"),
                           _("What you may do"))
    parts = [f'<p><a href="/">{escape(back)}</a></p>',
             f'<h1 data-project="{p.id}">#{p.id} {escape(p.title)}</h1>']
    if problem is not None:
        parts.append(f'<p id="problem" role="alert" class="problem">{escape(problem)}</p>')
    parts.append(done)
    parts.append(_facts(p, policy))
    if due is not None:
        parts.append('<p class="meta" id="due">'
                     + escape(_("due {moment}").format(moment=documents.shown(due, policy)))
                     + "</p>")
    if has_document:
        parts.append(f'<p><a id="document" href="/p/{p.id}/document">'
                     f"{escape(document)}</a></p>")
    parts.append(_panel(panel))
    acts = [forms.event_form(p.id, e, csrf) for e in offered]
    if scoring:
        acts.append(forms.score_forms(p.id, csrf))
    if acts:
        parts.append(f"<h2>{escape(may)}</h2>" + "".join(acts))
    parts.append(_history(history, policy))
    return "".join(parts)
