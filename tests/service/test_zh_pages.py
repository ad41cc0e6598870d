"""The service in Chinese: every page a person reads (sign-in, dashboard with its worklist and
forms, a project's page with its panel and log, a refusal shown on it) has no English word
beyond the data people entered, codes and keys; a problem document's title and detail are
Chinese for a client whose first language is Chinese, its guard and facts the same keys."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from accel666 import Actor, Engine
from accel666.service import ServiceConfig, create_app
from tests.cli.test_zh_everywhere import english_words, policy_names
from tests.helpers import CODE_A, CODE_B
from tests.review.panel_support import PROVINCE, expert, recommended, registry

ORIGIN = {"Origin": "http://testserver"}
ENTERED = {"云上工厂", "苏州某某科技", "同意推荐", "东南大学", "a.pdf", "王工", "x-wang", "prov",
           *(f"专家{k}" for k in ("wang", "li", "zhao", "qian", "sun", "zhou")),
           "wang", "li", "zhao", "c-suzhou", "e",
           "accel666 operator add"} | policy_names()  # the command that prints a token


def visible(html: str) -> str:
    """The text a browser shows: no style, no tags (one line per element)."""
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "\n", html))


@pytest.fixture
def site(db_url, clock):
    with Engine(db_url, clock=clock) as engine:
        registry(engine)
        pid = recommended(engine, CODE_A)
        engine.assign_panel(PROVINCE, [pid], ["wang", "li", "zhao"])
        engine.score(expert("li"), pid, score=80)
        tokens = {name: engine.add_operator(name, role, by="test").token for name, role in (
            ("prov", "province"), ("王工", "city:suzhou"), ("x-wang", "expert:wang"))}
    app = create_app(ServiceConfig(db=db_url), clock=clock)
    with TestClient(app, follow_redirects=False) as client:
        yield client, tokens, pid


def signed_in(client: TestClient, token: str) -> None:
    client.cookies.clear()
    form = client.get("/")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    client.post("/login", data={"token": token, "csrf": csrf}, headers=ORIGIN)


def test_every_page_a_person_reads_is_chinese(site):
    client, tokens, pid = site
    pages = {"sign-in": client.get("/").text}
    for who in ("王工", "x-wang", "prov"):
        signed_in(client, tokens[who])
        pages[f"dashboard as {who}"] = client.get("/").text
        pages[f"project as {who}"] = client.get(f"/p/{pid}").text
    page = client.get(f"/p/{pid}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    refused = client.post(f"/p/{pid}/act/review", data={"csrf": csrf}, headers=ORIGIN)
    assert refused.status_code == 422  # the quorum has not scored
    pages["refusal"] = refused.text
    # The switch to English names that language in it.
    problems = {name: english_words(visible(html).replace("English", ""), ENTERED)
                for name, html in pages.items()}
    assert {name: found for name, found in problems.items() if found} == {}


def test_a_problem_document_speaks_the_client_s_language(site):
    client, tokens, pid = site
    auth = {"Authorization": f"Bearer {tokens['prov']}"}
    english = client.post(f"/projects/{pid}/review", json={}, headers=auth)
    chinese = client.post(f"/projects/{pid}/review", json={},
                          headers={**auth, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert english.status_code == chinese.status_code == 422
    en, zh = english.json(), chinese.json()
    assert (en["title"], zh["title"]) == ("Unprocessable Entity", "不符合规则")
    assert "quorum" in en["detail"] and "法定人数" in zh["detail"]
    assert english_words(zh["detail"], ENTERED) == []
    assert {k: v for k, v in en.items() if k not in ("title", "detail")} == \
        {k: v for k, v in zh.items() if k not in ("title", "detail")}  # guard, facts: keys
    assert chinese.headers["content-language"] == "zh-CN"
    missing = client.get("/projects/999", headers={**auth, "Accept-Language": "zh"})
    assert (missing.status_code, missing.json()["title"]) == (404, "未找到")


def test_a_city_of_another_region_is_refused_in_chinese(site, db_url, clock):
    client, tokens, _pid = site
    with Engine(db_url, clock=clock) as engine:
        other = engine.dock(Actor("nj", "city", "nanjing"), title="平台", enterprise="南京某某",
                            credit_code=CODE_B, region="nanjing", category="demo").id
    refused = client.get(f"/projects/{other}", headers={
        "Authorization": f"Bearer {tokens['王工']}", "Accept-Language": "zh-CN"})
    assert refused.status_code == 403
    assert "苏州市工信局" in refused.json()["detail"]
    assert english_words(refused.json()["detail"], ENTERED) == []
