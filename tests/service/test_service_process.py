"""The service as its users meet it: a real `accel666 serve` process driven over HTTP, on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading

import pytest

from accel666 import Engine
from accel666.service import idempotency
from accel666.service import storage as served
from tests.helpers import CODE_A, CODE_B
from tests.service.service_support import OPEN_BATCH, Service, start

pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"


def dock(service: Service, who: str = "suzhou", code: str = CODE_A, region: str = "suzhou"
         ) -> dict:
    with service.client(who) as http:
        answer = http.post("/projects", json={"title": "云上工厂", "enterprise": "苏州某某科技",
                                              "credit_code": code, "region": region,
                                              "category": "demo"})
    assert answer.status_code == 201, answer.text
    return answer.json() | {"etag": answer.headers["etag"],
                            "location": answer.headers["location"]}


def test_a_project_lives_its_whole_life_over_http(service):
    docked = dock(service)
    pid = docked["id"]
    assert (docked["state"], docked["batch"], docked["version"]) == ("docked", OPEN_BATCH, 1)
    assert docked["location"] == f"/projects/{pid}" and docked["etag"] == f'"{pid}.1"'
    with service.client("suzhou") as city, service.client("province") as province, \
            service.client("tencent") as tencent:
        applied = city.post(f"/projects/{pid}/apply", data={"paper_copies": "2"},
                            files={"document": ("申报书.pdf", b"%PDF-1.4 application")},
                            headers={"If-Match": docked["etag"]})
        assert applied.status_code == 200, applied.text
        assert applied.json()["state"] == "applied" and applied.headers["etag"] == f'"{pid}.2"'
        steps = [(city, "recommend", {"opinion": "同意推荐"}), (province, "review",
                 {"score": 91, "verdict": "pass"}), (tencent, "sign", None),
                 (province, "publish", None)]
        for http, event, body in steps:
            answer = http.post(f"/projects/{pid}/{event}", json=body)
            assert answer.status_code == 200, (event, answer.text)
        shown = province.get(f"/projects/{pid}")
        assert shown.json()["state"] == "published" and shown.json()["next_events"] == []
        assert shown.headers["etag"] == f'"{pid}.6"'
        history = province.get(f"/projects/{pid}/history").json()
        # The log records the operator each token belongs to, in its role and scope.
        assert [(h["event"], h["actor"], h["role"]) for h in history] == [
            ("dock", "suzhou", "city"), ("apply", "suzhou", "city"),
            ("recommend", "suzhou", "city"), ("review", "province", "province"),
            ("sign", "tencent", "tencent"), ("publish", "province", "province")]
        document = city.get(f"/projects/{pid}/document")
        assert document.content == b"%PDF-1.4 application"
        assert "filename*=UTF-8''%E7%94%B3%E6%8A%A5%E4%B9%A6.pdf" in \
            document.headers["content-disposition"]
        listed = city.get("/projects", params={"state": "published"}).json()
        assert [p["id"] for p in listed] == [pid]
        report = city.get("/report", params={"batch": OPEN_BATCH}).json()
        assert report["totals"]["published"] == 1
    assert service.cli("verify").returncode == 0


def test_each_status_the_api_promises(service):
    pid = dock(service)["id"]
    with service.client("suzhou") as city, service.client("kunshan") as kunshan, \
            service.client() as nobody:
        cases = {
            400: city.post("/projects", json={"title": "T", "enterprise": "E",
                                              "credit_code": "123", "region": "suzhou",
                                              "category": "demo"}),
            401: nobody.get(f"/projects/{pid}"),
            403: kunshan.post(f"/projects/{pid}/withdraw", json={"reason": "not ours"}),
            404: city.get("/projects/999999"),
            412: city.post(f"/projects/{pid}/withdraw", json={"reason": "x"},
                           headers={"If-Match": f'"{pid}.7"'}),
            422: city.post(f"/projects/{pid}/recommend", json={"opinion": "too early"}),
        }
        # 409: a retry while the first request with its key is still being served (claimed
        # here, as another worker would have claimed it).
        body = json.dumps({"reason": "x"}).encode()
        fingerprint = idempotency.fingerprint("POST", f"/projects/{pid}/withdraw", body,
                                              content_type=b"application/json")
        with Engine(service.db, policy=service.policy) as engine:
            who = idempotency.owner(engine.authenticate(service.tokens["suzhou"]))
            assert served.claim(engine.db, who, "k", fingerprint, engine.now()).outcome == "new"
        cases[409] = city.post(f"/projects/{pid}/withdraw", content=body, headers={
            "Content-Type": "application/json", "Idempotency-Key": "k"})
        for status, answer in cases.items():
            assert answer.status_code == status, (status, answer.text)
            assert answer.headers["content-type"] == PROBLEM
            assert answer.json()["status"] == status
        assert cases[403].json()["guard"] == "scope"
        assert cases[422].json()["guard"] == "state"
        assert cases[422].json()["facts"]["state"] == "docked"
        assert cases[400].json()["field"] == "credit code"
        assert cases[401].headers["www-authenticate"].startswith("Bearer")
        # Nothing written by any of them: the project is still docked at version 1.
        assert city.get(f"/projects/{pid}").headers["etag"] == f'"{pid}.1"'
        # A second dock of the same enterprise in the same batch: 422 duplicate.
        again = city.post("/projects", json={"title": "T", "enterprise": "E",
                                             "credit_code": CODE_A, "region": "suzhou",
                                             "category": "demo"})
        assert (again.status_code, again.json()["guard"]) == (422, "duplicate")


def test_a_revoked_token_is_refused_at_once(service):
    with service.client("kunshan") as kunshan:
        assert kunshan.get("/projects").status_code == 200
        revoked = service.cli("operator", "revoke", "kunshan", "--reason", "left the bureau")
        assert revoked.returncode == 0, revoked.stderr
        answer = kunshan.get("/projects")
    assert answer.status_code == 401
    assert answer.json()["reason"] == "revoked"
    assert service.tokens["kunshan"] not in service.log.read_text()


def race(service: Service) -> None:
    """16 clients withdraw one project at once: one wins, one log row; the others get
    409, 412 or 422."""
    pid = dock(service)["id"]
    statuses: list[int] = []
    start_together = threading.Barrier(16)

    def withdraw() -> None:
        with service.client("suzhou") as city:
            start_together.wait()
            answer = city.post(f"/projects/{pid}/withdraw", json={"reason": "race"},
                               headers={"If-Match": f'"{pid}.1"'})
            statuses.append(answer.status_code)

    threads = [threading.Thread(target=withdraw) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(200) == 1, statuses
    assert set(statuses) - {200} <= {409, 412, 422}, statuses
    with service.client("province") as province:
        history = province.get(f"/projects/{pid}/history").json()
    assert [h["event"] for h in history] == ["dock", "withdraw"]


def test_sixteen_clients_fire_the_same_event_and_one_wins(service):
    race(service)


def test_several_workers_on_one_database_double_nothing(db_url, tmp_path):
    running = start(db_url, tmp_path, workers=3)
    try:
        race(running)
    finally:
        running.stop()


def test_a_second_enterprise_and_a_city_of_another_region_keep_apart(service):
    mine = dock(service, code=CODE_B, region="kunshan", who="kunshan")
    with service.client("suzhou") as city:
        answer = city.post(f"/projects/{mine['id']}/withdraw", json={"reason": "x"})
    assert (answer.status_code, answer.json()["guard"]) == (403, "scope")


def test_an_idempotency_key_replays_the_first_answer_even_to_racing_retries(service):
    body = {"title": "云上工厂", "enterprise": "苏州某某科技", "credit_code": CODE_A,
            "region": "suzhou", "category": "demo"}
    answers: list[tuple[int, bytes, str | None]] = []
    together = threading.Barrier(8)

    def post() -> None:
        with service.client("suzhou") as city:
            together.wait()
            answer = city.post("/projects", json=body, headers={"Idempotency-Key": "dock-42"})
            answers.append((answer.status_code, answer.content,
                            answer.headers.get("idempotent-replayed")))

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    served = [a for a in answers if a[0] == 201]
    assert len(served) >= 1 and {a[0] for a in answers} <= {201, 409}, answers
    assert len({a[1] for a in served}) == 1  # every 201 is the same answer
    with service.client("suzhou") as city:
        again = city.post("/projects", json=body, headers={"Idempotency-Key": "dock-42"})
        assert (again.status_code, again.content) == (201, served[0][1])
        assert again.headers["idempotent-replayed"] == "true"
        assert len(city.get("/projects").json()) == 1  # docked once
