"""The package as it installs, assembled from the repository's folders.

pyproject.toml's [tool.setuptools.package-dir] installs the folders workflow/, models/, … as
accel666.workflow, accel666.models, …. Python follows that mapping (an installed wheel has the
folders in place; an editable install maps them with an import hook), but tools that read
folders to find modules (mypy, import-linter's grimp, mutmut) cannot: they are run over a copy
of the tree as a wheel lays it out, and what they report is pointed back at the repository.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = ("__pycache__",)
# Importable beside the package, not installed with it: the benchmarks and these tools.
BESIDE = ("bench", "tools")


def folders(root: Path = ROOT) -> dict[str, Path]:
    """Each installed package name and the repository folder it is installed from."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    return {name: root / folder
            for name, folder in config["tool"]["setuptools"]["package-dir"].items()}


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and not any(part in SKIPPED for part in p.relative_to(folder).parts)
                  and p.suffix != ".pyc")


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package by its import name (packages by their __init__.py), as found
    in the repository's folders: a folder without __init__.py holds no modules."""
    found: dict[str, Path] = {}
    for name, folder in folders(root).items():
        for path in _files(folder):
            if path.suffix != ".py" or not (path.parent / "__init__.py").is_file():
                continue
            parts = path.relative_to(folder).with_suffix("").parts
            if not all((folder.joinpath(*parts[:i]) / "__init__.py").is_file()
                       for i in range(len(parts))):
                continue  # inside a folder that is not a package
            dotted = ".".join([name, *parts])
            found[dotted.removesuffix(".__init__")] = path
    return found


def assemble(dest: Path, root: Path = ROOT) -> dict[Path, Path]:
    """Lay the package out under `dest` as a wheel would (dest/accel666/workflow/…), with the
    importable folders beside it; return each copied file's path (relative to `dest`) and its
    source (relative to `root`). What was under `dest` before is replaced, but for other
    folders there (a tool's own state). Times are kept, so a tool's cache stays valid."""
    places = {name.replace(".", "/"): folder for name, folder in folders(root).items()}
    places.update({name: root / name for name in BESIDE})
    for top in {where.split("/")[0] for where in places}:
        if (dest / top).exists():
            shutil.rmtree(dest / top)
    placed: dict[Path, Path] = {}
    for where, folder in places.items():
        for path in _files(folder):
            target = Path(where) / path.relative_to(folder)
            (dest / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / target)
            placed[target] = path.relative_to(root)
    return placed
