"""The dashboard at `/` of a real `accel666 serve`, in Debian's chromium: sign in with a token,
see the operators' view of live data with the numbers `GET /report` gives, no console error,
nothing fetched from elsewhere; a screenshot is left as an artefact."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import CODE_A, CODE_B
from tests.service.service_support import Service
from tests.workflow.test_report_page import (  # noqa: F401  (browser: the fixture)
    artefacts,
    browser,
    watched_page,
)

pytestmark = pytest.mark.slow


def test_the_dashboard_shows_what_the_report_says(service: Service, browser, tmp_path,  # noqa: F811
                                                  backend):
    with service.client("suzhou") as city, service.client("kunshan") as kunshan:
        first = city.post("/projects", json={"title": "云上工厂", "enterprise": "苏州某某",
                                             "credit_code": CODE_A, "region": "suzhou",
                                             "category": "demo"}).json()
        kunshan.post("/projects", json={"title": "昆山平台", "enterprise": "昆山某某",
                                        "credit_code": CODE_B, "region": "kunshan",
                                        "category": "backbone"}).raise_for_status()
        city.post(f"/projects/{first['id']}/withdraw", json={"reason": "x"}).raise_for_status()
        expected = city.get("/report").json()
    page, errors, requests = watched_page(browser)
    try:
        page.goto(service.url + "/")
        assert page.locator("input[name=token]").count() == 1  # signed out: the form
        page.fill("input[name=token]", service.tokens["province"])
        page.click("button[type=submit]")
        page.wait_for_selector("#funnel")
        assert "province" in page.locator("#signed-in").inner_text()
        funnel = {g.get_attribute("data-state"): int(g.get_attribute("data-count"))
                  for g in page.locator("#funnel .state").all()}
        assert funnel == expected["totals"]
        cards = {c.get_attribute("data-key"): (int(c.get_attribute("data-published")),
                                               int(c.get_attribute("data-in-pipeline")))
                 for c in page.locator(".category").all()}
        assert cards == {c["key"]: (c["published"], c["in_pipeline"])
                         for c in expected["categories"]}
        regions = {row.get_attribute("data-code"): {
            td.get_attribute("data-state"): int(td.inner_text())
            for td in row.locator("td[data-state]").all()} for row in page.locator("tr.region").all()}
        assert regions == {r["code"]: r["states"] for r in expected["regions"]}
        assert page.locator("script").count() == 0
        assert errors == []
        assert all(url.startswith(service.url) for url in requests), requests
        page.screenshot(path=str(artefacts(tmp_path) / f"dashboard-{backend}.png"),
                        full_page=True)
        cookie = {c["name"]: c for c in page.context.cookies()}["accel666_session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        # The cookie opens pages only: the API's changes still need the bearer token.
        refused = httpx.post(service.url + "/projects", cookies={cookie["name"]: cookie["value"]},
                             json={"title": "T", "enterprise": "E", "credit_code": CODE_A,
                                   "region": "suzhou", "category": "demo"})
        assert refused.status_code == 401
        page.click("#signed-in button")
        page.wait_for_selector("input[name=token]")
    finally:
        page.close()


def test_a_wrong_token_on_the_sign_in_form_is_refused(service: Service, browser):  # noqa: F811
    page = browser.new_page()
    try:
        page.goto(service.url + "/")
        page.fill("input[name=token]", "a666_" + "x" * 43)
        page.click("button[type=submit]")
        page.wait_for_selector("#problem")
        assert page.locator("#funnel").count() == 0
    finally:
        page.close()


def test_the_signed_in_operators_home_page_is_its_worklist(service: Service, browser):  # noqa: F811
    with service.client("suzhou") as city, service.client("kunshan") as kunshan:
        theirs = city.post("/projects", json={"title": "云上工厂", "enterprise": "苏州某某",
                                              "credit_code": CODE_A, "region": "suzhou",
                                              "category": "demo"}).json()
        mine = kunshan.post("/projects", json={"title": "昆山平台", "enterprise": "昆山某某",
                                               "credit_code": CODE_B, "region": "kunshan",
                                               "category": "backbone"}).json()
        expected = kunshan.get("/todo").json()
    assert [t["project_id"] for t in expected] == [mine["id"]]
    page, errors, _ = watched_page(browser)
    try:
        page.goto(service.url + "/")
        page.fill("input[name=token]", service.tokens["kunshan"])
        page.click("button[type=submit]")
        page.wait_for_selector("#worklist")
        rows = [(r.get_attribute("data-event"), int(r.get_attribute("data-project")))
                for r in page.locator("#worklist tr.task").all()]
        assert rows == [("apply", mine["id"])]
        assert theirs["id"] not in [p for _, p in rows]
        cells = page.locator("#worklist tr.task td").all_inner_texts()
        assert "昆山平台" in cells and any(c.endswith(" h") or " d " in c for c in cells)
        assert errors == []
    finally:
        page.close()
