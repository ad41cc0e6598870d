"""The child process of the import memory tests: `python -m tests.cli.import_child SPEC`.

SPEC is JSON: `{"argv": [...], "bounds": {"module:NAME": value}}`. The child lowers the bounds
named (so that a test reaches them with a small file), runs `accel666 ARGV` at a moment inside
batch 2020-1's docking window, and prints, as its last line, one JSON document: the exit code
and the process's peak resident memory in MB (VmHWM, read as bench/memory.py reads it). What
the command printed comes before it; its errors go to stderr. Not a test module.
"""

from __future__ import annotations

import importlib
import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from freezegun import freeze_time

from bench.memory import peak_mb

DOCKING = datetime(2020, 7, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def main(spec: dict[str, object]) -> None:
    from accel666.cli.main import cli

    for name, value in dict(spec.get("bounds") or {}).items():  # type: ignore[call-overload]
        module, attribute = name.split(":")
        setattr(importlib.import_module(module), attribute, value)
    code: object = 0
    with freeze_time(DOCKING):
        try:
            cli.main(args=list(spec["argv"]), prog_name="accel666")  # type: ignore[call-overload]
        except SystemExit as exc:
            code = exc.code
    sys.stdout.flush()
    print("\n" + json.dumps({"exit": code, "peak_mb": round(peak_mb(), 1)}))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
