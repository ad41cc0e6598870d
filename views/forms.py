"""The forms of the signed-in pages, each one act: an event of the lifecycle on a project, its
fields what the event takes (accel666.lifecycle.TAKES: apply's document an upload), an expert's
score or recusal, docking a new project and acknowledging an escalation.

Every form posts to this site with the page's CSRF token (the service checks it and the
form's origin); the page's language names each field. No script: the browser's own checks
(required, min, max) come from the definition, and the service checks everything again.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from accel666 import lifecycle
from accel666.lifecycle import DOCUMENT, FILENAME, FLAG, INTEGER, VERDICT, Input
from accel666.policies import Policy
from accel666.views import labels

CSRF = "csrf"  # the name of every form's CSRF token field
STYLE = ("form.act{margin:6px 0;padding:6px 10px;border:1px solid #ddd;border-radius:4px;"
         "background:#fafafa}form.act label{display:inline-block;margin:3px 10px 3px 0}"
         "form.act.inline{display:inline-block;margin:0;padding:2px 6px}"
         "#done{color:#1e7b34}#problem{color:#b03a2e;font-weight:bold}")


def _hidden(csrf: str) -> str:
    return f'<input type="hidden" name="{CSRF}" value="{escape(csrf)}">'


def _label(name: str, control: str) -> str:
    shown = labels.current().field(name.replace("_", " "))
    return f"<label>{escape(shown)} {control}</label> "


def _control(given: Input) -> str:
    """The control of one input, named as the event takes it."""
    name = escape(given.name)
    required = " required" if given.required else ""
    if given.kind == INTEGER:
        high = "" if given.high is None else f' max="{given.high}"'
        return _label(given.name, f'<input type="number" name="{name}" min="{given.low}"'
                                  f'{high} step="1"{required}>')
    if given.kind == VERDICT:
        options = "".join(f'<option value="{v}">{escape(labels.current().outcome(v))}</option>'
                          for v in lifecycle.VERDICTS)
        blank = "" if given.required else '<option value=""></option>'
        return _label(given.name, f'<select name="{name}"{required}>{blank}{options}</select>')
    if given.kind == FLAG:
        return _label(given.name, f'<input type="checkbox" name="{name}" value="true">')
    if given.kind == DOCUMENT:
        return _label(given.name, f'<input type="file" name="{name}"{required}>')
    return _label(given.name, f'<input type="text" name="{name}" size="40" maxlength="10000"'
                              f'{required}>')


def event_form(project_id: int, event: str, csrf: str) -> str:
    """The form that fires `event` on the project, with what the event takes."""
    inputs = [i for i in lifecycle.TAKES.get(event, ()) if i.kind != FILENAME]
    upload = any(i.kind == DOCUMENT for i in inputs)
    enctype = ' enctype="multipart/form-data"' if upload else ""
    button = escape(labels.current().event(event))
    return (f'<form class="act" data-event="{escape(event)}" method="post" '
            f'action="/p/{project_id}/act/{escape(event)}"{enctype}>{_hidden(csrf)}'
            + "".join(_control(i) for i in inputs)
            + f'<button type="submit">{button}</button></form>')


def score_forms(project_id: int, csrf: str) -> str:
    """An expert's two forms on a project of its panels: its score with a comment, and its
    recusal with the reason."""
    score = Input("score", INTEGER, 0, 100)
    return (f'<form class="act" data-event="score" method="post" '
            f'action="/p/{project_id}/act/score">{_hidden(csrf)}{_control(score)}'
            + _label("comment", '<input type="text" name="comment" size="40" maxlength="10000">')
            + f'<button type="submit">{escape(labels.current().event("score"))}</button></form>'
            f'<form class="act" data-event="recuse" method="post" '
            f'action="/p/{project_id}/act/recuse">{_hidden(csrf)}'
            + _label("reason", '<input type="text" name="reason" size="40" maxlength="10000" '
                               'required>')
            + f'<button type="submit">{escape(labels.current().event("recuse"))}</button>'
            "</form>")


def ack_form(escalation_id: int, csrf: str) -> str:
    """The form acknowledging an escalation, with a note."""
    return (f'<form class="act inline" data-event="ack" method="post" '
            f'action="/act/ack/{escalation_id}">{_hidden(csrf)}'
            + _label("note", '<input type="text" name="note" size="24" maxlength="10000" '
                             'required>')
            + f'<button type="submit">{escape(labels.current().event("ack"))}</button></form>')


def _options(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f'<option value="{escape(k)}">{escape(v)}</option>' for k, v in pairs)


def dock_form(policy: Policy, regions: Iterable[str], csrf: str) -> str:
    """The form registering a new project in one of `regions` (division codes), in the batch
    open for docking."""
    shown = labels.current()
    text = '<input type="text" name="{}" size="30" maxlength="10000" required>'
    fields = (
        _label("title", text.format("title"))
        + _label("enterprise", text.format("enterprise"))
        + _label("credit code", '<input type="text" name="credit_code" size="20" '
                                'maxlength="18" minlength="18" required>')
        + _label("region", '<select name="region" required>'
                 + _options((code, shown.region(code, policy)) for code in regions)
                 + "</select>")
        + _label("category", '<select name="category" required>'
                 + _options((key, shown.category(key, policy)) for key in policy.categories)
                 + "</select>"))
    return (f'<form class="act" id="dock" data-event="dock" method="post" action="/act/dock">'
            f'{_hidden(csrf)}{fields}<button type="submit">{escape(shown.event("dock"))}'
            "</button></form>")


def batch_forms(policy: Policy, batch: str, csrf: str, *, extend: bool, publish: bool) -> str:
    """The forms acting on a whole batch: extending one of its windows (a phase, the last
    day, the reason) and publishing every signed project of it."""
    shown = labels.current()
    key = escape(batch)
    found = []
    if extend:
        phases = _options((p, shown.phase(p)) for p in lifecycle.PHASES)
        found.append(
            f'<form class="act" data-event="extend" data-batch="{key}" method="post" '
            f'action="/act/extend/{key}">{_hidden(csrf)}'
            + _label("phase", f'<select name="phase" required>{phases}</select>')
            + _label("until", '<input type="date" name="until" required>')
            + _label("reason", '<input type="text" name="reason" size="40" maxlength="10000" '
                               'required>')
            + f'<button type="submit">{escape(shown.event("extend"))}</button></form>')
    if publish:
        found.append(
            f'<form class="act" data-event="publish_batch" data-batch="{key}" method="post" '
            f'action="/act/publish/{key}">{_hidden(csrf)}'
            f'<button type="submit">{escape(shown.event("publish_batch"))}</button></form>')
    return "".join(found)
