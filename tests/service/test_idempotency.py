"""Idempotency-Key: a retried POST gets the first answer and changes nothing (in process, on
both backends; the real process is driven in test_service_process.py)."""

from __future__ import annotations

import json

from accel666.service import idempotency
from accel666.service import storage as served
from tests.helpers import CODE_A, CODE_B
from tests.service.test_service_hostile import DOCK, api  # noqa: F401  (the fixture)
from tests.workflow.wf_support import snapshot


def key(k: str) -> dict[str, str]:
    return {"Idempotency-Key": k}


def test_a_retried_dock_returns_the_first_answer_and_docks_once(api):  # noqa: F811
    first = api.post("/projects", json=DOCK, headers=key("dock-1"))
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    before = snapshot(api.app.state.engine)
    again = api.post("/projects", json=DOCK, headers=key("dock-1"))
    assert (again.status_code, again.content) == (201, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    assert {h: again.headers[h] for h in ("etag", "location", "content-type")} == \
        {h: first.headers[h] for h in ("etag", "location", "content-type")}
    assert snapshot(api.app.state.engine) == before
    assert [p["id"] for p in api.get("/projects").json()] == [first.json()["id"]]


def test_a_retried_event_is_not_refused_the_second_time(api):  # noqa: F811
    pid = api.post("/projects", json=DOCK).json()["id"]
    first = api.post(f"/projects/{pid}/withdraw", json={"reason": "x"}, headers=key("w"))
    again = api.post(f"/projects/{pid}/withdraw", json={"reason": "x"}, headers=key("w"))
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    history = api.get(f"/projects/{pid}/history").json()
    assert [h["event"] for h in history] == ["dock", "withdraw"]
    # A refusal is an answer too: kept and given again, the project untouched.
    refused = api.post(f"/projects/{pid}/withdraw", json={"reason": "y"}, headers=key("w2"))
    assert refused.status_code == 422
    assert api.post(f"/projects/{pid}/withdraw", json={"reason": "y"},
                    headers=key("w2")).json() == refused.json()


def test_the_same_key_with_another_request_is_422_and_writes_nothing(api):  # noqa: F811
    api.post("/projects", json=DOCK, headers=key("k")).raise_for_status()
    before = snapshot(api.app.state.engine)
    other = api.post("/projects", json={**DOCK, "credit_code": CODE_B}, headers=key("k"))
    assert other.status_code == 422 and other.json()["error"] == "KeyReused"
    assert snapshot(api.app.state.engine) == before


def test_keys_belong_to_the_operator_that_sent_them(api):  # noqa: F811
    engine = api.app.state.engine
    other = engine.add_operator("kunshan", "city:kunshan", by="test").token
    mine = api.post("/projects", json=DOCK, headers=key("same"))
    theirs = api.post("/projects", json={**DOCK, "credit_code": CODE_B, "region": "kunshan"},
                      headers={**key("same"), "Authorization": f"Bearer {other}"})
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert theirs.json()["id"] != mine.json()["id"]


def test_an_unauthenticated_answer_is_not_kept(api):  # noqa: F811
    bad = api.post("/projects", json=DOCK, headers={**key("a"), "Authorization": "Bearer x"})
    assert bad.status_code == 401
    good = api.post("/projects", json=DOCK, headers={**key("a"),
                                                     "Authorization": f"Bearer {api.token}"})
    assert good.status_code == 201 and good.json()["credit_code"] == CODE_A


def test_a_key_being_served_is_409_until_its_lease_runs_out(api, clock):  # noqa: F811
    """Another worker claimed the key for this very request and has not answered: 409 and
    nothing written; once the claim is older than the lease (its server died), it is served."""
    engine = api.app.state.engine
    who = idempotency.owner(engine.authenticate(api.token))
    body = json.dumps(DOCK).encode()
    fingerprint = idempotency.fingerprint("POST", "/projects", body,
                                          content_type=b"application/json")
    assert served.claim(engine.db, who, "busy", fingerprint, engine.now()).outcome == "new"
    send = {"Content-Type": "application/json", **key("busy")}
    busy = api.post("/projects", content=body, headers=send)
    assert (busy.status_code, busy.headers["retry-after"]) == (409, "1")
    assert busy.json()["error"] == "InProgress"
    assert api.get("/projects").json() == []
    clock.advance(seconds=served.LEASE.total_seconds() - 1)
    assert api.post("/projects", content=body, headers=send).status_code == 409
    clock.advance(seconds=1)
    assert api.post("/projects", content=body, headers=send).status_code == 201
    assert api.post("/projects", content=body, headers=send).headers[
        "idempotent-replayed"] == "true"


def test_kept_answers_are_forgotten_after_a_day(api, clock):  # noqa: F811
    engine = api.app.state.engine
    api.post("/projects", json=DOCK, headers=key("old")).raise_for_status()
    clock.advance(seconds=served.RETAIN.total_seconds() - 1)
    assert served.forget(engine.db, engine.now()) == 0
    clock.advance(seconds=1)
    assert served.forget(engine.db, engine.now()) == 1
    # And a new key's claim drops what is past keeping: the old key is served afresh.
    api.post("/projects", json={**DOCK, "credit_code": CODE_B}, headers=key("k2"))
    clock.advance(seconds=served.RETAIN.total_seconds())
    again = api.post("/projects", json={**DOCK, "credit_code": CODE_B}, headers=key("k2"))
    assert again.status_code == 422 and again.json()["guard"] == "duplicate"


def test_a_malformed_key_is_400(api):  # noqa: F811
    for bad in (b"", b"x" * 256, b"with space", "é".encode()):
        answer = api.post("/projects", json=DOCK, headers={"Idempotency-Key": bad})
        assert answer.status_code == 400, bad
        assert answer.json()["field"] == "Idempotency-Key"
    assert api.get("/projects").json() == []


# -- keys belong to the operator, and a replay is authenticated first ------------------------------

def test_keys_belong_to_the_operator_however_its_header_is_spelled(api):  # noqa: F811
    """`Bearer` then `bearer` (and more spaces): the same operator, so the same key is the same
    request, replayed and not run twice."""
    first = api.post("/projects", json=DOCK, headers={
        **key("spelled"), "Authorization": f"Bearer {api.token}"})
    again = api.post("/projects", json=DOCK, headers={
        **key("spelled"), "Authorization": f"bearer   {api.token}"})
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.headers["idempotent-replayed"] == "true" and again.content == first.content
    assert len(api.get("/projects").json()) == 1


def test_two_authorization_headers_are_400_and_run_nothing(api):  # noqa: F811
    engine = api.app.state.engine
    other = engine.add_operator("kunshan", "city:kunshan", by="test").token
    before = snapshot(engine)
    for extra in (key("two"), {}):
        answer = api.post("/projects", json=DOCK, headers=[
            ("Authorization", f"Bearer {api.token}"), ("Authorization", f"Bearer {other}"),
            *extra.items()])
        assert answer.status_code == 400, answer.text
        assert (answer.json()["error"], answer.json()["field"]) == ("InvalidInput",
                                                                    "Authorization")
    assert snapshot(engine) == before


def test_a_replay_to_a_revoked_operator_is_401(api):  # noqa: F811
    assert api.post("/projects", json=DOCK, headers=key("then")).status_code == 201
    api.app.state.engine.revoke_operator("suzhou", by="test", reason="left")
    again = api.post("/projects", json=DOCK, headers=key("then"))
    assert again.status_code == 401 and again.json()["reason"] == "revoked"
    assert "idempotent-replayed" not in again.headers


def test_if_match_is_part_of_the_request_a_key_stands_for(api):  # noqa: F811
    pid = api.post("/projects", json=DOCK).json()["id"]
    first = api.post(f"/projects/{pid}/withdraw", json={"reason": "x"},
                     headers={**key("w"), "If-Match": f'"{pid}.1"'})
    assert first.status_code == 200, first.text
    before = snapshot(api.app.state.engine)
    other = api.post(f"/projects/{pid}/withdraw", json={"reason": "x"},
                     headers={**key("w"), "If-Match": f'"{pid}.2"'})
    assert other.status_code == 422 and other.json()["error"] == "KeyReused"
    assert snapshot(api.app.state.engine) == before


def test_a_body_past_the_spool_s_memory_is_kept_and_replayed_whole(api):  # noqa: F811
    """An upload bigger than what is spooled in memory (spilled to a file) is served and
    replayed as sent: the document filed is the one uploaded, byte for byte."""
    pid = api.post("/projects", json=DOCK).json()["id"]
    document = bytes(range(256)) * (3 * 4096)  # 3 MiB
    send = dict(data={"paper_copies": "2"}, files={"document": ("a.pdf", document)},
                headers={**key("upload"),  # the same boundary each time: the same body
                         "Content-Type": "multipart/form-data; boundary=one-boundary"})
    first = api.post(f"/projects/{pid}/apply", **send)
    assert first.status_code == 200, first.text
    again = api.post(f"/projects/{pid}/apply", **send)
    assert again.headers["idempotent-replayed"] == "true" and again.content == first.content
    assert api.get(f"/projects/{pid}/document").content == document
