"""The import graph between the parts of accel666, read from the source and drawn as a Mermaid
flowchart in docs/architecture.md. `python -m tools.graph` rewrites it;
`python -m tools.graph --check` exits 1, showing the difference, when the document is stale.

A part is a top-level folder of the package (`models`, `record`, …), a module at its root
(`lifecycle`, `errors`), the public API (`accel666` itself), or, inside the engine's folder, one
of its subpackages (`workflow.changes`, …; the engine's own modules are `workflow`). Every
import counts, wherever it is written (in a function, under TYPE_CHECKING), as the import
contracts count them.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from fnmatch import fnmatch
from pathlib import Path

from tools import layout, regions, tree

COMMAND = "python -m tools.graph"
DESCRIPTION = "Draw the import graph between the parts of accel666 into docs/architecture.md."
REGION = "import graph"
PACKAGE = layout.PACKAGE
# The parts drawn as their subpackages, each beside the modules at the folder's root.
SPLIT = (layout.ENGINE,)

Edge = tuple[str, str]


def part(name: str, packages: AbstractSet[str]) -> str:
    """The part of accel666 that module `name` belongs to (`workflow.changes`, `models`, …;
    `accel666` for the public API)."""
    dotted = name.split(".")
    if len(dotted) < 2:
        return PACKAGE
    if dotted[1] in SPLIT and len(dotted) > 2 and ".".join(dotted[:3]) in packages:
        return ".".join(dotted[1:3])
    return dotted[1]


def imported(name: str, source: Path, names: set[str]) -> set[str]:
    """The modules of the package that module `name` (its source `source`) imports: `from P
    import N` imports P.N when that is a module, else P; relative imports resolved."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"), str(source))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".")
                if source.name != "__init__.py":
                    here = here[:-1]
                here = here[: len(here) - node.level + 1]
                base = ".".join([*here, node.module] if node.module else here)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in names else base
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in names:  # `import accel666.x.y` names a module
                target = target.rpartition(".")[0]
            if target:
                found.add(target)
    return found


def imports(root: Path = tree.ROOT) -> dict[Edge, set[Edge]]:
    """Each pair of parts (importer, imported) where a module of the first imports one of the
    second, and the pairs of modules that make it so."""
    modules = tree.modules(root)
    names = set(modules)
    packages = {name for name, path in modules.items() if path.name == "__init__.py"}
    found: dict[Edge, set[Edge]] = {}
    for name, source in modules.items():
        importer = part(name, packages)
        for target in imported(name, source, names):
            target_part = part(target, packages)
            if target_part != importer:
                found.setdefault((importer, target_part), set()).add((name, target))
    return found


def excepted(root: Path = tree.ROOT) -> list[Edge]:
    """The layers contract's ignored imports, each (importer, imported) as patterns."""
    rules = [rule.split("->") for rule in layout.contract("layers", root).get("ignore_imports", [])]
    return [(source.strip(), target.strip()) for source, target in rules]


def _is_excepted(pair: Edge, rules: Iterable[Edge]) -> bool:
    return any(fnmatch(pair[0], source.replace("**", "*")) and fnmatch(pair[1], target)
               for source, target in rules)


def _node(name: str) -> str:
    return name.replace(".", "_")


def _label(name: str, modules: Mapping[str, Path], root: Path) -> str:
    if name == PACKAGE:
        return f"{PACKAGE}/ (public API)"
    source = modules[f"{PACKAGE}.{name}"]
    if source.name != "__init__.py":
        return source.relative_to(root).as_posix()
    folder = f"{source.parent.relative_to(root).as_posix()}/"
    return f"{folder} (its modules)" if name in SPLIT else folder


def mermaid(root: Path = tree.ROOT) -> str:
    """The flowchart: one box per layer (top first), its parts inside, the public API above;
    an arrow from each part to each part it imports, dotted where every such import is one
    the layers contract lets through (`ignore_imports`)."""
    modules = tree.modules(root)
    packages = {name for name, path in modules.items() if path.name == "__init__.py"}
    drawn = imports(root)
    rules = excepted(root)
    found = {part(name, packages) for name in modules}
    lines = ["```mermaid", "flowchart TB",
             f'    {_node(PACKAGE)}["{_label(PACKAGE, modules, root)}"]']
    placed = {PACKAGE}
    for number, layer in enumerate(layout.layers(root), 1):
        lines.append(f'    subgraph layer{number}["{", ".join(layer)}"]')
        for top in layer:
            inside = sorted(p for p in found if p == top or p.startswith(f"{top}."))
            for name in inside:
                lines.append(f'        {_node(name)}["{_label(name, modules, root)}"]')
            placed.update(inside)
        lines.append("    end")
    if found - placed:
        raise ValueError(f"parts in no layer of the contract: {sorted(found - placed)}")
    for (a, b), pairs in sorted(drawn.items()):
        arrow = "-.->" if all(_is_excepted(pair, rules) for pair in pairs) else "-->"
        lines.append(f"    {_node(a)} {arrow} {_node(b)}")
    lines.append("```")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None, root: Path = tree.ROOT) -> int:
    """`python -m tools.graph [--check]`: its exit code."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=DESCRIPTION)
    parser.add_argument("--check", action="store_true",
                        help="only compare; exit 1 showing the difference when stale")
    args = parser.parse_args(argv)
    return regions.run({root / layout.ARCHITECTURE: {REGION: mermaid(root)}}, COMMAND,
                       check=args.check, root=root)


if __name__ == "__main__":
    sys.exit(main())
