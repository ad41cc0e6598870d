"""`report --html`: one self-contained page, checked in a real headless browser (Debian's
chromium through Playwright): it loads with no console error and no request beyond itself,
shows the numbers `report --json` gives, keeps stored text inert, and leaves a screenshot."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from accel666 import lifecycle
from tests.helpers import cst
from tests.workflow.test_report import known  # noqa: F401  (the fixture)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    if os.environ.get("ACCEL666_REQUIRE_BROWSER"):
        raise RuntimeError("ACCEL666_REQUIRE_BROWSER is set but no chromium is installed")
    pytest.skip("no chromium here (CI installs it and requires it)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def artefacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("ACCEL666_ARTEFACTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def watched_page(browser):
    """A new page, with the console errors and the requests it makes collected."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    return page, errors, requests


def open_page(browser, path: Path):
    page, errors, requests = watched_page(browser)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors, requests


def test_the_page_shows_what_the_json_says(run, engine, known, browser, tmp_path, backend):  # noqa: F811
    run.moment = cst(2020, 10, 10, 10)
    out = tmp_path / "report.html"
    assert run("report", "--html", str(out)).exit_code == 0
    expected = json.loads(run("report", "--json").stdout)
    page, errors, requests = open_page(browser, out)
    try:
        assert errors == []
        assert requests == [out.as_uri()]  # nothing fetched: it opens without a network
        assert page.locator("script").count() == 0
        funnel = {g.get_attribute("data-state"): int(g.get_attribute("data-count"))
                  for g in page.locator("#funnel .state").all()}
        assert funnel == expected["totals"]
        cards = [{"key": c.get_attribute("data-key"),
                  "target": int(c.get_attribute("data-target")),
                  "published": int(c.get_attribute("data-published")),
                  "in_pipeline": int(c.get_attribute("data-in-pipeline"))}
                 for c in page.locator(".category").all()]
        assert cards == [{k: c[k] for k in ("key", "target", "published", "in_pipeline")}
                         for c in expected["categories"]]
        regions = []
        for row in page.locator("tr.region").all():
            states = {td.get_attribute("data-state"): int(td.inner_text())
                      for td in row.locator("td[data-state]").all()}
            regions.append((row.get_attribute("data-code"), states,
                            int(row.get_attribute("data-overdue")),
                            int(row.get_attribute("data-open-escalations"))))
        assert regions == [(r["code"], r["states"], r["overdue"], r["open_escalations"])
                           for r in expected["regions"]]
        assert int(page.locator("#overdue").get_attribute("data-count")) == expected["overdue"]
        assert int(page.locator("#open-escalations").get_attribute("data-count")) == \
            expected["open_escalations"]
        assert page.locator("tr.overdue").count() == expected["overdue"]
        assert page.locator("#diagram .edge").count() == sum(  # every edge of the lifecycle
            len(e.sources) for e in lifecycle.TRANSITIONS)
        page.screenshot(path=str(artefacts(tmp_path) / f"report-{backend}.png"), full_page=True)
    finally:
        page.close()


def test_stored_markup_is_shown_as_text(run, engine, actors, browser, tmp_path):
    from tests.helpers import CODE_A

    title = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    engine.dock(actors.tencent, title=title, enterprise="<b>EA</b>", credit_code=CODE_A,
                region="suzhou", category="demo")
    run.moment = cst(2020, 9, 1, 10)  # docked past the application window: overdue, listed
    out = tmp_path / "report.html"
    assert run("report", "--html", str(out)).exit_code == 0
    page, errors, requests = open_page(browser, out)
    try:
        assert errors == [] and requests == [out.as_uri()]
        assert page.locator("script, img").count() == 0
        assert page.locator("tr.overdue td").nth(1).inner_text() == title
    finally:
        page.close()


@pytest.mark.parametrize(("moment", "past_due"), [
    (cst(2022, 12, 31, 23, 59, 59), False),  # the targets' last day: not yet missed
    (cst(2023, 1, 1, 0, 0, 0), True),  # the next day: every unmet target is flagged
])
def test_a_target_past_its_date_unmet_is_flagged(run, engine, known, browser, tmp_path,  # noqa: F811
                                                 moment, past_due):
    run.moment = moment
    out = tmp_path / "report.html"
    assert run("--lang", "zh", "report", "--html", str(out)).exit_code == 0
    page, errors, _ = open_page(browser, out)
    try:
        assert errors == []
        cards = page.locator(".category").all()
        assert cards and all(int(c.get_attribute("data-published")) <
                             int(c.get_attribute("data-target")) for c in cards)
        assert {c.get_attribute("data-past-due") for c in cards} == {str(past_due).lower()}
        assert page.locator(".missed").count() == (len(cards) if past_due else 0)
        if past_due:
            assert page.locator(".missed").first.inner_text() == "已过期限：目标未完成"
    finally:
        page.close()


def test_the_time_is_to_the_second_and_no_bar_touches_its_text(run, engine, known, browser,  # noqa: F811
                                                              tmp_path):
    run.moment = cst(2020, 10, 10, 10, 30, 15)
    out = tmp_path / "report.html"
    assert run("report", "--html", str(out)).exit_code == 0
    page, errors, _ = open_page(browser, out)
    try:
        assert errors == []
        assert "as of 2020-10-10 10:30:15 +08:00" in page.locator("#as-of").inner_text()
        for card in page.locator(".category").all():
            text = card.locator(".meta").bounding_box()
            bar = card.locator("svg.bar").bounding_box()
            assert text is not None and bar is not None
            assert bar["y"] >= text["y"] + text["height"] + 4  # a line of its own, apart
    finally:
        page.close()
