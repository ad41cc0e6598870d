"""The mutation run over the package as it installs: `python -m tools.mutation run
--max-children 2`, `python -m tools.mutation results`, or any other mutmut command.

mutmut finds the code to mutate by its path and names each mutant by the import name that path
spells, so it works in build/mutation/: the package laid out as a wheel lays it out
(tools.tree), beside a copy of the rest of the repository (the tests, and the top-level folders
that some tests read). `[tool.mutmut]` in pyproject.toml names the paths; mutmut keeps its
results in build/mutation/mutants/ between runs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tools import tree

WORK = tree.ROOT / "build" / "mutation"
KEPT = ("mutants",)  # mutmut's own state


def tracked(root: Path = tree.ROOT) -> list[Path]:
    """The repository's files as a checkout holds them (tracked, or new and not ignored)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=root, capture_output=True, check=True).stdout
    return [root / name for name in listed.decode().split("\0")
            if name and (root / name).is_file()]


def prepare(work: Path = WORK, root: Path = tree.ROOT) -> None:
    """Copy the repository into `work` and lay the package out there, keeping mutmut's state."""
    work.mkdir(parents=True, exist_ok=True)
    for entry in work.iterdir():
        if entry.name not in KEPT:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for path in tracked(root):
        target = work / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    tree.assemble(work, root)


def main(argv: list[str]) -> int:
    prepare()
    return subprocess.run([sys.executable, "-m", "mutmut", *argv], cwd=WORK, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
