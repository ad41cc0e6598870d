"""`accel666 serve` at the command line: its bounds and what it says without its extra (the
running service is driven in tests/service)."""

from __future__ import annotations

import sys

# Loaded before the `run` fixture freezes time: pydantic defines date subclasses at import,
# which freezegun's fake date class cannot be a base of.
import accel666.service.application  # noqa: F401


def test_serve_without_its_extra_names_it_and_exits_2(run, monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if accel666[service] were missing
    result = run("serve")
    assert result.exit_code == 2
    assert "pip install 'accel666[service]'" in result.stderr
    assert "uvicorn" in result.stderr


def test_serve_refuses_ports_and_workers_out_of_range(run):
    for args in (("--port", "0"), ("--port", "65536"), ("--workers", "0")):
        result = run("serve", *args)
        assert result.exit_code == 2, args
        assert "Invalid value" in result.stderr


def test_serve_refuses_a_database_it_cannot_open_before_starting(run, tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = run("--db", str(folder), "serve", "--port", "1")
    assert result.exit_code == 2
    assert "database" in result.stderr
