"""The dashboard's sessions (in process, at the test clock, on both backends): a random id in
the cookie, stored only as its SHA-256, never the token; ended at sign-out, after 12 hours and
when its operator is revoked; and every form checked for its origin and its CSRF token."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accel666 import Engine
from accel666.models.tables import session_table
from accel666.service import ServiceConfig, create_app
from tests.helpers import CODE_A

ORIGIN = {"Origin": "http://testserver"}
SESSION = "accel666_session"


@pytest.fixture
def site(db_url, clock) -> Iterator[TestClient]:
    """A browser's view of the service: no bearer token, cookies kept; the province's token
    on `site.token`."""
    with Engine(db_url, clock=clock) as engine:
        token = engine.add_operator("prov", "province", by="test").token
    app = create_app(ServiceConfig(db=db_url), clock=clock)
    with TestClient(app, follow_redirects=False,
                    headers={"Accept-Language": "en-GB,en;q=0.9"}) as client:
        client.token = token  # type: ignore[attr-defined]
        yield client


def csrf(page: httpx.Response) -> str:
    """The CSRF token a page's form carries."""
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


def sign_in(site: TestClient, token: str | None = None, **headers: str) -> httpx.Response:
    form = site.get("/")
    return site.post("/login", data={"token": token or site.token, "csrf": csrf(form)},
                     headers={**ORIGIN, **headers})


def signed_in(site: TestClient, cookie: str | None = None) -> bool:
    """Does `/` show the dashboard (with this session cookie, when given)?"""
    if cookie is not None:
        site.cookies.set(SESSION, cookie)
    page = site.get("/")
    assert page.status_code == 200
    return 'id="signed-in"' in page.text


def sessions(site: TestClient) -> list[tuple[str, int, object]]:
    with site.app.state.engine.db.connect() as conn:  # type: ignore[attr-defined]
        return [tuple(r) for r in conn.execute(select(
            session_table.c.id_sha256, session_table.c.operator_id, session_table.c.ended_at))]


def test_the_cookie_holds_a_random_session_id_never_the_token(site):
    done = sign_in(site)
    assert (done.status_code, done.headers["location"]) == (303, "/")
    cookie = done.cookies[SESSION]
    assert site.token not in cookie and len(cookie) >= 40
    assert signed_in(site)
    # Stored as its SHA-256 only.
    assert [s[0] for s in sessions(site)] == [hashlib.sha256(cookie.encode()).hexdigest()]
    # Another sign-in is another session.
    site.cookies.clear()
    assert sign_in(site).cookies[SESSION] != cookie


def test_the_cookie_is_http_only_same_site_strict_and_secure_over_https(site):
    plain = sign_in(site).headers["set-cookie"]
    assert "HttpOnly" in plain and "SameSite=strict" in plain and "Path=/" in plain
    assert "Max-Age=43200" in plain and "Secure" not in plain
    site.base_url = httpx.URL("https://testserver")
    site.cookies.clear()
    secure = sign_in(site, Origin="https://testserver").headers["set-cookie"]
    assert "Secure" in secure


def test_signing_out_ends_the_session_on_the_server(site):
    cookie = sign_in(site).cookies[SESSION]
    page = site.get("/")
    out = site.post("/logout", data={"csrf": csrf(page)}, headers=ORIGIN)
    assert out.status_code == 303
    assert sessions(site)[0][2] is not None  # ended
    assert not signed_in(site, cookie)  # the old cookie, sent again, opens nothing
    assert "Your session has ended" in site.get("/").text
    assert "登录已失效" in site.get("/", headers={"Accept-Language": "zh-CN"}).text


def test_revoking_the_operator_ends_its_sessions(site):
    cookie = sign_in(site).cookies[SESSION]
    assert signed_in(site)
    site.app.state.engine.revoke_operator("prov", by="test", reason="left")
    assert sessions(site)[0][2] is not None
    assert not signed_in(site, cookie)


def test_a_session_lasts_twelve_hours(site, clock):
    sign_in(site)
    clock.advance(seconds=12 * 3600 - 1)
    assert signed_in(site)
    clock.advance(seconds=1)
    assert not signed_in(site)


def test_the_session_cookie_never_opens_the_api(site):
    sign_in(site)
    refused = site.post("/projects", json={"title": "T", "enterprise": "E",
                                           "credit_code": CODE_A, "region": "suzhou",
                                           "category": "demo"})
    assert refused.status_code == 401
    assert site.get("/projects").status_code == 401


ELSEWHERE = {
    "another site's origin": {"Origin": "https://evil.example"},
    "another port": {"Origin": "http://testserver:8080"},
    "https for http": {"Origin": "https://testserver"},
    "an opaque origin": {"Origin": "null"},
    "another site's referer, no origin": {"Origin": "", "Referer": "https://evil.example/x"},
    "neither": {"Origin": ""},
}


@pytest.mark.parametrize("headers", ELSEWHERE.values(), ids=ELSEWHERE.keys())
def test_a_sign_in_from_elsewhere_is_refused(site, headers):
    form = site.get("/")
    sent = {k: v for k, v in {**ORIGIN, **headers}.items() if v}
    answer = site.post("/login", data={"token": site.token, "csrf": csrf(form)},
                       headers=sent)
    assert answer.status_code == 403
    assert SESSION not in answer.cookies and sessions(site) == []


def test_a_sign_in_with_its_own_referer_and_no_origin_is_let_in(site):
    form = site.get("/")
    answer = site.post("/login", data={"token": site.token, "csrf": csrf(form)},
                       headers={"Referer": "http://testserver/"})
    assert answer.status_code == 303


@pytest.mark.parametrize("token", ["", "0" * 43, None], ids=["empty", "another", "none"])
def test_a_sign_in_without_its_csrf_token_is_refused(site, token):
    site.get("/")
    data = {"token": site.token} | ({} if token is None else {"csrf": token})
    answer = site.post("/login", data=data, headers=ORIGIN)
    assert answer.status_code == 403
    assert sessions(site) == []


def test_signing_out_checks_the_origin_and_the_csrf_token(site):
    sign_in(site)
    token = csrf(site.get("/"))
    assert site.post("/logout", data={"csrf": token},
                     headers={"Origin": "https://evil.example"}).status_code == 403
    assert site.post("/logout", data={"csrf": "x" * 43}, headers=ORIGIN).status_code == 403
    assert site.post("/logout", headers=ORIGIN).status_code == 403
    assert signed_in(site)  # still
    assert site.post("/logout", data={"csrf": token}, headers=ORIGIN).status_code == 303
    assert not signed_in(site)


def test_a_wrong_token_on_the_form_is_401_and_counted(site):
    answer = sign_in(site, "a666_" + "x" * 43)
    assert answer.status_code == 401 and "lets no one in" in answer.text
    assert sessions(site) == []
