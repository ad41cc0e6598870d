"""The service's edges, each at its exact boundary: credentials of another scheme, If-Match
naming two versions, a body at its bound and one byte past it (declared or streamed), a 5xx
under an Idempotency-Key, and a lost optimistic-lock race."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from accel666 import Engine, Unavailable
from accel666.service import ServiceConfig, create_app
from tests.service.test_service_hostile import DOCK, PROBLEM, api, unchanged  # noqa: F401
from tests.workflow.wf_support import snapshot

BOUND = ServiceConfig(db="x").max_json_bytes  # the JSON bound the `api` fixture runs with


def padded(size: int) -> bytes:
    """A valid dock body of exactly `size` bytes (the padding is JSON whitespace)."""
    body = json.dumps(DOCK).encode()
    assert len(body) < size
    return body[:-1] + b" " * (size - len(body)) + b"}"


# -- credentials -------------------------------------------------------------------------------

def test_credentials_of_another_scheme_are_malformed_not_missing(api):  # noqa: F811
    answer = api.get("/projects", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert answer.status_code == 401
    assert answer.json()["reason"] == "malformed"


def test_credentials_of_another_scheme_count_against_the_client(api):  # noqa: F811
    """The fixture allows 3 failures a minute: the fourth attempt of another scheme waits."""
    for _ in range(3):
        assert api.get("/projects", headers={"Authorization": "Basic dXNlcjpwYXNz"}
                       ).status_code == 401
    answer = api.get("/projects", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert answer.status_code == 429
    assert answer.headers["content-type"] == PROBLEM


# -- If-Match ----------------------------------------------------------------------------------

def test_if_match_naming_two_versions_of_the_project_is_412_and_writes_nothing(api):  # noqa: F811
    docked = api.post("/projects", json=DOCK)
    assert docked.status_code == 201
    project = docked.json()["id"]
    shown = unchanged(api, lambda c: c.post(
        f"/projects/{project}/withdraw", json={"reason": "x"},
        headers={"If-Match": f'"{project}.1", "{project}.2"'}))
    assert shown["status"] == 412
    assert api.get(f"/projects/{project}").json()["state"] == "docked"


def test_if_match_naming_one_version_among_other_projects_tags_fires(api):  # noqa: F811
    project = api.post("/projects", json=DOCK).json()["id"]
    answer = api.post(f"/projects/{project}/withdraw", json={"reason": "x"},
                      headers={"If-Match": f'"{project + 1}.7", "{project}.1"'})
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "withdrawn"


def test_if_match_with_two_versions_is_412_whichever_comes_last(api):  # noqa: F811
    """The version named last is the project's own: still two versions, still 412 (a reader
    that split the list at spaces took only the last)."""
    project = api.post("/projects", json=DOCK).json()["id"]
    shown = unchanged(api, lambda c: c.post(
        f"/projects/{project}/withdraw", json={"reason": "x"},
        headers={"If-Match": f'"{project}.9", "{project}.1"'}))
    assert shown["status"] == 412
    assert shown["detail"] == (f"If-Match '\"{project}.9\", \"{project}.1\"' names no single "
                               f"version of project {project}; its tag is its ETag, as GET "
                               f"/projects/{project} gives")


def test_if_match_star_fires_at_any_version(api):  # noqa: F811
    project = api.post("/projects", json=DOCK).json()["id"]
    answer = api.post(f"/projects/{project}/withdraw", json={"reason": "x"},
                      headers={"If-Match": " * "})
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "withdrawn"


def test_a_long_if_match_is_quoted_to_200_characters(api):  # noqa: F811
    project = api.post("/projects", json=DOCK).json()["id"]
    header = ", ".join(f'"{project + 1}.{n}"' for n in range(100))
    shown = unchanged(api, lambda c: c.post(f"/projects/{project}/withdraw",
                                            json={"reason": "x"}, headers={"If-Match": header}))
    assert shown["status"] == 412
    assert f"If-Match {header[:200]!r} names" in shown["detail"]


# -- the body's bound --------------------------------------------------------------------------

def test_a_json_body_of_exactly_the_bound_is_served(api):  # noqa: F811
    answer = api.post("/projects", content=padded(BOUND),
                      headers={"Content-Type": "application/json"})
    assert answer.status_code == 201, answer.text


def test_a_json_body_one_byte_past_the_bound_is_413_and_writes_nothing(api):  # noqa: F811
    shown = unchanged(api, lambda c: c.post("/projects", content=padded(BOUND + 1),
                                            headers={"Content-Type": "application/json"}))
    assert shown["status"] == 413 and shown["limit"] == BOUND


def _streamed(body: bytes, piece: int = 4096) -> Iterator[bytes]:
    """The body as a stream of pieces: sent without Content-Length."""
    for start in range(0, len(body), piece):
        yield body[start:start + piece]


def test_a_streamed_body_of_exactly_the_bound_is_served(api):  # noqa: F811
    answer = api.post("/projects", content=_streamed(padded(BOUND)),
                      headers={"Content-Type": "application/json"})
    assert answer.status_code == 201, answer.text


def test_a_streamed_body_one_byte_past_the_bound_is_413_and_writes_nothing(api):  # noqa: F811
    def send(c):
        answer = c.post("/projects", content=_streamed(padded(BOUND + 1)),
                        headers={"Content-Type": "application/json"})
        assert "content-length" not in answer.request.headers
        return answer

    shown = unchanged(api, send)
    assert shown["status"] == 413 and shown["limit"] == BOUND


# -- a 5xx under an Idempotency-Key ----------------------------------------------------------------

FAILURES = {
    500: lambda: RuntimeError("the disk controller said no"),  # a bug: raised through the app
    503: lambda: Unavailable("locked", "database is locked"),  # answered as a problem
}


@pytest.fixture(params=sorted(FAILURES))
def fragile(db_url, clock, monkeypatch, request):
    """A client of a service whose next dock fails once, with a 500 or a 503."""
    with Engine(db_url, clock=clock) as engine:
        token = engine.add_operator("suzhou", "city:suzhou", by="test").token
    app = create_app(ServiceConfig(db=db_url), clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        engine = app.state.engine
        real = type(engine).dock
        calls = {"n": 0}

        def dock_once_broken(self, *args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 1:
                raise FAILURES[request.param]()
            return real(self, *args, **kwargs)

        monkeypatch.setattr(type(engine), "dock", dock_once_broken)
        client.failure = request.param  # type: ignore[attr-defined]
        yield client


def test_a_5xx_is_not_kept_under_its_key_and_the_retry_is_served(fragile):
    key = {"Idempotency-Key": "retry-after-a-failure"}
    first = fragile.post("/projects", json=DOCK, headers=key)
    assert first.status_code == fragile.failure
    before = snapshot(fragile.app.state.engine)
    second = fragile.post("/projects", json=DOCK, headers=key)
    assert second.status_code == 201, second.text
    assert "idempotent-replayed" not in second.headers
    assert snapshot(fragile.app.state.engine) != before  # the retry docked the project
    third = fragile.post("/projects", json=DOCK, headers=key)
    assert third.status_code == 201 and third.headers["idempotent-replayed"] == "true"
    assert third.json() == second.json()


# -- a lost optimistic-lock race -------------------------------------------------------------

def test_a_lost_race_at_the_compare_and_set_is_409_and_writes_nothing(api, monkeypatch):  # noqa: F811
    """Another writer moves the project on between this request's read and its
    compare-and-set (done here in the same transaction, so that it is deterministic): the
    store's own Conflict is answered 409, not as a refusal, and nothing is written."""
    from sqlalchemy import update

    from accel666.models import project_table
    from accel666.models.stores import projects as project_store

    project = api.post("/projects", json=DOCK).json()["id"]
    read = project_store.load

    def read_then_lose_the_race(conn, pid):
        row = read(conn, pid)
        conn.execute(update(project_table).where(project_table.c.id == pid)
                     .values(version=project_table.c.version + 1))
        return row

    monkeypatch.setattr(project_store, "load", read_then_lose_the_race)
    shown = unchanged(api, lambda c: c.post(f"/projects/{project}/withdraw",
                                            json={"reason": "x"}))
    assert shown["status"] == 409
    assert shown["error"] == "Conflict" and shown["expected_version"] == 1
