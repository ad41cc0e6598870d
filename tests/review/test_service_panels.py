"""The expert review over HTTP: the registry, a panel seated, scored blind and shown, a
recusal; the same refusals as the command line, as problem documents; the OpenAPI document."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from accel666 import Engine
from accel666.service import ServiceConfig, create_app
from tests.helpers import CODE_A, CODE_B
from tests.review.panel_support import recommended

OPERATORS = {"prov": "province", "sz": "city:suzhou", "wang": "expert:wang", "li": "expert:li",
             "zhao": "expert:zhao", "qian": "expert:qian", "nobody": "expert:nobody"}


@pytest.fixture
def setting(db_url, clock):
    with Engine(db_url, clock=clock) as engine:
        tokens = {name: engine.add_operator(name, role, by="test").token
                  for name, role in OPERATORS.items()}
        a = recommended(engine)
        b = recommended(engine, CODE_B, "nanjing")
    app = create_app(ServiceConfig(db=db_url), clock=clock)
    with TestClient(app) as client:
        yield client, tokens, a, b


def call(setting, who, method, path, body=None):
    client, tokens, _, _ = setting
    return client.request(method, path, json=body,
                          headers={"Authorization": f"Bearer {tokens[who]}"})


def add(setting, key, **extra):
    return call(setting, "prov", "POST", "/experts", {"key": key, "name": f"专家{key}", **extra})


def test_the_province_keeps_the_registry(setting):
    made = add(setting, "wang", unit="东南大学", avoid=["nanjing", CODE_A])
    assert made.status_code == 201, made.text
    assert made.json()["avoid"] == ["320100", CODE_A]
    assert [x["key"] for x in call(setting, "prov", "GET", "/experts").json()] == ["wang"]
    assert add(setting, "wang").status_code == 422
    refused = call(setting, "sz", "POST", "/experts", {"key": "li", "name": "李"})
    assert refused.status_code == 403
    bad = add(setting, "Bad Key")
    assert (bad.status_code, bad.json()["field"]) == (400, "expert key")
    assert call(setting, "prov", "POST", "/experts", {"key": "x"}).status_code == 400


def test_a_panel_is_seated_scored_blind_and_shown(setting):
    _, _, a, b = setting
    for key in ("wang", "li", "zhao", "qian"):
        assert add(setting, key).status_code == 201
    seated = call(setting, "prov", "POST", f"/projects/{a}/panel",
                  {"experts": ["wang", "li", "zhao"]})
    assert seated.status_code == 200, seated.text
    assert [e["key"] for e in seated.json()["experts"]] == ["wang", "li", "zhao"]
    scored = call(setting, "wang", "POST", f"/projects/{a}/score", {"score": 90,
                                                                    "comment": "好"})
    assert scored.status_code == 200, scored.text
    call(setting, "li", "POST", f"/projects/{a}/score", {"score": 60})
    as_li = call(setting, "li", "GET", f"/projects/{a}/panel").json()
    assert [e["score"] for e in as_li["experts"]] == [None, 60, None]
    assert as_li["outcome"] == "pending"
    as_province = call(setting, "prov", "GET", f"/projects/{a}/panel").json()
    assert [e["score"] for e in as_province["experts"]] == [90, 60, None]
    call(setting, "zhao", "POST", f"/projects/{a}/score", {"score": 75})
    done = call(setting, "li", "GET", f"/projects/{a}/panel").json()
    assert (done["score"], done["outcome"], done["quorum"], done["pass_mark"],
            done["aggregate"]) == (75.0, "pass", 3, 70, "trimmed_mean")
    assert call(setting, "wang", "GET", f"/projects/{b}").status_code == 403
    assert [p["id"] for p in call(setting, "wang", "GET", "/projects").json()] == [a]
    assert call(setting, "wang", "GET", f"/projects/{a}/document").status_code == 200


@pytest.mark.parametrize("value", [101, -1, 88.5, "88", True])
def test_a_bad_score_is_400_and_writes_nothing(setting, value):
    _, _, a, _ = setting
    add(setting, "wang")
    call(setting, "prov", "POST", f"/projects/{a}/panel", {"experts": ["wang"]})
    refused = call(setting, "wang", "POST", f"/projects/{a}/score", {"score": value})
    assert refused.status_code == 400, refused.text
    assert refused.json()["field"] == "score"
    assert call(setting, "prov", "GET", f"/projects/{a}/panel").json()["experts"][0][
        "scored"] is False


def test_the_refusals_of_the_command_line_as_problem_documents(setting):
    _, _, a, _ = setting
    add(setting, "wang", avoid=["suzhou"])
    add(setting, "li")
    avoided = call(setting, "prov", "POST", f"/projects/{a}/panel", {"experts": ["wang"]})
    assert (avoided.status_code, avoided.json()["guard"]) == (422, "avoid")
    assert "expert wang must avoid region 320500" in avoided.json()["detail"]
    assert call(setting, "prov", "POST", f"/projects/{a}/panel",
                {"experts": ["ghost"]}).status_code == 404
    assert call(setting, "prov", "POST", "/projects/99/panel",
                {"experts": ["li"]}).status_code == 404
    call(setting, "prov", "POST", f"/projects/{a}/panel", {"experts": ["li"]})
    assert call(setting, "wang", "POST", f"/projects/{a}/score", {"score": 80}).status_code \
        == 403
    assert call(setting, "prov", "POST", f"/projects/{a}/score", {"score": 80}).status_code \
        == 403
    assert call(setting, "nobody", "POST", f"/projects/{a}/score",
                {"score": 80}).status_code == 404
    assert call(setting, "li", "POST", f"/projects/{a}/score", {"score": 80}).status_code == 200
    twice = call(setting, "li", "POST", f"/projects/{a}/score", {"score": 81})
    assert (twice.status_code, twice.json()["guard"]) == (422, "once")


def test_an_expert_recuses_over_http(setting):
    _, _, a, _ = setting
    add(setting, "wang")
    add(setting, "li")
    call(setting, "prov", "POST", f"/projects/{a}/panel", {"experts": ["wang"]})
    assert call(setting, "wang", "POST", f"/projects/{a}/recuse", {}).status_code == 400
    gone = call(setting, "wang", "POST", f"/projects/{a}/recuse", {"reason": "回避"})
    assert gone.status_code == 200, gone.text
    assert gone.json()["recused"][0]["key"] == "wang"
    assert call(setting, "wang", "GET", f"/projects/{a}").status_code == 403
    assert call(setting, "prov", "POST", f"/projects/{a}/panel",
                {"experts": ["li"]}).status_code == 200


def test_the_openapi_document_describes_the_review(setting):
    client, _, _, _ = setting
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/experts", "/projects/{project_id}/panel", "/projects/{project_id}/score",
            "/projects/{project_id}/recuse"} <= set(paths)
    assert set(paths["/projects/{project_id}/panel"]) == {"get", "post"}
    score = paths["/projects/{project_id}/score"]["post"]
    assert score["summary"] == "Score a project (an expert)"


def test_the_review_follows_the_panel_over_http(setting):
    _, _, a, b = setting
    for key in ("wang", "li", "zhao"):
        add(setting, key)
    for pid in (a, b):
        call(setting, "prov", "POST", f"/projects/{pid}/panel",
             {"experts": ["wang", "li", "zhao"]})
    early = call(setting, "prov", "POST", f"/projects/{a}/review", {})
    assert (early.status_code, early.json()["guard"]) == (422, "quorum")
    for who, value in (("wang", 90), ("li", 80), ("zhao", 75)):
        call(setting, who, "POST", f"/projects/{a}/score", {"score": value})
        call(setting, who, "POST", f"/projects/{b}/score", {"score": value})
    by_hand = call(setting, "prov", "POST", f"/projects/{a}/review",
                   {"score": 90, "verdict": "pass"})
    assert (by_hand.status_code, by_hand.json()["guard"]) == (422, "panel")
    not_a_flag = call(setting, "prov", "POST", f"/projects/{a}/review",
                      {"verdict": "fail", "override": "yes", "reason": "x"})
    assert not_a_flag.status_code == 400
    done = call(setting, "prov", "POST", f"/projects/{a}/review", {})
    assert (done.status_code, done.json()["state"]) == (200, "reviewed")
    against = call(setting, "prov", "POST", f"/projects/{b}/review",
                   {"verdict": "fail", "override": True, "reason": "核查发现数据不实"})
    assert (against.status_code, against.json()["state"]) == (200, "rejected")
    client = setting[0]
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/projects/{project_id}/review"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]
    ref = ref.get("$ref") or next(x["$ref"] for x in ref["anyOf"] if "$ref" in x)
    props = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert props["override"]["type"] == "boolean"


def test_the_registry_is_the_province_s_and_an_expert_reads_its_own_entry(setting):
    assert add(setting, "wang", avoid=[CODE_B]).status_code == 201
    assert add(setting, "li").status_code == 201
    assert [x["key"] for x in call(setting, "prov", "GET", "/experts").json()] == ["wang", "li"]
    assert [x["key"] for x in call(setting, "wang", "GET", "/experts").json()] == ["wang"]
    refused = call(setting, "sz", "GET", "/experts")
    assert refused.status_code == 403 and CODE_B not in refused.text
