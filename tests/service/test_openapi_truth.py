"""The OpenAPI document tells the truth: every status an operation answers is in it, with the
content type it comes in (a problem document is `application/problem+json`); the bearer scheme
and the Idempotency-Key header are described; a method the path does not serve is 405.

A fuzzer (schemathesis) drives a real `accel666 serve` from the document, as a province and as
a city bureau, on SQLite and PostgreSQL, and checks each answer against it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accel666.service import ServiceConfig, create_app
from accel666.service.auth import PUBLIC
from tests.helpers import CODE_A, CODE_B, CODE_C
from tests.service.service_support import OPEN_BATCH, Service, start

pytestmark = pytest.mark.slow

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
# What the document is checked for: no 5xx, no status, content type or header it leaves out,
# and 405 for a method it does not list. (Whether a schema-valid request is accepted depends
# on the state a project is in, which the document cannot say.)
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_headers_conformance,unsupported_method")


@pytest.fixture
def served(db_url: str, tmp_path: Path) -> Iterator[Service]:
    running = start(db_url, tmp_path)
    try:
        with running.client("suzhou") as suzhou:
            for n, (code, category) in enumerate(
                    [(CODE_A, "demo"), (CODE_B, "backbone"), (CODE_C, "cloud-base")]):
                answer = suzhou.post("/projects", json={
                    "title": f"工业互联网平台 {n}", "enterprise": "苏州测试有限公司",
                    "credit_code": code, "region": "suzhou",
                    "category": category, "batch": OPEN_BATCH})
                assert answer.status_code == 201, answer.text
        yield running
    finally:
        running.stop()


@pytest.fixture
def spec(tmp_path: Path) -> dict[str, Any]:
    app = create_app(ServiceConfig(db=f"sqlite:///{tmp_path / 'a.db'}"))
    with TestClient(app) as client:
        document: dict[str, Any] = client.get("/openapi.json").json()
    return document


@pytest.mark.parametrize("who", ["province", "suzhou"])
def test_a_fuzzer_finds_every_answer_in_the_document(served: Service, who: str,
                                                     tmp_path: Path) -> None:
    run = subprocess.run(
        [SCHEMATHESIS, "run", f"{served.url}/openapi.json", "--checks", CHECKS,
         "--max-examples", "25", "--workers", "1", "--seed", "666", "--no-color",
         "-H", f"Authorization: Bearer {served.tokens[who]}"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)  # its cache stays there
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "No issues found" in run.stdout or " passed" in run.stdout, run.stdout[-2000:]


def test_every_operation_but_the_public_ones_needs_the_bearer_token(
        spec: dict[str, Any]) -> None:
    assert {"/healthz", "/public.json"} <= PUBLIC
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            expected = [] if path in PUBLIC else [{"bearer": []}]
            assert operation["security"] == expected, f"{method} {path}"


def test_every_error_is_a_problem_document(spec: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert set(spec["components"]["schemas"]["Problem"]["required"]) == {
        "type", "title", "status", "detail"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], \
                        f"{method} {path} {status}"


def test_each_operation_lists_what_its_kind_of_call_can_answer(spec: dict[str, Any]) -> None:
    def statuses(method: str, path: str) -> set[str]:
        return set(spec["paths"][path][method]["responses"])

    assert statuses("get", "/healthz") == {"200", "503"}
    assert statuses("get", "/projects") == {"200", "400", "401", "403", "429", "503"}
    assert statuses("get", "/projects/{project_id}") == {
        "200", "400", "401", "403", "404", "429", "503"}
    assert statuses("post", "/projects/{project_id}/sign") == {
        "200", "400", "401", "403", "404", "408", "409", "412", "413", "422", "429", "503"}
    assert statuses("post", "/projects") == {
        "201", "400", "401", "403", "408", "409", "413", "422", "429", "503"}


def test_a_post_may_carry_an_idempotency_key_and_a_get_does_not(spec: dict[str, Any]) -> None:
    def headers(method: str, path: str) -> set[str]:
        return {p["name"] for p in spec["paths"][path][method].get("parameters", [])
                if p["in"] == "header"}

    assert headers("post", "/projects/{project_id}/sign") == {"if-match", "Idempotency-Key"}
    assert headers("post", "/projects") == {"Idempotency-Key"}
    assert headers("get", "/projects/{project_id}") == set()


def test_a_read_posted_to_is_405_naming_what_the_path_serves(served: Service) -> None:
    with served.client("province") as client:
        answer = client.post("/projects/1/history", json={})
        assert answer.status_code == 405, answer.text
        assert answer.headers["Allow"] == "GET"
        assert answer.headers["content-type"] == "application/problem+json"
        assert client.post("/projects/1/publish_all", json={}).status_code == 400
