"""The layering of house-style.md, checked on the source: imports point inward, nothing else.

cli -> workflow -> {policies, models}; policies imports nothing of ours (standard library only);
only workflow/machine.py imports `transitions`; only cli/
reads the environment.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("policies", "models", "workflow", "cli")
ENV_NAMES = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


@dataclass(frozen=True)
class Module:
    path: Path
    name: str  # dotted, e.g. "workflow.engine"
    tree: ast.Module

    @property
    def package(self) -> str:
        return self.name.split(".")[0]

    @property
    def rel(self) -> str:
        return self.path.relative_to(ROOT).as_posix()


def _modules() -> list[Module]:
    out = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out.append(Module(path, ".".join(parts),
                              ast.parse(path.read_text(encoding="utf-8"), str(path))))
    return out


MODULES = _modules()


def imports(module: Module) -> set[str]:
    """Every module name the source imports (anywhere in the file), relative imports resolved."""
    found: set[str] = set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                is_pkg = module.path.name == "__init__.py"
                base = module.name.split(".")
                base = base[: len(base) - node.level + (1 if is_pkg else 0)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def top_levels(module: Module) -> set[str]:
    return {name.split(".")[0] for name in imports(module)}


def reads_environment(module: Module) -> list[int]:
    """Lines that touch os.environ / os.getenv (through any alias of os) or import them."""
    os_names = {"os"}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            os_names.update(a.asname for a in node.names if a.name == "os" and a.asname)
    lines = []
    for node in ast.walk(module.tree):
        attribute = (isinstance(node, ast.Attribute) and node.attr in ENV_NAMES
                     and isinstance(node.value, ast.Name) and node.value.id in os_names)
        imported = (isinstance(node, ast.ImportFrom) and node.module == "os"
                    and any(a.name in ENV_NAMES for a in node.names))
        if attribute or imported:
            lines.append(node.lineno)
    return lines


def test_the_walk_finds_the_packages():
    """Guard against a vacuous pass: the modules this suite checks are all seen."""
    names = {m.name for m in MODULES}
    assert {"policies", "policies.loader", "models.tables", "workflow.engine",
            "workflow.machine"} <= names
    assert "transitions" in top_levels(next(m for m in MODULES if m.name == "workflow.machine"))
    assert "policies" in top_levels(next(m for m in MODULES if m.name == "workflow.engine"))


FORBIDDEN = {
    "policies": {"models", "workflow", "cli"},
    "models": {"workflow", "cli"},
    "workflow": {"cli"},
}


@pytest.mark.parametrize("module", [m for m in MODULES if m.package in FORBIDDEN],
                         ids=lambda m: m.rel)
def test_imports_point_inward(module):
    """policies imports nothing of ours, models nothing of workflow/cli, workflow nothing of cli."""
    assert top_levels(module) & FORBIDDEN[module.package] == set()


@pytest.mark.parametrize("module", [m for m in MODULES if m.package == "policies"],
                         ids=lambda m: m.rel)
def test_policies_use_the_standard_library_only(module):
    """policies/ is the programme as data and pure functions: no third-party imports."""
    outside = {name for name in top_levels(module)
               if name not in sys.stdlib_module_names and name not in ("__future__", "policies")}
    assert outside == set()


def test_only_machine_imports_transitions():
    users = sorted(m.rel for m in MODULES if "transitions" in top_levels(m))
    assert users == ["workflow/machine.py"]


def test_only_cli_reads_the_environment():
    """Configuration enters at the shell: library modules never read environment variables."""
    readers = {m.rel: reads_environment(m) for m in MODULES if m.package != "cli"}
    assert {rel: lines for rel, lines in readers.items() if lines} == {}


def test_environment_detector_sees_reads():
    """The detector flags the forms it should (so the test above can fail)."""
    source = ("import os as o\nfrom os import getenv\nx = o.environ['A']\ny = o.getenv('B')\n")
    module = Module(ROOT / "x.py", "x", ast.parse(source))
    assert sorted(reads_environment(module)) == [2, 3, 4]
