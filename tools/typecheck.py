"""Strict mypy over the package as it installs (tools.tree), its messages pointed back at the
repository's files: `python -m tools.typecheck [MYPY OPTIONS]`. Exits with mypy's code."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tools import tree


def main(argv: list[str]) -> int:
    (tree.ROOT / "build").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="typecheck-", dir=tree.ROOT / "build") as work:
        return check(Path(work), argv)


def check(work: Path, argv: list[str]) -> int:
    """Lay the package out in `work`, run mypy there, print its report with our paths."""
    placed = tree.assemble(work)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(tree.ROOT / "pyproject.toml"),
         "--cache-dir", str(work / ".mypy_cache"), *argv],
        cwd=work, capture_output=True, text=True, check=False)
    shown = {str(copy): str(source) for copy, source in placed.items()}
    for line in done.stdout.splitlines():
        path, colon, rest = line.partition(":")
        print(f"{shown.get(path, path)}{colon}{rest}")
    sys.stderr.write(done.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
