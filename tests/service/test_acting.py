"""Acting from the browser (in process, at the test clock, on both backends): a project's page
offers the forms of what its reader may do; each form is checked for its origin, its CSRF
token and its session before anything is done, and does what the command line does, with the
same refusals shown on the page in its language. Experts score and recuse from their pages,
and their worklist lists what they have still to score."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from accel666 import Actor, Engine
from accel666.service import ServiceConfig, create_app
from tests.helpers import CODE_A, CODE_B, cst
from tests.review.panel_support import PROVINCE, expert, recommended, registry

ORIGIN = {"Origin": "http://testserver"}
PDF = b"%PDF-1.4\n% application\n"
KUNSHAN = "320583"


@pytest.fixture
def tokens(db_url, clock) -> dict[str, str]:
    with Engine(db_url, clock=clock) as engine:
        registry(engine)
        return {name: engine.add_operator(name, role, by="test").token for name, role in (
            ("prov", "province"), ("王工", "city:kunshan"), ("qiye", f"enterprise:{CODE_A}"),
            ("nanjing", "city:nanjing"), ("x-wang", "expert:wang"), ("x-li", "expert:li"))}


@pytest.fixture
def app(db_url, clock, tokens):
    return create_app(ServiceConfig(db=db_url), clock=clock)


@pytest.fixture
def browser(app, tokens) -> Iterator[TestClient]:
    """A browser: no bearer token, cookies kept, redirects not followed."""
    with TestClient(app, follow_redirects=False) as client:
        yield client


def csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


def sign_in(site: TestClient, token: str, lang: str = "zh") -> None:
    site.headers["Accept-Language"] = "en-GB,en" if lang == "en" else "zh-CN,zh"
    form = site.get("/")
    done = site.post("/login", data={"token": token, "csrf": csrf(form)}, headers=ORIGIN)
    assert done.status_code == 303, done.text


def act(site: TestClient, path: str, data: dict[str, str], *, files=None,
        page: str = "/") -> httpx.Response:
    """Send a form of `page` (its CSRF token) to `path`, from this site."""
    token = csrf(site.get(page))
    return site.post(path, data={"csrf": token, **data}, files=files, headers=ORIGIN)


def state(db_url, clock, pid: int) -> str:
    with Engine(db_url, clock=clock) as engine:
        return engine.get(pid).state


def test_a_kunshan_clerk_docks_the_enterprise_applies_and_the_clerk_recommends(
        browser, tokens, db_url, clock):
    sign_in(browser, tokens["王工"])
    home = browser.get("/")
    assert 'id="dock"' in home.text and f'value="{KUNSHAN}"' in home.text
    docked = act(browser, "/act/dock", {"title": "昆山云上工厂", "enterprise": "昆山某某科技",
                                        "credit_code": CODE_A, "region": KUNSHAN,
                                        "category": "demo"})
    assert docked.status_code == 303
    pid = int(docked.headers["location"].split("/")[2].split("?")[0])
    page = browser.get(docked.headers["location"])
    assert 'id="done"' in page.text and "已完成" in page.text
    assert state(db_url, clock, pid) == "docked"

    enterprise = TestClient(browser.app, follow_redirects=False)
    with enterprise:
        sign_in(enterprise, tokens["qiye"])
        own = enterprise.get(f"/p/{pid}")
        assert 'data-event="apply"' in own.text and 'type="file"' in own.text
        applied = act(enterprise, f"/p/{pid}/act/apply", {"paper_copies": "2"},
                      files={"document": ("申报书.pdf", PDF, "application/pdf")},
                      page=f"/p/{pid}")
        assert applied.status_code == 303, applied.text
        assert state(db_url, clock, pid) == "applied"
        got = enterprise.get(f"/p/{pid}/document")
        assert got.status_code == 200 and got.content == PDF

    page = browser.get(f"/p/{pid}")
    assert 'data-event="recommend"' in page.text and 'id="document"' in page.text
    done = act(browser, f"/p/{pid}/act/recommend", {"opinion": "同意推荐"}, page=f"/p/{pid}")
    assert done.status_code == 303
    assert state(db_url, clock, pid) == "recommended"
    with Engine(db_url, clock=clock) as engine:
        assert [(t.event, t.actor) for t in engine.history(pid)] == [
            ("dock", "王工"), ("apply", "qiye"), ("recommend", "王工")]


def test_a_refusal_is_shown_on_the_page_in_its_language_and_changes_nothing(
        browser, tokens, db_url, clock):
    with Engine(db_url, clock=clock) as engine:
        pid = engine.dock(Actor("k", "city", "kunshan"), title="T", enterprise="E",
                          credit_code=CODE_A, region="kunshan", category="demo").id
    clock.set(cst(2020, 8, 31, 0, 0, 0))  # the application window has closed
    sign_in(browser, tokens["王工"])
    refused = act(browser, f"/p/{pid}/act/apply", {"paper_copies": "2"},
                  files={"document": ("a.pdf", PDF, "application/pdf")}, page=f"/p/{pid}")
    assert refused.status_code == 422, refused.text
    problem = re.search(r'id="problem"[^>]*>([^<]+)<', refused.text)
    assert problem is not None and "2020-08-30" in problem.group(1)
    assert re.search(r"[\u4e00-\u9fff]", problem.group(1)), problem.group(1)
    assert state(db_url, clock, pid) == "docked"
    english = act(browser, f"/p/{pid}/act/apply?lang=en", {"paper_copies": "2"},
                  files={"document": ("a.pdf", PDF, "application/pdf")}, page=f"/p/{pid}")
    assert english.status_code == 422
    assert "window" in english.text and english.headers["content-language"] == "en"


def test_forms_from_elsewhere_without_the_token_or_the_session_do_nothing(
        browser, tokens, db_url, clock):
    with Engine(db_url, clock=clock) as engine:
        pid = engine.dock(Actor("k", "city", "kunshan"), title="T", enterprise="E",
                          credit_code=CODE_A, region="kunshan", category="demo").id
    reason = {"reason": "撤回"}
    signed_out = browser.post(f"/p/{pid}/act/withdraw", data=reason, headers=ORIGIN)
    assert (signed_out.status_code, signed_out.headers["location"]) == (303, "/")
    sign_in(browser, tokens["王工"])
    no_token = browser.post(f"/p/{pid}/act/withdraw", data=reason, headers=ORIGIN)
    assert no_token.status_code == 403
    token = csrf(browser.get(f"/p/{pid}"))
    elsewhere = browser.post(f"/p/{pid}/act/withdraw", data={**reason, "csrf": token},
                             headers={"Origin": "https://evil.example"})
    assert elsewhere.status_code == 403
    wrong = browser.post(f"/p/{pid}/act/withdraw", data={**reason, "csrf": token + "x"},
                         headers=ORIGIN)
    assert wrong.status_code == 403
    assert state(db_url, clock, pid) == "docked"
    done = browser.post(f"/p/{pid}/act/withdraw", data={**reason, "csrf": token},
                        headers=ORIGIN)
    assert done.status_code == 303 and state(db_url, clock, pid) == "withdrawn"


def test_a_page_offers_only_what_its_reader_may_do_and_only_within_its_reach(
        browser, tokens, db_url, clock):
    with Engine(db_url, clock=clock) as engine:
        pid = engine.dock(Actor("k", "city", "kunshan"), title="T", enterprise="E",
                          credit_code=CODE_A, region="kunshan", category="demo").id
    sign_in(browser, tokens["nanjing"])
    beyond = browser.get(f"/p/{pid}")
    assert beyond.status_code == 403 and 'id="facts"' not in beyond.text
    forged = act(browser, f"/p/{pid}/act/withdraw", {"reason": "x"})
    assert forged.status_code == 403 and state(db_url, clock, pid) == "docked"
    browser.cookies.clear()
    sign_in(browser, tokens["prov"])
    province = browser.get(f"/p/{pid}")
    offered = set(re.findall(r'<form class="act" data-event="(\w+)"', province.text))
    with Engine(db_url, clock=clock) as engine:
        assert offered == set(engine.offered(PROVINCE, pid))
    assert "apply" not in offered  # the province does not file applications


def test_an_expert_scores_and_recuses_from_its_pages(browser, tokens, db_url, clock):
    with Engine(db_url, clock=clock) as engine:
        first = recommended(engine, CODE_A)
        second = recommended(engine, CODE_B)
        engine.assign_panel(PROVINCE, [first, second], ["wang", "li", "zhao"])
        engine.score(expert("li"), first, score=90)
    sign_in(browser, tokens["x-wang"])
    home = browser.get("/")
    todo = re.findall(r'<tr class="task" data-event="score" data-project="(\d+)"', home.text)
    assert todo == [str(first), str(second)]
    page = browser.get(f"/p/{first}")
    assert 'data-event="score"' in page.text and 'data-event="recuse"' in page.text
    assert 'data-expert="li"' in page.text and ">90<" not in page.text  # blind
    done = act(browser, f"/p/{first}/act/score", {"score": "85", "comment": "材料完整"},
               page=f"/p/{first}")
    assert done.status_code == 303
    again = act(browser, f"/p/{first}/act/score", {"score": "60"}, page=f"/p/{first}")
    assert again.status_code == 422 and 'id="problem"' in again.text
    bad = act(browser, f"/p/{second}/act/score", {"score": "88.5"}, page=f"/p/{second}")
    assert bad.status_code == 400
    recused = act(browser, f"/p/{second}/act/recuse", {"reason": "与申报单位有合作"},
                  page=f"/p/{second}")
    assert recused.status_code == 303
    with Engine(db_url, clock=clock) as engine:
        assert [s.score for s in engine.panel(first).experts if s.key == "wang"] == [85]
        assert "wang" in [s.key for s in engine.panel(second).recused]
    home = browser.get("/")
    assert 'data-event="score"' not in home.text
    outsider = TestClient(browser.app, follow_redirects=False)
    with outsider:
        sign_in(outsider, tokens["x-li"])
        assert outsider.get(f"/p/{second}").status_code == 200
        refused = act(outsider, f"/p/{second}/act/recuse", {"reason": "x"},
                      page=f"/p/{second}")
        assert refused.status_code == 303  # li sits on it: its own recusal goes through


def test_the_pages_speak_the_reader_s_language(browser, tokens):
    sign_in(browser, tokens["prov"], lang="en")
    english = browser.get("/")
    assert english.headers["content-language"] == "en" and "Your worklist" in english.text
    chinese = browser.get("/?lang=zh")
    assert chinese.headers["content-language"] == "zh-CN"
    assert "Your worklist" not in chinese.text and 'lang="zh-CN"' in chinese.text
    kept = browser.get("/")  # the choice is kept in a cookie
    assert kept.headers["content-language"] == "zh-CN"
    browser.cookies.clear()
    signed_out = browser.get("/", headers={"Accept-Language": "zh-CN"})
    assert "令牌" in signed_out.text


def test_the_province_extends_a_window_and_publishes_a_batch_from_the_dashboard(
        browser, tokens, db_url, clock):
    sign_in(browser, tokens["王工"])
    assert 'id="batches"' not in browser.get("/").text  # a bureau neither extends nor publishes
    browser.cookies.clear()
    sign_in(browser, tokens["prov"])
    home = browser.get("/")
    assert 'data-event="extend" data-batch="2020-1"' in home.text
    done = act(browser, "/act/extend/2020-1", {"phase": "application", "until": "2020-09-05",
                                               "reason": "汛期顺延"})
    assert (done.status_code, done.headers["location"]) == (303, "/?done=extend")
    with Engine(db_url, clock=clock) as engine:
        made = [(x.phase, str(x.until)) for x in engine.extensions("2020-1")]
    assert ("application", "2020-09-05") in made
    bad = act(browser, "/act/extend/2020-1", {"phase": "application", "until": "明天",
                                              "reason": "x"})
    assert bad.status_code == 400 and 'id="problem"' in bad.text
    early = act(browser, "/act/publish/2020-1", {})
    assert early.status_code == 422  # publication opens in October
    clock.set(cst(2020, 10, 10, 10))
    sign_in(browser, tokens["prov"])
    published = act(browser, "/act/publish/2020-1", {})
    assert (published.status_code, published.headers["location"]) == (
        303, "/?done=publish_batch")
