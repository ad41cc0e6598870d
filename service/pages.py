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

from accel666.errors import NotPermitted, Unauthenticated
from accel666.service import signin
from accel666.service.auth import TooManyFailures
from accel666.service.deps import EngineDep
from accel666.views import page, worklist
from accel666.workflow.sessions import Sessions

router = APIRouter(include_in_schema=False)

PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; " \
           "frame-ancestors 'none'"
_STYLE = ("body{font-family:sans-serif;margin:24px;max-width:1000px;color:#222}"
          "table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ddd;"
          "padding:4px 8px;text-align:left;vertical-align:top}code{font-size:13px}"
          ".meta{color:#666;font-size:13px}form.inline{display:inline}")


def html(body: str, status: int = 200) -> HTMLResponse:
    """A page with the service's CSP: nothing loaded from anywhere, no script."""
    return HTMLResponse(body, status_code=status,
                        headers={"Content-Security-Policy": PAGE_CSP,
                                 "X-Content-Type-Options": "nosniff",
                                 # A form's Origin is sent (not "null") from our own pages.
                                 "Referrer-Policy": "same-origin",
                                 "Cache-Control": "no-store"})


def _shell(title: str, content: str) -> str:
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
            f"<body>{content}</body></html>")


def sign_in_page(request: Request, problem: str = "", status: int = 200,
                 headers: dict[str, str] | None = None) -> Response:
    """The sign-in form: the operator's token, sent once to open a session; with a new CSRF
    token, kept in a cookie beside it."""
    note = f'<p class="meta" id="problem">{escape(problem)}</p>' if problem else ""
    token = signin.new_form_token()
    shown = html(_shell("accel666 · sign in", (
        "<h1>666 工程 · sign in</h1>" + note +
        '<form method="post" action="/login"><label>Operator token '
        '<input type="password" name="token" autocomplete="off" size="60" required></label> '
        f'<input type="hidden" name="csrf" value="{escape(token)}">'
        '<button type="submit">Sign in</button></form>'
        '<p class="meta">The token is the one <code>accel666 operator add</code> printed.</p>')),
        status=status)
    shown.headers.update(headers or {})
    signin.set_cookie(shown, request, signin.SIGN_IN_COOKIE, token, signin.SIGN_IN_SECONDS)
    return shown


def elsewhere(request: Request) -> Response:
    """The answer to a form not sent from this site's page, or without its CSRF token."""
    return sign_in_page(request, "That form did not come from this site's own page: open the "
                        "page again and send it from there.", status=NotPermitted.http_status)


@router.get("/")
def dashboard(request: Request, engine: EngineDep) -> Response:
    """The operators' view from live data, for a signed-in operator; else the sign-in form."""
    session = request.cookies.get(signin.SESSION_COOKIE) or ""
    try:
        operator = Sessions(engine.db).operator(session, now=engine.now())
    except Unauthenticated as exc:
        signed_out = exc.reason == "missing"
        return sign_in_page(request, "" if signed_out else
                            "Your session has ended: sign in again.")
    who = f"{operator.name} ({operator.role}{':' + operator.scope if operator.scope else ''})"
    banner = ('<div class="meta" id="signed-in">signed in as ' + escape(who) +
              ' · <form style="display:inline" method="post" action="/logout">'
              '<input type="hidden" name="csrf" value="'
              f'{escape(signin.session_form_token(session))}">'
              '<button type="submit">sign out</button></form></div>')
    # Its worklist first; then the programme's figures, the overdue list holding what the
    # operator may read.
    now = engine.now()
    tasks = worklist.html(engine.todo(operator.actor(), now=now), engine.policy, now)
    body = page.render(engine.report(actor=operator.actor(), now=now), engine.policy,
                       banner=banner + tasks)
    return html(body)


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
        return sign_in_page(request, "That token lets no one in.",
                            status=Unauthenticated.http_status)
    except TooManyFailures as exc:
        return sign_in_page(request, f"Too many failed sign-ins from here: try again in "
                            f"{exc.retry_after} s.", status=429,
                            headers={"Retry-After": str(exc.retry_after)})
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
    return html(_shell("accel666 API", (
        f"<h1>{escape(info.get('title', 'accel666'))} API {escape(info.get('version', ''))}</h1>"
        '<p class="meta">Every call but <code>GET /healthz</code> needs '
        "<code>Authorization: Bearer TOKEN</code>. Errors are RFC 9457 problem documents. "
        'The machine-readable description: <a href="/openapi.json">/openapi.json</a>.</p>'
        "<table><tr><th>call</th><th>what</th><th>parameters</th><th>body</th>"
        "<th>statuses</th></tr>" + "".join(rows) + "</table>")))
