"""The dashboard's sign-in as a browser holds it: the session cookie, the CSRF token each form
carries, and the check that a form was sent from this site's own pages.

The session cookie holds the session's random id (workflow/sessions.py), never the operator's
token: HttpOnly, SameSite=Strict, Secure when served over HTTPS. A form is let through only
when its Origin (or, without one, its Referer) is this site and its CSRF token is the one the
page gave: for the sign-in form, the value of a cookie set with the form (a token sent twice,
which another site can neither read nor set); for a signed-in page, a digest of the session's
id, which only its holder knows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response

SESSION_COOKIE = "accel666_session"
SIGN_IN_COOKIE = "accel666_sign_in"  # the sign-in form's CSRF token, sent twice
SIGN_IN_SECONDS = 3600  # how long a sign-in form may be left open
_DEFAULT_PORTS = {"http": 80, "https": 443}


def new_form_token() -> str:
    """A random CSRF token for the sign-in form."""
    return secrets.token_urlsafe(32)


def session_form_token(session_id: str) -> str:
    """The CSRF token of the forms of a signed-in page: a digest of the session's id."""
    digest = hashlib.sha256(b"accel666 form\0" + session_id.encode("utf-8", "replace")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def same_token(given: str | None, expected: str | None) -> bool:
    """Is `given` the expected CSRF token (compared in constant time)?"""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _origin(url: str) -> tuple[str, str, int] | None:
    """The (scheme, host, port) of a URL, None when it has none."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[parts.scheme]


def from_this_site(request: Request) -> bool:
    """Was the request sent from this site's own pages: its Origin, or (without one) its
    Referer, names the site the request was sent to? Neither, or an opaque origin, is not."""
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent or sent == "null":
        return False
    here = _origin(str(request.base_url))
    return here is not None and _origin(sent) == here


def set_cookie(response: Response, request: Request, name: str, value: str,
               seconds: int) -> None:
    """Keep `value` in the browser: HttpOnly, SameSite=Strict, Secure over HTTPS."""
    response.set_cookie(name, value, max_age=seconds, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")


def forget_cookie(response: Response, request: Request, name: str) -> None:
    """Make the browser drop the cookie `name`."""
    response.delete_cookie(name, path="/", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")
