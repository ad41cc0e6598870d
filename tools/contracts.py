"""The import contracts (`[tool.importlinter]` in pyproject.toml) checked over the package as
it installs (tools.tree): `python -m tools.contracts`. Exits with import-linter's code."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tools import tree


def run(work: Path, prepare: Callable[[Path], object] | None = None
        ) -> subprocess.CompletedProcess[str]:
    """Lay the package out in `work` (then `prepare(work)`, if given) and run lint-imports
    there, on the repository's configuration; the finished process, its report in stdout."""
    tree.assemble(work)
    if prepare is not None:
        prepare(work)
    env = {**os.environ, "PYTHONPATH": str(work)}
    return subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
         "sys.exit(lint_imports_command())", str(tree.ROOT / "pyproject.toml"),
         "--no-cache"],
        cwd=work, env=env, capture_output=True, text=True, check=False)


def main() -> int:
    (tree.ROOT / "build").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="contracts-", dir=tree.ROOT / "build") as work:
        done = run(Path(work))
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
