"""A sweeper process for the parallel tests: `python esc_sweeper.py URL NOW MODE`.

Opens the engine, prints "ready", waits for a line on stdin (the start signal, sent to every
sweeper at once), then at NOW runs one `escalate` (MODE escalate) or one round of deliveries
(MODE deliver) and prints what it did as one JSON line.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime

from accel666 import Engine


def main(url: str, now: str, mode: str) -> None:
    with Engine(url, create_schema=False) as engine:
        print("ready", flush=True)
        sys.stdin.readline()
        moment = datetime.fromisoformat(now)
        if mode == "deliver":
            report = engine.deliver(moment)
            done = {"ids": [], "recorded": 0, "enqueued": 0, "attempted": report.attempted}
        else:
            run = engine.escalate(moment)
            ids = [e.id for e in engine.escalations() if run.sweep.recorded_id(e.id)]
            done = {"ids": ids, "recorded": run.sweep.total,
                    "enqueued": run.sweep.enqueued, "attempted": run.delivery.attempted}
    print(json.dumps(done), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
