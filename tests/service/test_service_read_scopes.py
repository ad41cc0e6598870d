"""Who may read what, over HTTP: every read route and the dashboard answer as the token's
operator, whatever the request says — its own projects in lists, 403 (problem document, guard
`reads`) for another's — and the report's figures are the same for every operator."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from accel666 import Engine
from accel666.service import ServiceConfig, create_app
from tests.workflow.reach_support import EVERY, READERS, Record, populate

NAMES = sorted(READERS)


@pytest.fixture
def record(db_url, clock) -> Record:
    with Engine(db_url, clock=clock) as engine:
        return populate(engine, clock)


@pytest.fixture
def tokens(db_url, clock, record):
    with Engine(db_url, clock=clock) as engine:
        return {name: engine.add_operator(name, spec, by="test").token
                for name, (spec, _) in READERS.items()}


@pytest.fixture
def http(db_url, clock, tokens):
    app = create_app(ServiceConfig(db=db_url), clock=clock)
    with TestClient(app) as client:
        yield client


def as_(tokens, name):
    return {"Authorization": f"Bearer {tokens[name]}"}


@pytest.mark.parametrize("name", NAMES)
def test_each_operator_lists_exactly_what_it_may_read(http, tokens, record, name):
    mine = READERS[name][1]
    who = as_(tokens, name)
    listed = http.get("/projects", headers=who)
    assert listed.status_code == 200, listed.text
    assert record.keys(p["id"] for p in listed.json()) == mine
    pages = [http.get("/projects", params={"limit": 1, "offset": n}, headers=who).json()
             for n in range(5)]
    assert sum(len(p) for p in pages) == len(mine)
    overdue = http.get("/overdue", headers=who).json()
    assert record.keys(o["project_id"] for o in overdue) == mine
    escalated = http.get("/escalations", headers=who).json()
    assert {record.escalations[e["id"]] for e in escalated} == mine


@pytest.mark.parametrize("name", NAMES)
def test_each_operator_reads_its_own_projects_and_is_refused_anothers(http, tokens, record,
                                                                      name):
    mine = READERS[name][1]
    who = as_(tokens, name)
    for key, pid in record.ids.items():
        paths = [f"/projects/{pid}", f"/projects/{pid}/history"]
        if key in ("p1", "p2"):
            paths.append(f"/projects/{pid}/document")
        for path in paths:
            answer = http.get(path, headers=who)
            if key in mine:
                assert answer.status_code == 200, (path, answer.text)
                continue
            assert answer.status_code == 403, (path, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            problem = answer.json()
            assert (problem["error"], problem["event"], problem["guard"]) == (
                "NotPermitted", "read", "reads")
            assert problem["facts"]["project_id"] == pid
            assert f"{key} " not in answer.text  # neither its title nor its enterprise
        escalations = http.get("/escalations", params={"project_id": pid}, headers=who)
        assert escalations.status_code == (200 if key in mine else 403)


def test_the_document_of_its_own_comes_as_filed(http, tokens, record):
    answer = http.get(f"/projects/{record.ids['p2']}/document", headers=as_(tokens, "kunshan"))
    assert answer.status_code == 200
    assert answer.content.endswith(b"p2")


@pytest.mark.parametrize("name", NAMES)
def test_the_report_is_the_same_for_every_operator(http, tokens, record, name):
    seen = http.get("/report", headers=as_(tokens, name))
    assert seen.status_code == 200
    assert seen.json() == http.get("/report", headers=as_(tokens, "province")).json()
    assert (seen.json()["overdue"], seen.json()["open_escalations"]) == (4, 4)


def test_a_city_asking_for_another_region_is_refused(http, tokens, record):
    suzhou = as_(tokens, "suzhou")
    for path in ("/projects", "/overdue"):
        answer = http.get(path, params={"region": "kunshan"}, headers=suzhou)
        assert answer.status_code == 403, answer.text
        assert answer.json()["facts"]["region"] == "320583"
    own = http.get("/projects", params={"region": "suzhou"}, headers=suzhou).json()
    assert record.keys(p["id"] for p in own) == {"p1", "p4"}


def signed_in(http: TestClient, token: str) -> None:
    """Sign in on the form the sign-in page serves, with whatever hidden fields it carries,
    as the browser sends it from the page (with the page's origin)."""
    form = http.get("/").text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    answer = http.post("/login", data={**hidden, "token": token}, follow_redirects=False,
                       headers={"Origin": str(http.base_url).rstrip("/")})
    assert answer.status_code == 303, answer.text


@pytest.mark.parametrize("name", ["kunshan", "enterprise-a", "province"])
def test_the_dashboard_lists_the_overdue_projects_its_operator_may_read(http, tokens, record,
                                                                        name):
    signed_in(http, tokens[name])
    page = http.get("/")
    assert page.status_code == 200
    listed = {int(pid) for pid in re.findall(r'<tr class="overdue" data-project="(\d+)"',
                                             page.text)}
    assert record.keys(listed) == READERS[name][1]
    assert 'id="overdue" data-count="4"' in page.text  # the programme's figure
    for key in EVERY - READERS[name][1]:
        assert f"{key} 云上工厂" not in page.text
