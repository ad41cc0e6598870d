"""The pages people open: the dashboard (the operators' view from live data), its sign-in, and
the API's documentation; all served from here, nothing loaded from elsewhere.

An operator signs in to the dashboard with its token, once: the service opens a session
(12 hours; ended at sign-out and when the operator is revoked) and the browser keeps only the
session's random id, in an HttpOnly, SameSite=Strict cookie (signin.py) that opens pages only,
never the API. Every form is checked for its origin and its CSRF token.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accel666 import Actor, Engine, Policy, lifecycle
from accel666.errors import NotPermitted, Unauthenticated
from accel666.service import languages, signin
from accel666.service.auth import OPERATOR, TooManyFailures
from accel666.service.deps import EngineDep
from accel666.views import forms, labels, page, worklist
from accel666.views.labels import N_, _
from accel666.workflow.operators import Operator
from accel666.workflow.sessions import Sessions

router = APIRouter(include_in_schema=False)

PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; " \
           "frame-ancestors 'none'"
_STYLE = ("body{font-family:sans-serif;margin:24px;max-width:1000px;color:#222}"
          "table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ddd;"
          "padding:4px 8px;text-align:left;vertical-align:top}code{font-size:13px}"
          ".meta{color:#666;font-size:13px}form.inline{display:inline}")


def html(body: str, status: int = 200, lang: str | None = None) -> HTMLResponse:
    """A page with the service's CSP: nothing loaded from anywhere, no script; in `lang`."""
    return HTMLResponse(body, status_code=status,
                        headers={"Content-Security-Policy": PAGE_CSP,
                                 "X-Content-Type-Options": "nosniff",
                                 # A form's Origin is sent (not "null") from our own pages.
                                 "Referrer-Policy": "same-origin",
                                 "Cache-Control": "no-store",
                                 **(languages.headers(lang) if lang else {})})


def shell(title: str, content: str) -> str:
    """A whole page around `content`, in the language in use."""
    lang = "zh-CN" if labels.current().lang == "zh" else "en"
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title><style>{_STYLE}{forms.STYLE}</style></head>"
            f"<body>{content}</body></html>")


def signed_in(request: Request, engine: Engine) -> tuple[Operator, str] | None:
    """The operator the request's session acts for, and the session's id; None when it has
    none (signed out, ended, expired, revoked). A page path's middleware found it already."""
    session = request.cookies.get(signin.SESSION_COOKIE) or ""
    found: Operator | None = request.scope.get(OPERATOR)
    if found is not None:
        return found, session
    try:
        return Sessions(engine.db).operator(session, now=engine.now()), session
    except Unauthenticated:
        return None


def sign_in_page(request: Request, problem: str = "", status: int = 200,
                 headers: dict[str, str] | None = None, **facts: object) -> Response:
    """The sign-in form, in the page's language: the operator's token, sent once to open a
    session; with a new CSRF token, kept in a cookie beside it. `problem`, a source text
    marked with N_, is filled with `facts` once translated."""
    lang = languages.language(request)
    with labels.speaking(lang):
        note = f'<p class="meta" id="problem">{escape(_(problem).format(**facts))}</p>' \
            if problem else ""
        token = signin.new_form_token()
        title, label, button = _("666 工程 · sign in"), _("Operator token"), _("Sign in")
        told = _("The token is the one {command} printed.")
        shown = html(shell(title, (
            f"<h1>{escape(title)}</h1><p>{languages.switch(lang, '/')}</p>" + note +
            f'<form method="post" action="/login"><label>{escape(label)} '
            '<input type="password" name="token" autocomplete="off" size="60" required></label> '
            f'<input type="hidden" name="csrf" value="{escape(token)}">'
            f'<button type="submit">{escape(button)}</button></form>'
            '<p class="meta">' + escape(told).format(
                command="<code>accel666 operator add</code>") + "</p>")),
            status=status, lang=lang)
    shown.headers.update(headers or {})
    signin.set_cookie(shown, request, signin.SIGN_IN_COOKIE, token, signin.SIGN_IN_SECONDS)
    languages.remember(shown, request)
    return shown


ELSEWHERE = N_("That form did not come from this site's own page: open the page again and "
               "send it from there.")
ENDED = N_("Your session has ended: sign in again.")


def elsewhere(request: Request) -> Response:
    """The answer to a form not sent from this site's page, or without its CSRF token."""
    return sign_in_page(request, ELSEWHERE, status=NotPermitted.http_status)


def banner(operator: Operator, session: str, lang: str, path: str, policy: Policy) -> str:
    """Who is signed in, the sign-out button and the language switch."""
    who = labels.current().actor(operator.name, operator.role, operator.scope,
                                 policy)
    signed, out = _("signed in as {who}").format(who=who), _("sign out")
    return (f'<div class="meta" id="signed-in">{escape(signed)} · '
            '<form style="display:inline" method="post" action="/logout">'
            f'<input type="hidden" name="csrf" value="{escape(signin.session_form_token(session))}">'
            f'<button type="submit">{escape(out)}</button></form> · '
            f"{languages.switch(lang, path)}</div>")


# The acts a page's forms do (acting.py), which the page they lead to says are done.
EXPERT_ACTS = ("score", "recuse")  # an expert's acts on a project of its panels
DONE = (*lifecycle.TAKES, *EXPERT_ACTS, "dock", "ack", "extend", "publish_batch")


def done_line(done: str | None) -> str:
    """The line saying the act `done` (one of DONE) was done; nothing for any other."""
    if done not in DONE:
        return ""
    told = _("Done: {act}.").format(act=labels.current().event(done))
    return f'<p id="done" role="status" data-event="{escape(done)}">{escape(told)}</p>'


@router.get("/")
def dashboard(request: Request, engine: EngineDep, done: str | None = None) -> Response:
    """The operators' view from live data, for a signed-in operator; else the sign-in form;
    `done`, the act a form of the page's has just done."""
    reader = signed_in(request, engine)
    if reader is None:
        cookie = request.cookies.get(signin.SESSION_COOKIE)
        return sign_in_page(request, ENDED if cookie else "")
    operator, session = reader
    actor, lang, now = operator.actor(), languages.language(request), engine.now()
    csrf = signin.session_form_token(session)
    with labels.speaking(lang):
        # Its worklist first, with a form for each escalation; the form that docks a project
        # for a role that may; then the programme's figures, holding what it may read.
        top = banner(operator, session, lang, "/", engine.policy) + done_line(done)
        top += worklist.html(engine.todo(actor, now=now), engine.policy, now, csrf=csrf)
        if any(g.role == actor.role for g in engine.policy.permissions.get("dock", ())):
            regions = [actor.scope] if actor.scope in engine.policy.regions else \
                list(engine.policy.regions)
            heading = _("Dock a new project")
            top += f"<h2>{escape(heading)}</h2>" + forms.dock_form(engine.policy, regions, csrf)
        top += batches_section(engine.policy, actor, csrf)
        body = page.render(engine.report(actor=actor, now=now), engine.policy, banner=top)
    shown = html(body, lang=lang)
    languages.remember(shown, request)
    return shown


def batches_section(policy: Policy, actor: Actor, csrf: str) -> str:
    """For a role that may extend a window or publish a batch: each batch with its forms."""
    def may(event: str) -> bool:
        return any(g.role == actor.role for g in policy.permissions.get(event, ()))

    extend, publish = may("extend"), may("publish")
    if not (extend or publish):
        return ""
    heading = _("The batches")
    rows = "".join(f'<h3>{escape(b.key)} {escape(b.name)}</h3>'
                   + forms.batch_forms(policy, b.key, csrf, extend=extend, publish=publish)
                   for b in policy.batches.values())
    return f'<h2>{escape(heading)}</h2><div id="batches">{rows}</div>'


@router.post("/login")
def login(request: Request, engine: EngineDep, token: Annotated[str, Form(max_length=200)],
          csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Sent from the sign-in form of this site (its origin and CSRF token checked): check the
    token; on success open a session, keep its id in the session cookie and go to the
    dashboard."""
    if not signin.from_this_site(request) or not signin.same_token(
            csrf, request.cookies.get(signin.SIGN_IN_COOKIE)):
        return elsewhere(request)
    gate = request.app.state.gate
    try:
        operator = gate.authenticate(request, token)
    except Unauthenticated:
        return sign_in_page(request, N_("That token lets no one in."),
                            status=Unauthenticated.http_status)
    except TooManyFailures as exc:
        return sign_in_page(request, N_("Too many failed sign-ins from here: try again in "
                                        "{seconds} s."), status=429,
                            headers={"Retry-After": str(exc.retry_after)},
                            seconds=exc.retry_after)
    lasting = timedelta(seconds=request.app.state.config.session_seconds)
    session = Sessions(engine.db).open(operator, now=engine.now(), lasting=lasting)
    done = RedirectResponse("/", status_code=303)
    signin.set_cookie(done, request, signin.SESSION_COOKIE, session,
                      int(lasting.total_seconds()))
    signin.forget_cookie(done, request, signin.SIGN_IN_COOKIE)
    return done


@router.post("/logout")
def logout(request: Request, engine: EngineDep,
           csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Sent from a signed-in page of this site (its origin and CSRF token checked): end the
    session on the server and forget its cookie."""
    session = request.cookies.get(signin.SESSION_COOKIE)
    done = RedirectResponse("/", status_code=303)
    if session:
        if not signin.from_this_site(request) or not signin.same_token(
                csrf, signin.session_form_token(session)):
            return elsewhere(request)
        Sessions(engine.db).end(session, now=engine.now())
    signin.forget_cookie(done, request, signin.SESSION_COOKIE)
    return done


@router.get("/docs")
def docs(request: Request) -> Response:
    """The API's documentation, drawn here from /openapi.json (no script, no CDN)."""
    spec: dict[str, Any] = request.app.openapi()
    rows = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = ", ".join(f"{p['name']} ({p['in']})" for p in op.get("parameters", []))
            body = op.get("requestBody", {}).get("content", {})
            rows.append(
                f"<tr><td><code>{escape(method.upper())} {escape(path)}</code></td>"
                f"<td>{escape(op.get('summary', ''))}<br><span class='meta'>"
                f"{escape(op.get('description', ''))}</span></td>"
                f"<td>{escape(params)}</td><td>{escape(', '.join(body))}</td>"
                f"<td>{escape(', '.join(op.get('responses', {})))}</td></tr>")
    info = spec.get("info", {})
    return html(shell("accel666 API", (
        f"<h1>{escape(info.get('title', 'accel666'))} API {escape(info.get('version', ''))}</h1>"
        '<p class="meta">Every call but <code>GET /healthz</code> needs '
        "<code>Authorization: Bearer TOKEN</code>. Errors are RFC 9457 problem documents. "
        'The machine-readable description: <a href="/openapi.json">/openapi.json</a>.</p>'
        "<table><tr><th>call</th><th>what</th><th>parameters</th><th>body</th>"
        "<th>statuses</th></tr>" + "".join(rows) + "</table>")))
