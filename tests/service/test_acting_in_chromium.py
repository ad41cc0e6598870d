"""Acting from the browser, end to end in Debian's chromium against a real `accel666 serve`
(with expert panels), in Chinese: a Kunshan clerk docks a project from the dashboard's form,
the enterprise applies with a PDF from the project's page, the clerk recommends; an expert
finds the project on its worklist, scores it, is refused a second score (the refusal shown on
the page in Chinese), and another expert recuses. A screenshot of the Chinese dashboard with
its worklist and its form is left as an artefact (docs/dashboard-zh.png is one)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from accel666 import Actor, Engine
from tests.helpers import CODE_A
from tests.service.service_support import Service, start
from tests.workflow.test_report_page import (  # noqa: F401  (browser: the fixture)
    artefacts,
    browser,
)

pytestmark = pytest.mark.slow
PROVINCE = Actor("prov", "province")
PDF = "%PDF-1.4\n% 昆山云上工厂 申报书\n".encode()


@pytest.fixture
def served(db_url: str, tmp_path) -> Iterator[Service]:
    running = start(db_url, tmp_path, panels=True)
    try:
        with Engine(db_url, policy=running.policy) as engine:
            for name, role in (("王工", "city:kunshan"), ("qiye", f"enterprise:{CODE_A}"),
                               ("x-wang", "expert:wang"), ("x-li", "expert:li")):
                running.tokens[name] = engine.add_operator(name, role, by="test").token
            for key, name in (("wang", "王教授"), ("li", "李研究员"), ("zhao", "赵工")):
                engine.add_expert(PROVINCE, key, name=name, unit="东南大学")
        yield running
    finally:
        running.stop()


def signed_in(browser, service: Service, who: str):  # noqa: F811
    """A new Chinese browser context, signed in as `who`; its page and console errors."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(service.url + "/")
    page.fill("input[name=token]", service.tokens[who])
    page.click("button[type=submit]")
    page.wait_for_selector("#signed-in")
    return page, errors


def state(service: Service, pid: int) -> str:
    with Engine(service.db, policy=service.policy) as engine:
        return engine.get(pid).state


def test_from_docking_to_the_expert_s_score_each_from_the_page(served: Service, browser,  # noqa: F811
                                                               tmp_path, backend):
    clerk, clerk_errors = signed_in(browser, served, "王工")
    assert "我的待办" in clerk.locator("h2").first.inner_text()
    form = clerk.locator("form#dock")
    form.locator("input[name=title]").fill("昆山云上工厂")
    form.locator("input[name=enterprise]").fill("昆山某某智能科技有限公司")
    form.locator("input[name=credit_code]").fill(CODE_A)
    form.locator("select[name=category]").select_option("demo")
    form.locator("button[type=submit]").click()
    clerk.wait_for_selector("#done")
    pid = int(clerk.locator("h1").get_attribute("data-project") or 0)
    assert state(served, pid) == "docked"
    assert clerk.locator("#facts").get_attribute("data-state") == "docked"
    clerk.goto(served.url + "/")  # its worklist now holds the application to file
    assert clerk.locator(f'tr.task[data-project="{pid}"]').count() == 1
    clerk.locator("form#dock input[name=title]").fill("昆山数字车间")
    clerk.screenshot(path=str(artefacts(tmp_path) / f"dashboard-zh-{backend}.png"))

    enterprise, enterprise_errors = signed_in(browser, served, "qiye")
    enterprise.goto(f"{served.url}/p/{pid}")
    apply = enterprise.locator('form[data-event="apply"]')
    apply.locator("input[name=paper_copies]").fill("2")
    apply.locator("input[name=document]").set_input_files(
        files=[{"name": "申报书.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    apply.locator("button[type=submit]").click()
    enterprise.wait_for_selector("#done")
    assert state(served, pid) == "applied"

    clerk.goto(f"{served.url}/p/{pid}")
    assert clerk.locator("#document").count() == 1
    recommend = clerk.locator('form[data-event="recommend"]')
    recommend.locator("input[name=opinion]").fill("同意推荐")
    recommend.locator("button[type=submit]").click()
    clerk.wait_for_selector("#done")
    assert state(served, pid) == "recommended"

    with Engine(served.db, policy=served.policy) as engine:
        engine.assign_panel(PROVINCE, [pid], ["wang", "li", "zhao"])
    expert, expert_errors = signed_in(browser, served, "x-wang")
    task = expert.locator('tr.task[data-event="score"]')
    assert task.count() == 1 and task.get_attribute("data-project") == str(pid)
    stale = expert.context.new_page()  # the same page, left open in a second tab
    stale.goto(f"{served.url}/p/{pid}")
    task.locator("a.open").click()
    score = expert.locator('form[data-event="score"]')
    score.locator("input[name=score]").fill("86")
    score.locator("input[name=comment]").fill("材料完整，方案可行")
    score.locator("button[type=submit]").click()
    expert.wait_for_selector("#done")
    again = stale.locator('form[data-event="score"]')
    again.locator("input[name=score]").fill("60")
    again.locator("button[type=submit]").click()
    stale.wait_for_selector("#problem")
    refusal = stale.locator("#problem").inner_text()
    assert "评分" in refusal and "wang" in refusal, refusal

    other, other_errors = signed_in(browser, served, "x-li")
    other.goto(f"{served.url}/p/{pid}")
    recuse = other.locator('form[data-event="recuse"]')
    recuse.locator("input[name=reason]").fill("曾为该企业提供咨询")
    recuse.locator("button[type=submit]").click()
    other.wait_for_selector("#done")
    with Engine(served.db, policy=served.policy) as engine:
        panel = engine.panel(pid)
    assert [(s.key, s.score) for s in panel.experts] == [("wang", 86), ("zhao", None)]
    assert [s.key for s in panel.recused] == ["li"]
    assert clerk_errors == enterprise_errors == expert_errors == other_errors == []
    for page in (clerk, enterprise, expert, other):
        page.context.close()
