"""Eight `accel666 recommend` processes, released together on one project: one wins."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from accel666 import Actor, Engine, models
from tests.helpers import FakeClock, cst
from tests.processes.proc_child import credit_code
from tests.processes.proc_support import Child, open_policy, project_logs, race

RACERS = 8
CITY = Actor("city-suzhou", "city", "suzhou")
CONFLICT, REFUSED = 6, 4


def _race(db_url: str, tmp_path: Path, *, pause_after_read: bool = False,
          earlier_read: bool = False) -> tuple[int, int, list[Child]]:
    """An applied project, then RACERS `recommend` processes released together; returns the
    project's id, its version before the race, and the racers once they have exited."""
    policy = open_policy(tmp_path)  # the CLI reads the wall clock: windows open 2020 to 2099
    with Engine(db_url, policy=policy, clock=FakeClock(cst(2026, 1, 5, 10))) as engine:
        project = engine.dock(CITY, title="云上工厂", enterprise="苏州某某科技有限公司",
                              credit_code=credit_code(1), region="suzhou", category="demo",
                              batch="proc-open")
        project = engine.apply(CITY, project.id, paper_copies=2, document=b"%PDF-1.4",
                               document_name="a.pdf")
    children = race(
        tmp_path, "cli",
        [{"argv": ["recommend", str(project.id), "--as", "city:suzhou", "--actor", f"racer-{n}",
                   "--opinion", f"推荐 {n}"], "pause_after_read": pause_after_read,
          "earlier_read": project.id if earlier_read else None}
         for n in range(RACERS)],
        env={"ACCEL666_DB": db_url, "ACCEL666_POLICY": str(policy)},
        stops=("ready", "read") if pause_after_read else ("ready",),
    )
    return project.id, project.version, children


def _one_winner(db_url: str, pid: int, version: int, children: list[Child]) -> None:
    """One racer exited 0; each other exited 6 or 4 with the exact message and printed nothing;
    the log holds one `recommend`, the winner's; the version rose by exactly 1."""
    winners = [c for c in children if c.returncode == 0]
    assert len(winners) == 1, [(c.returncode, c.stderr[-500:]) for c in children]
    winner = winners[0]
    assert winner.out.strip() == f"project {pid}: recommend → recommended (version {version + 1})"
    messages = {
        CONFLICT: f"accel666: recommend conflict: project {pid} changed since version {version} "
                  "was read; show it again and retry",
        REFUSED: f"accel666: recommend refused: project {pid} is recommended; recommend needs it "
                 "applied",
    }
    for child in children:
        if child is not winner:
            assert child.returncode in messages, (child.returncode, child.stderr[-2000:])
            assert child.stderr.strip().splitlines()[-1] == messages[child.returncode]
            assert child.out == ""

    with Engine(db_url, create_schema=False) as engine:
        logs = project_logs(engine.db)
        t = models.transition_table.c
        with engine.db.connect() as conn:
            recommends = conn.execute(select(t.actor, t.seq, t.payload).where(
                t.project_id == pid, t.event == "recommend")).all()
    assert (logs[pid].state, logs[pid].version, logs[pid].seqs) == ("recommended", version + 1,
                                                                    (1, 2, 3))
    n = winner.name.rsplit("-", 1)[1]
    assert [tuple(r) for r in recommends] == [(f"racer-{n}", version + 1, {"opinion": f"推荐 {n}"})]


@pytest.mark.slow
def test_eight_processes_recommending_one_project_record_one_recommend(
        db_url: str, tmp_path: Path) -> None:
    """Released together: one exits 0, the others 6 (lost the version race) or 4 (read the new
    state); one `recommend` in the log."""
    pid, version, children = _race(db_url, tmp_path, pause_after_read=False)
    _one_winner(db_url, pid, version, children)


@pytest.mark.slow
def test_eight_processes_that_all_read_one_version_leave_seven_conflicts(
        pg_url: str, tmp_path: Path) -> None:
    """PostgreSQL: each racer stopped after reading the project until all eight had read
    version V: the version check lets one through and the other seven exit 6. (On SQLite,
    BEGIN IMMEDIATE admits one writer at a time, so no two can read the same version.)"""
    pid, version, children = _race(pg_url, tmp_path, pause_after_read=True)
    _one_winner(pg_url, pid, version, children)
    assert sorted(c.proc.returncode for c in children) == [0] + [CONFLICT] * (RACERS - 1)


@pytest.mark.slow
def test_eight_processes_acting_on_one_earlier_read_leave_seven_conflicts(
        db_url: str, tmp_path: Path) -> None:
    """Each racer acts on the project as it read it before the race (version V, applied), as a
    client that shows and then acts does: on both backends, only the version check stands
    between them and eight recommends, so one exits 0 and the other seven exit 6."""
    pid, version, children = _race(db_url, tmp_path, earlier_read=True)
    _one_winner(db_url, pid, version, children)
    assert sorted(c.proc.returncode for c in children) == [0] + [CONFLICT] * (RACERS - 1)
