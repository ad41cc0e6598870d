"""Peak memory of a transition run, measured in a fresh child process (`python -m bench.memory`).

The peak is the child's VmHWM from /proc (Linux). `resource.getrusage(RUSAGE_SELF).ru_maxrss` is
the fallback elsewhere: on Linux a child started by fork/vfork + exec inherits the high-water
mark of its parent (the benchmark's own, often larger), so it is no measure of the child.
The child imports only what its side needs: the floor's never imports the library.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
from pathlib import Path

from bench.report import Report


def peak_mb() -> float:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        status = ""
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    kb = int(found[1]) if found else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024


def child(side: str, path: str, projects: int, log_level: str) -> dict[str, float]:
    """Open one side on the file, note the peak so far, run the projects, note the peak."""
    from bench import floors, logs, plan

    logs.quiet(log_level)
    codes = plan.credit_codes(0, projects)
    if side == "engine":
        from bench import sides

        engine = sides.open_side(side, "sqlite_full", f"sqlite:///{path}")
        before = peak_mb()
        engine.run(codes)
        engine.close()
    else:
        floor = floors.SqliteFloor(path)
        before = peak_mb()
        floors.run_floor(floor, codes)
        floor.close()
    return {"before": before, "peak": peak_mb()}


def run(report: Report, projects: int, workdir: Path, log_level: str) -> None:
    from bench import databases

    for side in ("engine", "floor"):
        path = databases.fresh_sqlite(workdir / f"memory-{side}.db")
        done = subprocess.run(
            [sys.executable, "-m", "bench.memory", side, str(path), str(projects), log_level],
            capture_output=True, text=True, check=False, cwd=Path(__file__).parent.parent,
        )
        if done.returncode != 0:
            raise RuntimeError(f"memory child ({side}) failed: {done.stderr[-500:]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        report.figure(f"memory.{side}_transitions.before_run", figures["before"], "MB")
        report.figure(f"memory.{side}_transitions.peak_rss", figures["peak"], "MB")
        databases.remove_sqlite(path)


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])))
