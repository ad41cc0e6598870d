"""The programme-wide calls of the service (in process, at the test clock, on both backends):
batches and extensions, overdue projects, escalations and their acknowledgement, the report,
health; and what authentication leaves in the logs."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from accel666 import Engine, Unavailable
from accel666.service import ServiceConfig, create_app
from tests.helpers import CODE_A, cst, events

DOCK = {"title": "T", "enterprise": "E", "credit_code": CODE_A, "region": "suzhou",
        "category": "demo"}


@pytest.fixture
def tokens(db_url, clock):
    with Engine(db_url, clock=clock) as engine:
        return {name: engine.add_operator(name, role, by="test").token
                for name, role in (("suzhou", "city:suzhou"), ("province", "province"))}


@pytest.fixture
def http(db_url, clock, tokens):
    app = create_app(ServiceConfig(db=db_url), clock=clock)
    with TestClient(app) as client:
        yield client


def as_(tokens, who):
    return {"Authorization": f"Bearer {tokens[who]}"}


def test_overdue_escalations_and_their_acknowledgement(http, tokens, clock):
    city, province = as_(tokens, "suzhou"), as_(tokens, "province")
    pid = http.post("/projects", json=DOCK, headers=city).json()["id"]
    clock.set(cst(2020, 8, 31, 0, 0, 1))  # the application window closed a second ago
    overdue = http.get("/overdue", headers=city).json()
    assert [(o["project_id"], o["phase"], o["level"]) for o in overdue] == [
        (pid, "application", None)]
    http.app.state.engine.sweep()
    found = http.get("/escalations", params={"open": "true"}, headers=city).json()
    assert [(e["project_id"], e["level"], e["target_role"], e["target_scope"]) for e in found] \
        == [(pid, 1, "city", "320500")]
    before = http.get("/report", headers=province).json()
    assert (before["overdue"], before["open_escalations"]) == (1, 1)
    acked = http.post(f"/escalations/{found[0]['id']}/ack", json={"note": "chasing it"},
                      headers=city)
    assert acked.status_code == 200, acked.text
    assert (acked.json()["acked_by"], acked.json()["ack_note"]) == ("suzhou", "chasing it")
    report = http.get("/report", headers=province).json()
    assert (report["overdue"], report["open_escalations"]) == (1, 0)  # acknowledged
    assert http.get("/overdue", params={"limit": 0}, headers=city).status_code == 400


def test_batches_and_extensions_by_the_province_only(http, tokens, clock):
    city, province = as_(tokens, "suzhou"), as_(tokens, "province")
    clock.set(cst(2020, 8, 31, 10, 0, 0))
    body = {"phase": "application", "until": "2020-09-10", "reason": "typhoon"}
    refused = http.post("/batches/2020-1/extensions", json=body, headers=city)
    assert (refused.status_code, refused.json()["error"]) == (403, "NotPermitted")
    made = http.post("/batches/2020-1/extensions", json=body, headers=province)
    assert made.status_code == 201, made.text
    assert (made.json()["phase"], made.json()["until"], made.json()["actor"]) == (
        "application", "2020-09-10", "province")
    listed = http.get("/batches/2020-1/extensions", headers=city).json()
    # The one asked for, and recommendation's window carried along with it (it closed the
    # same day).
    assert [(x["phase"], x["follows"]) for x in listed] == [
        ("application", None), ("recommendation", made.json()["id"])]
    windows = {w["phase"]: w for w in http.get("/batches", headers=city).json()[0]["windows"]}
    assert windows["application"]["open"] and windows["application"]["extended"]
    assert http.get("/batches/2099-9/extensions", headers=city).status_code == 400


def test_health_says_when_the_schema_is_not_current(http, db_url):
    head = http.app.state.engine.schema_head
    assert http.get("/healthz").json() == {"status": "ok", "schema": head,
                                           "expected_schema": head}
    engine = http.app.state.engine
    with engine.db.begin() as conn:
        conn.execute(text("UPDATE accel666_alembic_version SET version_num = '0008'"))
    try:
        answer = http.get("/healthz")
        assert answer.status_code == 503 and answer.json()["schema"] == "0008"
    finally:  # the PostgreSQL database is the session's, emptied but not re-created
        with engine.db.begin() as conn:
            conn.execute(text("UPDATE accel666_alembic_version SET version_num = :head"),
                         {"head": head})


def test_failed_authentications_are_logged_without_the_token(http, tokens, caplog):
    wrong = "a666_" + "Q" * 43
    with caplog.at_level(logging.INFO):
        assert http.get("/projects", headers={"Authorization": f"Bearer {wrong}"}
                        ).status_code == 401
        assert http.get("/projects", headers=as_(tokens, "suzhou")).status_code == 200
    failed = [r for r in caplog.records if r.getMessage().startswith("auth.failed")]
    assert len(failed) == 1 and "reason='unknown'" in failed[0].getMessage()
    assert (failed[0].name, failed[0].levelno) == ("accel666.service.auth", logging.WARNING)
    assert events(failed, "auth.failed") == [{"event": "auth.failed", "client": "testclient",
                                              "reason": "unknown", "path": "/projects"}]
    everything = "\n".join(r.getMessage() + repr(getattr(r, "accel666", "")) for r in caplog.records)
    assert wrong not in everything and tokens["suzhou"] not in everything


def test_health_is_503_when_the_database_does_not_answer(http, monkeypatch):
    def down() -> str:
        raise Unavailable("server unreachable", "connection refused")

    monkeypatch.setattr(http.app.state.engine, "schema_revision", down)
    answer = http.get("/healthz")
    assert answer.status_code == 503
    assert (answer.json()["error"], answer.json()["reason"]) == ("Unavailable",
                                                                 "server unreachable")


def test_health_logs_why_the_database_does_not_answer(http, monkeypatch, caplog):
    """An unavailable database is a warning of the service's logger, its reason a field."""
    def down() -> str:
        raise Unavailable("server unreachable", "connection refused")

    monkeypatch.setattr(http.app.state.engine, "schema_revision", down)
    with caplog.at_level(logging.INFO, logger="accel666"):
        assert http.get("/healthz").status_code == 503
    (record,) = [r for r in caplog.records if events([r], "healthz.unavailable")]
    assert (record.name, record.levelno) == ("accel666.service", logging.WARNING)
    assert events([record]) == [{"event": "healthz.unavailable", "reason": "server unreachable"}]
    assert record.getMessage() == "healthz.unavailable reason='server unreachable'"
