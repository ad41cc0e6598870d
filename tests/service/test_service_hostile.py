"""Hostile and careless requests against the service (in process, on both backends): each gets
a clean 4xx problem document and writes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from accel666 import Engine
from accel666.service import ServiceConfig, create_app
from tests.helpers import CODE_A
from tests.workflow.wf_support import snapshot

PROBLEM = "application/problem+json"
DOCK = {"title": "T", "enterprise": "E", "credit_code": CODE_A, "region": "suzhou",
        "category": "demo"}


@pytest.fixture
def api(db_url, clock):
    """A client of the service at the test clock, with a Suzhou bureau's token."""
    with Engine(db_url, clock=clock) as engine:
        token = engine.add_operator("suzhou", "city:suzhou", by="test").token
    app = create_app(ServiceConfig(db=db_url, auth_failures=3, auth_window_seconds=60),
                     clock=clock)
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        client.token = token  # type: ignore[attr-defined]
        yield client


def unchanged(api, request) -> dict:
    """Send `request(api)`, check it is a 4xx problem and that no table changed."""
    engine = api.app.state.engine
    before = snapshot(engine)
    answer = request(api)
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert snapshot(engine) == before
    return answer.json()


HOSTILE = {
    "malformed JSON": lambda c: c.post("/projects", content=b'{"title": ',
                                       headers={"Content-Type": "application/json"}),
    "JSON that is a list": lambda c: c.post("/projects", json=[DOCK]),
    "an unknown key": lambda c: c.post("/projects", json={**DOCK, "state": "published"}),
    "a form instead of JSON": lambda c: c.post("/projects", data=DOCK),
    "text instead of JSON": lambda c: c.post("/projects", content=b"title=T",
                                             headers={"Content-Type": "text/plain"}),
    "an oversized body": lambda c: c.post("/projects", json={**DOCK, "title": "x" * 70_000}),
    "a lying Content-Length": lambda c: c.post(
        "/projects", content=b"{}", headers={"Content-Type": "application/json",
                                             "Content-Length": "99999999999"}),
    "an oversized upload": lambda c: c.post(
        "/projects/1/apply", data={"paper_copies": "2"},
        files={"document": ("a.pdf", b"x" * (c.app.state.engine.policy.materials
                                             .max_document_bytes + 70_000))}),
    "an event that is not one": lambda c: c.post("/projects/1/publish_all", json={}),
    "a path that climbs": lambda c: c.get("/projects/..%2F..%2Fetc%2Fpasswd"),
    "a negative id": lambda c: c.get("/projects/-1"),
    "an id past 64 bits": lambda c: c.get("/projects/99999999999999999999999"),
    "a bad If-Match": lambda c: c.post("/projects/1/withdraw", json={"reason": "x"},
                                       headers={"If-Match": 'W/"1.1"'}),
    "a score that is text": lambda c: c.post("/projects/1/review",
                                             json={"score": "ninety", "verdict": "pass"}),
    "sign with a reason": lambda c: c.post("/projects/1/sign", json={"reason": "x"}),
    "a page of a million": lambda c: c.get("/projects", params={"limit": 1_000_000}),
}


@pytest.mark.parametrize("request_", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_request_is_a_clean_4xx_and_writes_nothing(api, request_):
    api.post("/projects", json=DOCK).raise_for_status()  # project 1, docked
    unchanged(api, request_)


def test_the_statuses_of_bounds_and_types(api):
    assert unchanged(api, HOSTILE["an oversized body"])["status"] == 413
    assert unchanged(api, HOSTILE["a lying Content-Length"])["status"] == 413
    assert unchanged(api, HOSTILE["malformed JSON"])["field"] == "body"
    assert unchanged(api, HOSTILE["a bad If-Match"])["status"] == 412


def test_a_document_name_cannot_inject_headers_or_paths(api):
    pid = api.post("/projects", json=DOCK).json()["id"]
    name = '../../etc/x"\r\nSet-Cookie: a=b;.pdf'
    filed = api.post(f"/projects/{pid}/apply", data={"paper_copies": "2"},
                     files={"document": (name, b"%PDF")})
    if filed.status_code == 200:
        got = api.get(f"/projects/{pid}/document")
        assert "set-cookie" not in got.headers
        disposition = got.headers["content-disposition"]
        assert "\r" not in disposition and "\n" not in disposition
        assert disposition.startswith('attachment; filename="')
        assert disposition.count('"') == 2
    else:
        assert filed.status_code == 400 and filed.headers["content-type"] == PROBLEM


def test_failed_authentications_make_a_client_wait(api):
    good = api.headers["Authorization"]
    wrong = {"Authorization": "Bearer a666_" + "x" * 43}
    for _ in range(3):
        answer = api.get("/projects", headers=wrong)
        assert answer.status_code == 401
    blocked = api.get("/projects", headers=wrong)
    assert blocked.status_code == 429  # a wrong token waits out the window
    assert 1 <= int(blocked.headers["retry-after"]) <= 60
    assert api.get("/projects", headers={"Authorization": good}).status_code == 200  # not it


def test_no_credentials_is_401_and_not_counted(api):
    for _ in range(5):
        answer = api.get("/projects", headers={"Authorization": ""})
        assert answer.status_code == 401
        assert answer.json()["reason"] == "missing" and "Bearer" in answer.json()["detail"]
    assert api.get("/projects").status_code == 200


def test_the_openapi_document_and_offline_docs(api):
    spec = api.get("/openapi.json").json()
    events = {f"/projects/{{project_id}}/{event}" for event in
              ("apply", "recommend", "review", "sign", "publish", "reject", "withdraw")}
    assert {"/projects", *events, "/report", "/healthz"} <= set(spec["paths"])
    docs = api.get("/docs")
    assert docs.status_code == 200 and "POST /projects" in docs.text
    assert "default-src 'none'" in docs.headers["content-security-policy"]
    assert "<script" not in docs.text and "http://" not in docs.text.replace(
        "http://127", "")
