"""One side of a comparison, ready to run a batch of projects: the engine or its floor."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Engine as SAEngine

from accel666 import Engine
from bench import databases, drive, floors, plan

_next_code = 0


def new_codes(count: int) -> list[str]:
    """Credit codes never used before in this process, so every run docks new projects."""
    global _next_code
    start, _next_code = _next_code, _next_code + count
    return plan.credit_codes(start, count)


def take_codes(count: int) -> int:
    """Set aside `count` code numbers (for worker processes); returns the first."""
    global _next_code
    start, _next_code = _next_code, _next_code + count
    return start


def reserve_codes(start: int) -> None:
    """Start this process's codes at `start` (a worker's range, set aside by its parent)."""
    global _next_code
    _next_code = start


class Side(Protocol):
    def run(self, codes: Sequence[str]) -> int:
        """Take these new projects through the lifecycle; return the transitions made."""

    def close(self) -> None: ...


class EngineSide:
    """The library: `Engine(bind=sa_engine, clock=...)`, the schema already in place."""

    def __init__(self, kind: str, url: str) -> None:
        self.db: SAEngine = databases.sa_engine(kind, url)
        self.clock = plan.Clock()
        # The lifecycle's path alone: the notice and the panel are steps of their own.
        self.engine = Engine(self.db, clock=self.clock, policy=plan.policy())

    def run(self, codes: Sequence[str]) -> int:
        return drive.run_engine(self.engine, self.clock, codes)

    def close(self) -> None:
        self.engine.close()
        self.db.dispose()


class FloorSide:
    def __init__(self, kind: str, url: str) -> None:
        self.floor: floors.Floor
        if kind == "pg":
            self.floor = floors.PgFloor(databases.conninfo(url))
        else:
            path = url.removeprefix("sqlite:///")
            self.floor = floors.SqliteFloor(path, "NORMAL" if kind == "sqlite_normal" else "FULL")

    def run(self, codes: Sequence[str]) -> int:
        return floors.run_floor(self.floor, codes)

    def close(self) -> None:
        self.floor.close()


def open_side(side: str, kind: str, url: str) -> Side:
    return EngineSide(kind, url) if side == "engine" else FloorSide(kind, url)


def timed(side: Side, projects: int) -> float:
    """Microseconds per transition for `projects` new projects through the lifecycle."""
    return timed_with_cpu(side, projects)[0]


def timed_with_cpu(side: Side, projects: int) -> tuple[float, float]:
    """Wall and this process's CPU microseconds per transition, as `timed`."""
    codes = new_codes(projects)
    start, cpu = time.perf_counter(), time.process_time()
    done = side.run(codes)
    return ((time.perf_counter() - start) / done * 1e6,
            (time.process_time() - cpu) / done * 1e6)
