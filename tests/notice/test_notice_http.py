"""The public notice over HTTP: the province's routes, their refusals as problem documents,
the OpenAPI description, and the public page and JSON that need no sign-in and show public
fields only (the page checked in Debian's chromium too)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accel666.service.application import create_app
from accel666.service.config import ServiceConfig
from tests.helpers import CODE_A, CODE_B, cst
from tests.notice.notice_support import AFTER, CLOSES_AT, STARTED_AT, reviewed

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def http(builtin, clock, db_url):
    """A TestClient of the service on the notice tests' database and clock, and the tokens
    of a province and a Tencent operator."""
    tokens = {"province": builtin.add_operator("prov", "province", by="test").token,
              "tencent": builtin.add_operator("tx", "tencent", by="test").token}
    app = create_app(ServiceConfig(db=db_url), clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.tokens = tokens  # type: ignore[attr-defined]
        yield client


def auth(client, who: str = "province") -> dict[str, str]:
    return {"Authorization": f"Bearer {client.tokens[who]}"}


def test_the_notice_over_http(http, builtin, clock):
    first = reviewed(builtin, clock, CODE_A)
    second = reviewed(builtin, clock, CODE_B)
    clock.set(STARTED_AT)
    assert http.post("/batches/2020-1/notice", headers=auth(http, "tencent")).status_code == 403
    started = http.post("/batches/2020-1/notice", headers=auth(http))
    assert started.status_code == 201, started.text
    assert started.json()["closes_at"] == "2020-10-14T23:59:59.999999+08:00"
    again = http.post("/batches/2020-1/notice", headers=auth(http))
    assert (again.status_code, again.json()["guard"]) == (422, "notice")
    shown = http.get("/batches/2020-1/notice", headers=auth(http)).json()
    assert [p["id"] for p in shown["projects"]] == [first, second]
    assert http.get("/batches/2020-1/notice").status_code == 401
    nameless = http.post(f"/projects/{first}/objections", headers=auth(http),
                         json={"name": " ", "text": "数据不实"})
    assert (nameless.status_code, nameless.json()["field"]) == (400, "name")
    clock.set(CLOSES_AT)
    made = http.post(f"/projects/{first}/objections", headers=auth(http),
                     json={"name": "张三", "unit": "某某公司", "text": "数据不实"})
    assert made.status_code == 201, made.text
    clock.set(AFTER)
    late = http.post(f"/projects/{second}/objections", headers=auth(http),
                     json={"name": "李四", "text": "逾期"})
    assert late.status_code == 422
    assert "2020-10-14T23:59:59.999999+08:00" in late.json()["detail"]
    sign = http.post(f"/projects/{first}/sign", headers=auth(http), json={})
    assert (sign.status_code, sign.json()["guard"]) == (422, "notice")
    bad = http.post(f"/objections/{made.json()['id']}/resolve", headers=auth(http),
                    json={"outcome": "maybe", "reason": "x"})
    assert bad.status_code in (400, 422)
    upheld = http.post(f"/objections/{made.json()['id']}/resolve", headers=auth(http),
                       json={"outcome": "upheld", "reason": "核查属实"})
    assert upheld.status_code == 200, upheld.text
    assert upheld.json()["project_state"] == "rejected"
    listed = http.get("/objections?batch=2020-1", headers=auth(http)).json()
    assert [(o["name"], o["outcome"]) for o in listed] == [("张三", "upheld")]
    assert http.post("/objections/99/resolve", headers=auth(http),
                     json={"outcome": "dismissed", "reason": "x"}).status_code == 404
    assert http.post(f"/projects/{second}/sign", headers=auth(http), json={}).status_code == 200
    assert builtin.verify().ok


def test_the_routes_are_described_in_the_openapi_document(http):
    paths = http.get("/openapi.json").json()["paths"]
    for path, method in (("/batches/{key}/notice", "post"), ("/batches/{key}/notice", "get"),
                         ("/projects/{project_id}/objections", "post"),
                         ("/objections/{objection_id}/resolve", "post"), ("/objections", "get"),
                         ("/public.json", "get"), ("/public", "get")):
        assert method in paths[path], path


def public_setup(builtin, clock) -> tuple[int, int]:
    """Two projects under notice (one with an objection), viewed on 2020-10-09."""
    first = reviewed(builtin, clock, CODE_A)
    second = reviewed(builtin, clock, CODE_B)
    clock.set(STARTED_AT)
    from tests.notice.notice_support import PROVINCE

    builtin.start_notice(PROVINCE, "2020-1")
    builtin.object(PROVINCE, first, name="告密者张三", unit="某某公司", text="机密异议内容")
    clock.set(cst(2020, 10, 9, 10, 0, 0))
    return first, second


def test_the_public_json_needs_no_sign_in_and_shows_public_fields_only(http, builtin, clock):
    public_setup(builtin, clock)
    found = http.get("/public.json")
    assert found.status_code == 200
    doc = found.json()
    batch = doc["batches"][0]
    assert batch["batch"] == "2020-1"
    notice = batch["under_notice"][0]
    assert notice["closes_at"] == "2020-10-14T23:59:59.999999+08:00"
    assert "书面" in notice["contact"]
    assert [set(p) for p in notice["projects"]] == [
        {"title", "enterprise", "credit_code", "region", "category", "batch"}] * 2
    text = found.text
    for secret in ("告密者张三", "机密异议内容", "score", "opinion", "推荐", "sha256"):
        assert secret not in text
    clock.set(AFTER)
    assert http.get("/public.json").json()["batches"][0]["under_notice"] == []


def test_the_public_page_is_chinese_first(http, builtin, clock):
    public_setup(builtin, clock)
    page = http.get("/public")
    assert page.status_code == 200
    assert page.headers["content-language"] == "zh-CN"
    assert "公示" in page.text and "2020-10-14 23:59:59" in page.text
    assert "告密者张三" not in page.text and "机密异议内容" not in page.text
    english = http.get("/public", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert english.headers["content-language"] == "en"
    assert "Under public notice" in english.text


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("ACCEL666_REQUIRE_BROWSER"),
                    reason="no chromium here (CI installs it and requires it)")
def test_the_public_page_in_chromium(http, builtin, clock, tmp_path):
    assert CHROMIUM is not None, "ACCEL666_REQUIRE_BROWSER is set but no chromium is installed"
    from playwright.sync_api import sync_playwright

    public_setup(builtin, clock)
    path = tmp_path / "public.html"
    path.write_text(http.get("/public").text, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors: list[str] = []
            requests: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            assert page.locator("h1").inner_text().startswith("江苏")
            rows = page.locator('table[data-list="notice"] tr')
            assert rows.count() == 3  # the heading and two projects
            assert CODE_B in rows.nth(2).inner_text()
            closes = page.locator("p[data-closes]").first.get_attribute("data-closes")
            assert closes == "2020-10-14T23:59:59.999999+08:00"
            assert "告密者张三" not in page.content()
            assert errors == [] and requests == [Path(path).as_uri()]
            page.screenshot(path=str(tmp_path / "public.png"), full_page=True)
        finally:
            browser.close()
