"""The CLI turns the cyclic GC off for start-up and back on once the library is loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import gc, json, sys
from accel666.cli.main import main
sys.argv = ["accel666", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}),
      file=sys.stderr)
"""


def probe(*args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_a_library_command_runs_with_the_collector_on_and_start_up_frozen(tmp_path) -> None:
    assert probe("--db", str(tmp_path / "x.db"), "db", "upgrade")["code"] == 0
    seen = probe("--db", str(tmp_path / "x.db"), "list", "--json")
    assert seen["code"] == 0
    assert seen["enabled"] is True
    assert isinstance(seen["frozen"], int) and seen["frozen"] > 10_000  # the database stack


def test_help_never_loads_the_library_and_ends_before_it_would_matter() -> None:
    seen = probe("--help")
    assert (seen["code"], seen["frozen"]) == (0, 0)
