"""What each folder holds, written from the tree: the README's layout tables and the parts of
docs/architecture.md by layer, each folder (and each module of workflow/) with its import name
and the first sentence of its docstring. `python -m tools.layout` rewrites them;
`python -m tools.layout --check` exits 1, showing the difference, when they are stale."""

from __future__ import annotations

import argparse
import ast
import re
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools import regions, tree

COMMAND = "python -m tools.layout"
README = "README.md"
ARCHITECTURE = "docs/architecture.md"
PACKAGE = "accel666"
# The part whose folders and modules get a table of their own in the README.
ENGINE = "workflow"
# Subpackages that hold no part of the design: the schema's migrations.
UNLISTED = ("migrations",)
NOT_INSTALLED = "(not installed)"


@dataclass(frozen=True)
class Place:
    """A folder (shown with a trailing slash) or module of the repository, its import name
    and the first sentence of its docstring."""

    path: str
    name: str
    job: str


def first_sentence(doc: str) -> str:
    """The docstring's first sentence, on one line."""
    text = " ".join(doc.split("\n\n")[0].split())
    found = re.search(r"[.!?](?=\s|$)", text)
    return text if found is None else text[: found.end()]


def _job(source: Path) -> str:
    doc = ast.get_docstring(ast.parse(source.read_text(encoding="utf-8"), str(source)))
    if not doc:
        raise ValueError(f"{source} has no docstring to say its job")
    return first_sentence(doc)


def _place(name: str, source: Path, root: Path) -> Place:
    """The place of module `name` whose source is `source` (a package by its __init__.py)."""
    if source.name == "__init__.py":
        return Place(f"{source.parent.relative_to(root).as_posix()}/", name, _job(source))
    return Place(source.relative_to(root).as_posix(), name, _job(source))


def contract(ident: str, root: Path = tree.ROOT) -> dict[str, Any]:
    """The import contract `ident` of pyproject.toml's [tool.importlinter]."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    (found,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == ident]
    return dict(found)


def layers(root: Path = tree.ROOT) -> list[list[str]]:
    """The layers of the import contract `layers`, top first, each its parts."""
    return [[part.strip() for part in layer.split("|")]
            for layer in contract("layers", root)["layers"]]


def _children(package: str, modules: Mapping[str, Path]) -> list[str]:
    """The subpackages directly inside `package`, by name."""
    return sorted(name for name, path in modules.items()
                  if name.rpartition(".")[0] == package and path.name == "__init__.py"
                  and name.rpartition(".")[2] not in UNLISTED)


def parts(root: Path = tree.ROOT) -> list[tuple[str, list[Place]]]:
    """Each layer (top first, as the contract writes it) and its places: each part, then the
    subpackages directly inside it."""
    modules = tree.modules(root)
    found = []
    for layer in layers(root):
        places = []
        for part in layer:
            name = f"{PACKAGE}.{part}"
            places.append(_place(name, modules[name], root))
            places.extend(_place(child, modules[child], root)
                          for child in _children(name, modules))
        found.append((" | ".join(layer), places))
    return found


def installed(root: Path = tree.ROOT) -> list[Place]:
    """The README's first table: the public API's folder, then each part bottom layer first,
    with the subpackages inside it (the engine's have their own table)."""
    modules = tree.modules(root)
    rows = [_place(PACKAGE, modules[PACKAGE], root)]
    for _, places in reversed(parts(root)):
        rows.extend(p for p in places if not p.name.startswith(f"{PACKAGE}.{ENGINE}."))
    return rows


def beside(root: Path = tree.ROOT) -> list[Place]:
    """The folders of the repository that are not installed: the tests and those beside the
    package (tools/tree.py BESIDE)."""
    return [Place(f"{folder}/", NOT_INSTALLED, _job(root / folder / "__init__.py"))
            for folder in ("tests", *tree.BESIDE)]


def engine(root: Path = tree.ROOT) -> list[Place]:
    """The README's second table: the engine's folders, then its modules."""
    modules = tree.modules(root)
    package = f"{PACKAGE}.{ENGINE}"
    inside = {name: path for name, path in modules.items()
              if name.rpartition(".")[0] == package}
    folders = [name for name, path in inside.items() if path.name == "__init__.py"]
    files = [name for name, path in inside.items() if path.name != "__init__.py"]
    return [_place(name, inside[name], root) for name in (*sorted(folders), *sorted(files))]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table(header: Sequence[str], places: Sequence[Place]) -> str:
    """A Markdown table of `places`: path, import name, job."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for place in places:
        name = place.name if place.name == NOT_INSTALLED else f"`{place.name}`"
        lines.append(f"| `{place.path}` | {name} | {_cell(place.job)} |")
    return "\n".join(lines)


def by_layer(root: Path = tree.ROOT) -> str:
    """The parts of the architecture document: each layer, top first, and its folders."""
    lines = []
    for number, (layer, places) in enumerate(parts(root), 1):
        lines.append(f"{number}. `{layer}`")
        lines.extend(f"   - `{p.path}` (`{p.name}`): {p.job}" for p in places)
    return "\n".join(lines)


def documents(root: Path = tree.ROOT) -> dict[Path, dict[str, str]]:
    """Each document this tool writes and the bodies of its regions."""
    return {
        root / README: {
            "layout": table(("folder", "import name", "what it holds"),
                            [*installed(root), *beside(root)]),
            "layout of workflow": table(("folder or module", "import name", "what it holds"),
                                        engine(root)),
        },
        root / ARCHITECTURE: {"parts by layer": by_layer(root)},
    }


def main(argv: Sequence[str] | None = None, root: Path = tree.ROOT) -> int:
    """`python -m tools.layout [--check]`: its exit code."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__)
    parser.add_argument("--check", action="store_true",
                        help="only compare; exit 1 showing the difference when stale")
    args = parser.parse_args(argv)
    return regions.run(documents(root), COMMAND, check=args.check, root=root)


if __name__ == "__main__":
    sys.exit(main())
