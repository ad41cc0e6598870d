"""The pages people open: the dashboard (the operators' view from live data), its sign-in, and
the API's documentation; all served from here, nothing loaded from elsewhere.

The dashboard reads the same token as the API, given once on the sign-in form and kept in an
HttpOnly, SameSite=Strict cookie; the cookie opens pages only, never the API's changes.
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accel666.errors import Unauthenticated
from accel666.service.auth import SESSION_COOKIE
from accel666.service.deps import EngineDep
from accel666.views import page

router = APIRouter(include_in_schema=False)

SESSION_SECONDS = 12 * 3600
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
                                 "Referrer-Policy": "no-referrer",
                                 "Cache-Control": "no-store"})


def _shell(title: str, content: str) -> str:
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
            f"<body>{content}</body></html>")


def sign_in_page(problem: str = "") -> str:
    """The sign-in form: the operator's token, sent once to set the session cookie."""
    note = f'<p class="meta" id="problem">{escape(problem)}</p>' if problem else ""
    return _shell("accel666 · sign in", (
        "<h1>666 工程 · sign in</h1>" + note +
        '<form method="post" action="/login"><label>Operator token '
        '<input type="password" name="token" autocomplete="off" size="60" required></label> '
        '<button type="submit">Sign in</button></form>'
        '<p class="meta">The token is the one <code>accel666 operator add</code> printed.</p>'))


@router.get("/")
def dashboard(request: Request, engine: EngineDep) -> Response:
    """The operators' view from live data, for a signed-in operator; else the sign-in form."""
    gate = request.app.state.gate
    try:
        operator = gate.operator(request, cookie=True)
    except Unauthenticated as exc:
        signed_out = exc.reason == "missing"
        return html(sign_in_page("" if signed_out else "Your session has ended: sign in again."))
    who = f"{operator.name} ({operator.role}{':' + operator.scope if operator.scope else ''})"
    banner = ('<div class="meta" id="signed-in">signed in as ' + escape(who) +
              ' · <form style="display:inline" method="post" action="/logout">'
              '<button type="submit">sign out</button></form></div>')
    body = page.render(engine.report(), engine.policy, banner=banner)
    return html(body)


@router.post("/login")
def login(request: Request, token: Annotated[str, Form(max_length=200)]) -> Response:
    """Check the token; on success keep it in the session cookie and go to the dashboard."""
    gate = request.app.state.gate
    try:
        gate.authenticate(request, token)
    except Unauthenticated:
        return html(sign_in_page("That token lets no one in."), status=401)
    done = RedirectResponse("/", status_code=303)
    done.set_cookie(SESSION_COOKIE, token, max_age=SESSION_SECONDS, httponly=True,
                    samesite="strict", secure=request.url.scheme == "https", path="/")
    return done


@router.post("/logout")
def logout() -> Response:
    """Forget the session cookie."""
    done = RedirectResponse("/", status_code=303)
    done.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
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
