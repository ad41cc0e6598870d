"""Eight processes on disjoint projects, each with its own connection: aggregate throughput.

Workers start once (spawn) and stay; for each run they open their side (once per side), wait
at a barrier so that all start together, and report when they started and finished.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

from bench import logs, sides

CODES_PER_WORKER = 1_000_000  # each worker docks projects from its own range of credit codes


def worker(index: int, first_code: int, inbox: Queue[Any], outbox: Queue[Any], barrier: Barrier,
           log_level: str) -> None:
    logs.quiet(log_level)
    sides.reserve_codes(first_code)
    opened: dict[str, sides.Side] = {}
    while (job := inbox.get()) is not None:
        side, kind, url, projects = job
        try:
            if side not in opened:
                opened[side] = sides.open_side(side, kind, url)
            codes = sides.new_codes(projects)
            barrier.wait(timeout=120)
            start, cpu = time.monotonic(), time.process_time()
            done = opened[side].run(codes)
            outbox.put((index, start, time.monotonic(), done, time.process_time() - cpu, None))
        except Exception as exc:
            barrier.abort()
            outbox.put((index, 0.0, 0.0, 0, 0.0, f"{type(exc).__name__}: {exc}"))
    for s in opened.values():
        s.close()


class Pool:
    """`workers` processes running one side of a case together."""

    def __init__(self, workers: int, log_level: str) -> None:
        ctx = mp.get_context("spawn")
        self.barrier = ctx.Barrier(workers)
        self.outbox: Queue[Any] = ctx.Queue()
        self.inboxes: list[Queue[Any]] = [ctx.Queue() for _ in range(workers)]
        first = sides.take_codes(workers * CODES_PER_WORKER)
        self.procs = [
            ctx.Process(target=worker, daemon=True,
                        args=(i, first + i * CODES_PER_WORKER, q, self.outbox, self.barrier,
                              log_level))
            for i, q in enumerate(self.inboxes)
        ]
        for p in self.procs:
            p.start()

    def timed(self, side: str, kind: str, url: str, projects_each: int) -> tuple[float, float]:
        """Wall microseconds per transition, all workers together (first start to last end),
        and the workers' own CPU microseconds per transition."""
        self.barrier.reset()
        for q in self.inboxes:
            q.put((side, kind, url, projects_each))
        results = [self.outbox.get(timeout=600) for _ in self.inboxes]
        errors = [r[5] for r in results if r[5]]
        if errors:
            raise RuntimeError(f"a worker failed: {errors[0]}")
        wall = max(r[2] for r in results) - min(r[1] for r in results)
        done = sum(r[3] for r in results)
        return wall / done * 1e6, sum(r[4] for r in results) / done * 1e6

    def close(self) -> None:
        for q in self.inboxes:
            q.put(None)
        for p in self.procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
