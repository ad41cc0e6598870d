"""The notice tests run under the built-in policy: signing waits for the public notice."""

from __future__ import annotations

import pytest

from tests.helpers import Cli, FakeClock


@pytest.fixture
def builtin(db_url: str, clock: FakeClock):
    """An Engine under the built-in policy (its [notice] gates signing)."""
    from accel666 import Engine

    eng = Engine(db_url, clock=clock)
    try:
        yield eng
    finally:
        eng.close()


@pytest.fixture
def cli(db_url: str, tmp_path) -> Cli:
    """The command line under the built-in policy."""
    return Cli(db_url, tmp_path, without_notice=False)
