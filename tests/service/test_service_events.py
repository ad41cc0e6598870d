"""The event routes, made from the lifecycle's definition (in process, on both backends): one
route and one OpenAPI operation per event fired with a JSON body, its body what the event
takes; an event added to the definition is served as it stands; and each body that does not
fit is answered as it always was."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from accel666 import Engine, lifecycle
from accel666.lifecycle import INTEGER, TEXT, Input
from accel666.service import ServiceConfig, create_app
from tests.service.test_service_hostile import DOCK, PROBLEM, api  # noqa: F401  (the fixture)
from tests.workflow.wf_support import snapshot

JSON_EVENTS = ("recommend", "review", "sign", "publish", "reject", "withdraw")
NO_EVENT = ("Input should be 'recommend', 'review', 'sign', 'publish', 'reject' or "
            "'withdraw'")


def body_schema(spec: dict[str, Any], event: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The operation of `event` and the schema of its body."""
    operation = spec["paths"][f"/projects/{{project_id}}/{event}"]["post"]
    content = operation["requestBody"]["content"]["application/json"]["schema"]
    ref = next(s["$ref"] for s in content["anyOf"] if "$ref" in s)
    return operation, spec["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_the_events_with_a_json_body_are_the_definitions_but_apply(api):  # noqa: F811
    """Apply takes a document (a form); every other event on a project takes a JSON body."""
    spec = api.get("/openapi.json").json()
    served = [path.rsplit("/", 1)[1] for path, item in spec["paths"].items()
              if path.startswith("/projects/{project_id}/") and "post" in item
              and path != "/projects/{project_id}/objections"  # an act on it, not an event
              and "review" not in item["post"]["tags"]]  # the panel's acts are no events
    assert served == ["apply", *JSON_EVENTS]
    assert [e for e in lifecycle.TAKES if e != "apply"] == list(JSON_EVENTS)
    assert "/projects/{project_id}/{event}" not in spec["paths"]


@pytest.mark.parametrize("event", JSON_EVENTS)
def test_each_operation_shows_what_its_event_takes(api, event):  # noqa: F811
    """The body's properties are the event's inputs, the required ones required, nothing
    else allowed; a body is required when the event needs an input."""
    takes = lifecycle.TAKES[event]
    operation, schema = body_schema(api.get("/openapi.json").json(), event)
    assert list(schema["properties"]) == [i.name for i in takes]
    assert schema.get("required", []) == [i.name for i in takes if i.required]
    assert schema["additionalProperties"] is False
    assert operation["requestBody"].get("required", False) == any(i.required for i in takes)
    assert operation["summary"] == f"Fire {event} on a project"
    assert [p["name"] for p in operation["parameters"]] == [
        "project_id", "if-match", "Idempotency-Key"]


def test_the_operations_show_each_kind_of_input(api):  # noqa: F811
    spec = api.get("/openapi.json").json()
    review = body_schema(spec, "review")[1]["properties"]
    assert (review["score"]["type"], review["score"]["minimum"], review["score"]["maximum"]) \
        == ("integer", 0, 100)
    assert (review["verdict"]["type"], review["verdict"]["enum"]) == ("string", ["pass", "fail"])
    for event, name in (("recommend", "opinion"), ("reject", "reason"), ("withdraw", "reason")):
        shown = body_schema(spec, event)[1]["properties"][name]
        assert (shown["type"], shown["maxLength"]) == ("string", 10_000)
    assert body_schema(spec, "sign")[1]["properties"] == {}
    assert ("`score` (a whole number from 0 to 100, optional), `verdict` (pass or fail, "
            "optional), `override` (true or false, optional) and `reason` (text, optional)") in \
        body_schema(spec, "review")[0]["description"]
    assert review["override"]["type"] == "boolean"


def test_an_event_added_to_the_definition_is_served_with_no_change_to_the_service(
        db_url, clock, monkeypatch):
    """A `remark` taking a note (and, if it likes, a grade up to 5) gets its route, its
    operation and the Engine's checks; the route fires it through `Engine.fire`."""
    monkeypatch.setitem(lifecycle.TAKES, "remark",
                        (Input("note", TEXT), Input("grade", INTEGER, high=5, required=False)))
    fired: list[tuple[Any, ...]] = []

    def fire(self: Engine, actor: Any, project_id: int, event: str,
             values: dict[str, object] | None = None, *,
             expected_version: int | None = None) -> Any:
        fired.append((actor.name, project_id, event, values, expected_version))
        return self.get(project_id)

    monkeypatch.setattr(Engine, "fire", fire)
    with Engine(db_url, clock=clock) as engine:
        token = engine.add_operator("suzhou", "city:suzhou", by="test").token
    app = create_app(ServiceConfig(db=db_url), clock=clock)
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as http:
        pid = http.post("/projects", json=DOCK).json()["id"]
        answer = http.post(f"/projects/{pid}/remark", json={"note": "n", "grade": 3},
                           headers={"If-Match": f'"{pid}.1"'})
        assert answer.status_code == 200, answer.text
        assert answer.headers["etag"] == f'"{pid}.1"'
        assert fired == [("suzhou", pid, "remark", {"note": "n", "grade": 3}, 1)]
        missing = http.post(f"/projects/{pid}/remark", json={"grade": 3}).json()
        assert (missing["field"], missing["detail"]) == ("note", "invalid note: remark needs note")
        foreign = http.post(f"/projects/{pid}/remark", json={"note": "n", "reason": "r"}).json()
        assert foreign["detail"] == "invalid reason: remark takes no reason"
        text = http.post(f"/projects/{pid}/remark", json={"note": "n", "grade": "x"}).json()
        assert text["field"] == "grade"
        assert len(fired) == 1
        spec = http.get("/openapi.json").json()
    operation, schema = body_schema(spec, "remark")
    assert list(schema["properties"]) == ["note", "grade"] and schema["required"] == ["note"]
    assert (schema["properties"]["grade"]["minimum"], schema["properties"]["grade"]["maximum"]) \
        == (0, 5)
    assert operation["requestBody"]["required"] is True


def post(path: str, body: Any = None, *, content: bytes | None = None,
         headers: dict[str, str] | None = None):
    """A request of the table below, sent by `api` (`{pid}` is a docked project's id)."""
    def send(client: TestClient, pid: int):
        options: dict[str, Any] = {"headers": {k: v.format(pid=pid)
                                               for k, v in (headers or {}).items()}}
        if content is not None:
            options["content"] = content
        elif body is not None:
            options["json"] = body
        return client.post(path.format(pid=pid), **options)

    return send


JSON = {"Content-Type": "application/json"}
NEEDS_OPINION = (400, "InvalidInput", "opinion", "recommend needs opinion")
NOT_AN_INTEGER = "Input should be a valid integer"
# Each request and its answer: status, error, field and reason (None where the problem has none).
ANSWERS = {
    "no body": (post("/projects/{pid}/recommend"), NEEDS_OPINION),
    "an empty body": (post("/projects/{pid}/recommend", {}), NEEDS_OPINION),
    "a null body": (post("/projects/{pid}/recommend", content=b"null", headers=JSON),
                    NEEDS_OPINION),
    "a null opinion": (post("/projects/{pid}/recommend", {"opinion": None}), NEEDS_OPINION),
    "an empty opinion": (post("/projects/{pid}/recommend", {"opinion": ""}),
                         (400, "InvalidInput", "opinion", "must not be empty")),
    "an opinion that is a number": (
        post("/projects/{pid}/recommend", {"opinion": 5}),
        (400, "InvalidInput", "opinion", "Input should be a valid string")),
    "an opinion past the body's bound": (
        post("/projects/{pid}/recommend", {"opinion": "x" * 10_001}),
        (400, "InvalidInput", "opinion", "String should have at most 10000 characters")),
    "an opinion past the engine's bound": (
        post("/projects/{pid}/recommend", {"opinion": "x" * 3000}),
        (400, "InvalidInput", "opinion", "at most 2000 characters (got 3000)")),
    "what another event takes": (
        post("/projects/{pid}/recommend", {"opinion": "o", "reason": "r"}),
        (400, "InvalidInput", "reason", "recommend takes no reason")),
    "what no event takes": (
        post("/projects/{pid}/recommend", {"opinion": "o", "foo": "r"}),
        (400, "InvalidInput", "foo", "Extra inputs are not permitted")),
    "a list": (post("/projects/{pid}/recommend", [{"opinion": "o"}]),
               (400, "InvalidInput", "body",
                "Input should be a valid dictionary or object to extract fields from")),
    "malformed JSON": (post("/projects/{pid}/recommend", content=b'{"opinion": ',
                            headers=JSON), (400, "InvalidInput", "body", "JSON decode error")),
    "a form": (post("/projects/{pid}/recommend", content=b"opinion=o",
                    headers={"Content-Type": "application/x-www-form-urlencoded"}),
               (400, "InvalidInput", "body",
                "Input should be a valid dictionary or object to extract fields from")),
    # Under the built-in policy an expert panel decides the review: the province gives no
    # score (a score is refused), and a review asked of anyone else is not permitted.
    "review with a score, the panel deciding": (
        post("/projects/{pid}/review", {"score": 90}),
        (422, "Refused", None, None)),
    "review without anything, by a bureau": (
        post("/projects/{pid}/review", {}),
        (403, "NotPermitted", None, None)),
    "review with an override that is no flag": (
        post("/projects/{pid}/review", {"verdict": "fail", "override": 1, "reason": "r"}),
        (400, "InvalidInput", "override", "Input should be a valid boolean")),
    "review with a reason and an opinion": (
        post("/projects/{pid}/review", {"score": 1, "verdict": "pass", "reason": "r",
                                        "opinion": "o"}),
        (400, "InvalidInput", "opinion", "review takes no opinion")),
    "a score that is text": (
        post("/projects/{pid}/review", {"score": "ninety", "verdict": "pass"}),
        (400, "InvalidInput", "score", NOT_AN_INTEGER)),
    "a score with a fraction": (
        post("/projects/{pid}/review", {"score": 90.5, "verdict": "pass"}),
        (400, "InvalidInput", "score", NOT_AN_INTEGER)),
    # A score is a JSON integer: the digits as text, a number in exponent form or with a zero
    # fraction are not one, whatever integer they might be read as.
    "a score that is digits as text": (
        post("/projects/{pid}/review", {"score": "88", "verdict": "pass"}),
        (400, "InvalidInput", "score", NOT_AN_INTEGER)),
    "a score in exponent form": (
        post("/projects/{pid}/review", content=b'{"score": 1e3, "verdict": "pass"}',
             headers=JSON), (400, "InvalidInput", "score", NOT_AN_INTEGER)),
    "a score with a zero fraction": (
        post("/projects/{pid}/review", content=b'{"score": 88.0, "verdict": "pass"}',
             headers=JSON), (400, "InvalidInput", "score", NOT_AN_INTEGER)),
    "a score that is true": (
        post("/projects/{pid}/review", {"score": True, "verdict": "pass"}),
        (400, "InvalidInput", "score", NOT_AN_INTEGER)),
    "a score out of range and a verdict that is none": (
        post("/projects/{pid}/review", {"score": 101, "verdict": "maybe"}),
        (400, "InvalidInput", "verdict", "use pass or fail")),
    "a score out of range": (
        post("/projects/{pid}/review", {"score": 101, "verdict": "pass"}),
        (400, "InvalidInput", "score", "must be from 0 to 100 (got 101)")),
    "a verdict past the body's bound": (
        post("/projects/{pid}/review", {"score": 1, "verdict": "x" * 21}),
        (400, "InvalidInput", "verdict", "String should have at most 20 characters")),
    "sign with a reason": (post("/projects/{pid}/sign", {"reason": "x"}),
                           (400, "InvalidInput", "reason", "sign takes no reason")),
    "sign with a score that is text": (
        post("/projects/{pid}/sign", {"score": "x"}),
        (400, "InvalidInput", "score", NOT_AN_INTEGER)),
    "withdraw with an opinion": (post("/projects/{pid}/withdraw", {"opinion": "r"}),
                                 (400, "InvalidInput", "reason", "withdraw needs reason")),
    "an event that is not one": (post("/projects/{pid}/publish_all", {}),
                                 (400, "InvalidInput", "event", NO_EVENT)),
    "dock on a project": (post("/projects/{pid}/dock", {}),
                          (400, "InvalidInput", "event", NO_EVENT)),
    "an event named with a capital": (post("/projects/{pid}/Recommend", {"opinion": "o"}),
                                      (400, "InvalidInput", "event", NO_EVENT)),
    "a read posted to": (post("/projects/{pid}/history", {}),  # the path serves GET only
                         (405, None, None, None)),
    "an id that is no number": (
        post("/projects/x/recommend", {"opinion": "o"}),
        (400, "InvalidInput", "project_id",
         "Input should be a valid integer, unable to parse string as an integer")),
    "a missing body and a bad If-Match (the body first)": (
        post("/projects/{pid}/recommend", {}, headers={"If-Match": 'W/"{pid}.1"'}),
        NEEDS_OPINION),
    "a bad If-Match": (post("/projects/{pid}/recommend", {"opinion": "o"},
                            headers={"If-Match": 'W/"{pid}.1"'}), (412, "Unmatched", None, None)),
    "another version": (
        post("/projects/{pid}/withdraw", {"reason": "o"}, headers={"If-Match": '"{pid}.2"'}),
        (412, "Stale", None, None)),
    "a state that does not allow it": (post("/projects/{pid}/recommend", {"opinion": "o"}),
                                       (422, "Refused", None, None)),
    "no such project": (post("/projects/999/recommend", {"opinion": "o"}),
                        (404, "NotFound", None, None)),
    "no credentials and a bad body": (
        post("/projects/{pid}/recommend", {"foo": 1}, headers={"Authorization": ""}),
        (401, "Unauthenticated", None, None)),
}


@pytest.mark.parametrize("case", ANSWERS, ids=list(ANSWERS))
def test_each_body_that_does_not_fit_is_answered_as_it_always_was(api, case):  # noqa: F811
    """The status and the problem, the first field named and why; nothing written."""
    request, (status, error, field, reason) = ANSWERS[case]
    pid = api.post("/projects", json=DOCK).json()["id"]
    before = snapshot(api.app.state.engine)
    answer = request(api, pid)
    problem = answer.json()
    assert (answer.status_code, answer.headers["content-type"]) == (status, PROBLEM)
    assert (problem["status"], problem.get("error")) == (status, error)
    if field is not None:
        assert (problem["field"], problem["reason"]) == (field, reason)
        assert problem["detail"] == f"invalid {field}: {reason}"
    assert snapshot(api.app.state.engine) == before


def test_an_event_is_not_read_or_put(api):  # noqa: F811
    pid = api.post("/projects", json=DOCK).json()["id"]
    for answer in (api.get(f"/projects/{pid}/recommend"),
                   api.put(f"/projects/{pid}/recommend", json={"opinion": "o"})):
        assert (answer.status_code, answer.headers["allow"]) == (405, "POST")


def test_an_event_fires_at_the_version_if_match_names_and_a_retry_is_replayed(api):  # noqa: F811
    pid = api.post("/projects", json=DOCK).json()["id"]
    send = {"If-Match": f'"{pid}.1"', "Idempotency-Key": "w-1"}
    first = api.post(f"/projects/{pid}/withdraw", json={"reason": " gone\n"}, headers=send)
    assert (first.status_code, first.headers["etag"]) == (200, f'"{pid}.2"')
    assert first.json()["state"] == "withdrawn"
    again = api.post(f"/projects/{pid}/withdraw", json={"reason": " gone\n"}, headers=send)
    assert (again.content, again.headers["idempotent-replayed"]) == (first.content, "true")
    history = api.get(f"/projects/{pid}/history").json()
    assert [(h["event"], h["payload"]) for h in history[1:]] == [("withdraw", {"reason": "gone"})]
