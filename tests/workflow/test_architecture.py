"""The layering of house-style.md, checked on the source: imports point inward, nothing else.

Everything is imported under one name, `accel666`: cli -> workflow -> {policies, models}; cli
does not reach past the engine into models; policies imports nothing of ours (standard library
only); only workflow/lifecycle/machine.py imports `transitions`; only the front ends (cli/, and the
service's configuration) read the environment; service/ too goes through the engine.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("policies", "models", "workflow", "cli", "service")
ENV_NAMES = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


@dataclass(frozen=True)
class Module:
    path: Path
    name: str  # dotted, e.g. "accel666.workflow.engine"
    tree: ast.Module

    @property
    def package(self) -> str:
        """The part of accel666 the module is: workflow, models, policies, cli, lifecycle (the
        one lifecycle definition) or accel666 (the public API)."""
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 else parts[0]

    @property
    def rel(self) -> str:
        return self.path.relative_to(ROOT).as_posix()


def _modules() -> list[Module]:
    out = [Module(path, "accel666" if path.stem == "__init__" else f"accel666.{path.stem}",
                  ast.parse(path.read_text(encoding="utf-8"), str(path)))
           for path in sorted((ROOT / "accel666").glob("*.py"))]
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = ["accel666", *path.relative_to(ROOT).with_suffix("").parts]
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
    """The packages a module imports: our own by their part (`accel666.models` -> "models",
    the public API `accel666` -> "accel666"), others by their top-level name."""
    out = set()
    for name in imports(module):
        parts = name.split(".")
        ours = parts[0] == "accel666" and len(parts) > 1 and parts[1] in (*PACKAGES, "lifecycle")
        out.add(parts[1] if ours else parts[0])
    return out


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
    assert {"accel666", "accel666.lifecycle", "accel666.policies", "accel666.policies.loader",
            "accel666.models.tables", "accel666.workflow.engine", "accel666.workflow.lifecycle.machine"
            } <= names
    machine = next(m for m in MODULES if m.name == "accel666.workflow.lifecycle.machine")
    assert "transitions" in top_levels(machine)
    engine = next(m for m in MODULES if m.name == "accel666.workflow.engine")
    assert "policies" in top_levels(engine)


FORBIDDEN = {
    "lifecycle": {"policies", "models", "workflow", "cli", "accel666"},
    "policies": {"models", "workflow", "cli", "accel666"},
    "models": {"workflow", "cli", "accel666"},
    "workflow": {"cli"},
    "cli": {"models"},
    "service": {"models", "cli"},
}


@pytest.mark.parametrize("module", [m for m in MODULES if m.package in FORBIDDEN],
                         ids=lambda m: m.rel)
def test_imports_point_inward(module):
    """policies imports nothing of ours, models nothing of workflow/cli, workflow nothing of
    cli, and cli nothing of models (it goes through the engine)."""
    assert top_levels(module) & FORBIDDEN[module.package] == set()


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.rel)
def test_our_modules_are_imported_under_accel666_only(module):
    """No bare `workflow`, `models`, `policies` or `cli` import: a host has its own."""
    bare = {name for name in imports(module) if name.split(".")[0] in PACKAGES}
    assert bare == set()


def test_the_distribution_claims_one_top_level_name():
    """Every folder pyproject.toml installs is accel666 or inside it; every package on disk is
    found under one of them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapped = config["tool"]["setuptools"]["package-dir"]
    assert {p.split(".")[0] for p in mapped} == {"accel666"}
    on_disk = {m.name for m in MODULES if m.path.name == "__init__.py"}
    assert all(any(name == p or name.startswith(f"{p}.") for p in mapped) for name in on_disk)


@pytest.mark.parametrize("module", [m for m in MODULES if m.package in ("policies", "lifecycle")],
                         ids=lambda m: m.rel)
def test_policies_and_the_lifecycle_use_the_standard_library_only(module):
    """policies/ is the programme as data and pure functions, the lifecycle their core: no
    third-party imports."""
    outside = {name for name in top_levels(module) if name not in sys.stdlib_module_names
               and name not in ("__future__", "policies", "lifecycle")}
    assert outside == set()


def test_only_machine_imports_transitions():
    users = sorted(m.rel for m in MODULES if "transitions" in top_levels(m))
    assert users == ["workflow/lifecycle/machine.py"]


def test_only_cli_reads_the_environment():
    """Configuration enters at the shell: library modules never read environment variables."""
    readers = {m.rel: reads_environment(m) for m in MODULES
               if m.package != "cli" and m.rel != "service/config.py"}
    assert {rel: lines for rel, lines in readers.items() if lines} == {}


def test_environment_detector_sees_reads():
    """The detector flags the forms it should (so the test above can fail)."""
    source = ("import os as o\nfrom os import getenv\nx = o.environ['A']\ny = o.getenv('B')\n")
    module = Module(ROOT / "x.py", "x", ast.parse(source))
    assert sorted(reads_environment(module)) == [2, 3, 4]


@pytest.mark.parametrize("module", [m for m in MODULES if m.name.startswith("accel666.workflow.demo")],
                         ids=lambda m: m.rel)
def test_the_demo_is_a_user_of_the_public_api(module):
    """The demo reaches the engine only through `accel666` (and reads the policy's data)."""
    inside = {name for name in imports(module)
              if name.startswith(("accel666.workflow", "accel666.models"))
              and not name.startswith("accel666.workflow.demo")}
    assert inside == set()


HTTP_SPEAKERS = ("http", "urllib.request", "fastapi", "starlette", "uvicorn")


def test_only_the_webhook_adapter_and_the_service_speak_http():
    """A client or a server speaks HTTP; parsing a URL (urllib.parse) does not."""
    users = sorted(m.rel for m in MODULES if m.package != "service"
                   and any(name == s or name.startswith(f"{s}.")
                           for name in imports(m) for s in HTTP_SPEAKERS))
    assert users == ["cli/commands/serve.py", "workflow/adapters/webhook.py"]
