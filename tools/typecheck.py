"""Strict mypy over the package as it installs (tools.tree), its messages pointed back at the
repository's files: `python -m tools.typecheck [MYPY OPTIONS]`. Exits with mypy's code."""

from __future__ import annotations

import subprocess
import sys

from tools import tree

WORK = tree.ROOT / "build" / "typecheck"


def main(argv: list[str]) -> int:
    placed = tree.assemble(WORK)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(tree.ROOT / "pyproject.toml"),
         "--cache-dir", str(tree.ROOT / ".mypy_cache"), *argv],
        cwd=WORK, capture_output=True, text=True, check=False)
    shown = {str(copy): str(source) for copy, source in placed.items()}
    for line in done.stdout.splitlines():
        path, colon, rest = line.partition(":")
        print(f"{shown.get(path, path)}{colon}{rest}")
    sys.stderr.write(done.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
