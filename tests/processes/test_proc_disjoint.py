"""Eight processes take eight disjoint sets of projects through the whole lifecycle at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from accel666 import Actor, Engine, models
from tests.helpers import PANEL_KEYS
from tests.processes.proc_support import count_rows, project_logs, race

WORKERS = 8
PROJECTS_EACH = 15
LIFECYCLE = ("dock", "apply", "recommend", "review", "sign", "publish")


@pytest.mark.slow
def test_eight_processes_advancing_disjoint_projects_record_every_transition_once(
        db_url: str, tmp_path: Path) -> None:
    """Every process exits 0 with no `database is locked` on stderr; each project is published
    at version 6 with log seqs 1..6, one row per event, and one document."""
    with Engine(db_url) as engine:  # the schema and the experts, before the workers start
        for key in PANEL_KEYS:
            engine.add_expert(Actor("prov", "province"), key, name=f"专家{key[-1]}")
    children = race(tmp_path, "lifecycle", [
        {"url": db_url, "first": n * PROJECTS_EACH, "count": PROJECTS_EACH}
        for n in range(WORKERS)
    ])
    for child in children:
        assert "database is locked" not in child.stderr
        assert child.returncode == 0, child.stderr[-3000:]
    claimed = [set(child.result()["ids"]) for child in children]
    assert all(len(ids) == PROJECTS_EACH for ids in claimed)

    with Engine(db_url, create_schema=False) as engine:
        logs = project_logs(engine.db)
        assert count_rows(engine.db, models.transition_table) == WORKERS * PROJECTS_EACH * 6
        assert count_rows(engine.db, models.document_table) == WORKERS * PROJECTS_EACH
    assert set().union(*claimed) == set(logs)
    assert len(logs) == WORKERS * PROJECTS_EACH
    for pid, p in logs.items():
        assert (p.state, p.version, p.seqs, p.events, p.documents) == (
            "published", 6, (1, 2, 3, 4, 5, 6), LIFECYCLE, 1), pid
