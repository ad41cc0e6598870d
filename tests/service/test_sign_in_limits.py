"""Failed sign-ins are limited per client address without locking out the innocent: a valid
token always gets in, the table of addresses is bounded, and `accel666 serve` will not believe
X-Forwarded-For from anyone unless told to."""

from __future__ import annotations

import logging
import tracemalloc
from types import SimpleNamespace
from typing import Any

import pytest

# Loaded before the `run` fixture freezes time: pydantic defines date subclasses at import,
# which freezegun's fake date class cannot be a base of.
import accel666.service.application  # noqa: F401
from accel666.errors import Unauthenticated
from accel666.service.auth import Gate, TooManyFailures
from tests.service.test_service_hostile import api  # noqa: F401  (the fixture)

WRONG = "Bearer a666_" + "x" * 43


def test_a_valid_token_gets_in_behind_an_address_that_failed_too_often(api):  # noqa: F811
    """Three failures spend the address's budget (the fixture allows 3 a minute): a fourth
    wrong token waits (429), and the valid token is still served."""
    for _ in range(3):
        assert api.get("/projects", headers={"Authorization": WRONG}).status_code == 401
    assert api.get("/projects", headers={"Authorization": WRONG}).status_code == 429
    assert api.get("/projects").status_code == 200
    assert api.get("/projects", headers={"Authorization": WRONG}).status_code == 429


class _Engine:
    """Knows one token; every other is unknown."""

    def authenticate(self, token: str) -> Any:
        if token == "good":
            return SimpleNamespace(name="good")
        raise Unauthenticated("unknown")


def _request(address: str) -> Any:
    return SimpleNamespace(client=SimpleNamespace(host=address),
                           url=SimpleNamespace(path="/projects"))


def test_the_table_of_failing_addresses_is_bounded():
    """30,000 addresses that each fail once keep at most the table's bound of entries (the
    least recently seen go first), in well under a megabyte per thousand kept."""
    gate = Gate(_Engine(), failures=10, window=60.0, clients=1000,  # type: ignore[arg-type]
                clock=lambda: 0.0)
    logging.disable(logging.WARNING)  # 30,000 warnings, kept by the test's log capture
    tracemalloc.start()
    try:
        for n in range(30_000):
            with pytest.raises(Unauthenticated):
                gate.authenticate(_request(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"),
                                  "bad")
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        logging.disable(logging.NOTSET)
    assert gate.tracked() == 1000
    assert held < 1024 * 1024, held
    print(f"30,000 failing addresses: {gate.tracked()} kept, {held / 1024:.0f} KiB held")


def test_the_least_recently_failing_address_is_forgotten_first():
    gate = Gate(_Engine(), failures=2, window=60.0, clients=2,  # type: ignore[arg-type]
                clock=lambda: 0.0)
    for address in ("a", "a", "b", "c"):  # a spends its budget, then b and c push it out
        with pytest.raises(Unauthenticated):
            gate.authenticate(_request(address), "bad")
    for _ in range(2):  # a was forgotten: its budget is whole again
        with pytest.raises(Unauthenticated):
            gate.authenticate(_request("a"), "bad")
    with pytest.raises(TooManyFailures):
        gate.authenticate(_request("a"), "bad")
    assert gate.authenticate(_request("a"), "good").name == "good"


def test_serve_will_not_believe_every_proxy_unless_told_to(run, monkeypatch):
    started: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **kw: started.append(kw))
    for trusted in ("*", "127.0.0.1,*", "0.0.0.0/0", "::/0"):
        refused = run("serve", "--forwarded-allow-ips", trusted)
        assert refused.exit_code == 2, refused.stderr
        assert "--trust-any-proxy" in refused.stderr
    assert started == []
    allowed = run("serve", "--forwarded-allow-ips", "*", "--trust-any-proxy")
    assert allowed.exit_code == 0, allowed.stderr
    assert started[0]["forwarded_allow_ips"] == "*"
    assert run("serve", "--forwarded-allow-ips", "10.0.0.5").exit_code == 0
    assert started[1]["forwarded_allow_ips"] == "10.0.0.5"
