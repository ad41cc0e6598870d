"""The `service` fixture: a real `accel666 serve` on each backend, stopped after the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.service.service_support import Service, start


@pytest.fixture
def service(db_url: str, tmp_path) -> Iterator[Service]:
    running = start(db_url, tmp_path)
    try:
        yield running
    finally:
        running.stop()
