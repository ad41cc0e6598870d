"""The architecture, checked on the source. The layers and the other import rules are
import-linter contracts (`[tool.importlinter]` in pyproject.toml), run here over the package as
it installs; each module's own imports are also checked against the layers the contracts
declare, so that a broken rule names its module. Beside them: one import name, no bare
imports, the standard library only under the rules, configuration read only by the shells, one
name per type, and every folder saying its job.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import pytest

from tools import contracts, tree

ROOT = tree.ROOT
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONTRACTS = {c["id"]: c for c in CONFIG["tool"]["importlinter"]["contracts"]}
# The layers, top first: each a set of parts of accel666 (`cli`, `service`, …).
LAYERS = [{part.strip() for part in layer.split("|")} for layer in CONTRACTS["layers"]["layers"]]
PARTS = {part for layer in LAYERS for part in layer}
ENV_NAMES = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


@dataclass(frozen=True)
class Module:
    path: Path
    name: str  # dotted, e.g. "accel666.workflow.engine"
    tree: ast.Module

    @property
    def package(self) -> str:
        """The part of accel666 the module is in (workflow, models, lifecycle, …), or accel666
        for the public API."""
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 else parts[0]

    @property
    def rel(self) -> str:
        return self.path.relative_to(ROOT).as_posix()


MODULES = [Module(path, name, ast.parse(path.read_text(encoding="utf-8"), str(path)))
           for name, path in sorted(tree.modules().items())]
NAMES = {m.name for m in MODULES}


def imports(module: Module) -> set[str]:
    """Every module name the source imports (anywhere in the file), relative imports resolved:
    `from P import N` imports P.N when that is one of our modules, else P (as grimp reads it)."""
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
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in NAMES
                          else target)
    return found


def top_levels(module: Module) -> set[str]:
    """The packages a module imports: our own by their part (`accel666.models` -> "models"),
    the public API `accel666` as "accel666", others by their top-level name."""
    out = set()
    for name in imports(module):
        parts = name.split(".")
        ours = parts[0] == "accel666" and len(parts) > 1 and parts[1] in PARTS
        out.add(parts[1] if ours else parts[0])
    return out


def reads_environment(module: Module) -> list[int]:
    """Lines that touch os.environ / os.getenv (through any alias of os) or import them."""
    os_names = {"os"}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            os_names.update(a.asname for a in node.names if a.asname and a.name == "os")
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
    assert {"accel666", "accel666.lifecycle", "accel666.errors", "accel666.policies",
            "accel666.policies.loader", "accel666.models.tables", "accel666.record.verify",
            "accel666.workflow.engine", "accel666.workflow.changes.machine",
            "accel666.views.labels", "accel666.demo.story", "accel666.service.application",
            "accel666.cli.main"} <= names
    machine = next(m for m in MODULES if m.name == "accel666.workflow.changes.machine")
    assert "transitions" in top_levels(machine)
    engine = next(m for m in MODULES if m.name == "accel666.workflow.engine")
    assert "policies" in top_levels(engine)


def test_every_part_is_in_a_layer():
    """A new folder must be placed: the contract's layers name every part of accel666."""
    parts = {m.package for m in MODULES} - {"accel666"}
    assert parts == PARTS


def _layer(part: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if part in layer)


def _ignored(importer: str, imported: str) -> bool:
    for rule in CONTRACTS["layers"].get("ignore_imports", []):
        source, target = (side.strip() for side in rule.split("->"))
        if fnmatch(importer, source.replace("**", "*")) and (
                imported == target or imported.startswith(f"{target}.")):
            return True
    return False


def _parts_below(module: Module) -> set[str]:
    """The parts a module may import besides its own: those of the layers below its own."""
    return {p for layer in LAYERS[_layer(module.package) + 1:] for p in layer}


@pytest.mark.parametrize("module", [m for m in MODULES if m.package in PARTS],
                         ids=lambda m: m.rel)
def test_imports_point_downwards(module):
    """A module imports its own part and the parts of the layers below its own (the layers
    contract), never a sibling in its layer or anything above."""
    allowed = _parts_below(module) | {module.package}
    wrong = sorted(name for name in imports(module)
                   if name.startswith("accel666.") and name.split(".")[1] in PARTS
                   and name.split(".")[1] not in allowed and not _ignored(module.name, name))
    assert wrong == []


def test_the_layer_check_sees_a_wrong_import():
    """The check above can fail: models importing the engine is named."""
    module = Module(ROOT / "models" / "x.py", "accel666.models.x",
                    ast.parse("from accel666.workflow import engine\n"))
    allowed = _parts_below(module) | {module.package}
    assert "workflow" not in allowed and "policies" not in allowed and "errors" in allowed


@pytest.mark.slow
def test_the_import_contracts_hold(tmp_path):
    """import-linter, run as CI runs it (`python -m tools.contracts`): every contract kept,
    indirect imports included."""
    done = contracts.run(tmp_path / "tree")
    kept = re.findall(r"^(.*?) (KEPT|BROKEN)\b", done.stdout, re.M)
    assert len(kept) >= len(CONTRACTS), done.stdout + done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    assert all(verdict == "KEPT" for _, verdict in kept)


@pytest.mark.slow
def test_a_broken_contract_fails_the_check(tmp_path):
    """The runner reports a break: a tree whose models import the engine fails."""
    placed = tmp_path / "tree"
    tree.assemble(placed)
    done = contracts.run(placed, prepare=lambda where: (where / "accel666" / "models" / "x.py")
                         .write_text("from accel666.workflow import engine\n"))
    assert done.returncode != 0
    assert "accel666.models is not allowed to import accel666.workflow" in done.stdout


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.rel)
def test_our_modules_are_imported_under_accel666_only(module):
    """No bare `workflow`, `models`, `policies`, `cli`, …: a host has its own."""
    bare = {name for name in imports(module) if name.split(".")[0] in PARTS}
    assert bare == set()


@pytest.mark.parametrize("module", [m for m in MODULES
                                    if m.package in ("policies", "lifecycle", "errors")],
                         ids=lambda m: m.rel)
def test_policies_and_the_lifecycle_use_the_standard_library_only(module):
    """policies/ is the programme as data and pure functions, the lifecycle and the errors
    their core: no third-party imports."""
    outside = {name for name in top_levels(module) if name not in sys.stdlib_module_names
               and name not in ("__future__", *PARTS)}
    assert outside == set()


def test_only_machine_imports_transitions():
    users = sorted(m.rel for m in MODULES if "transitions" in top_levels(m))
    assert users == ["workflow/changes/machine.py"]


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


@pytest.mark.parametrize("module", [m for m in MODULES if m.package == "demo"],
                         ids=lambda m: m.rel)
def test_the_demo_is_a_user_of_the_public_api(module):
    """The demo reaches the engine only through `accel666` (and reads the policy's data)."""
    inside = {name for name in imports(module)
              if name.startswith("accel666.") and name.split(".")[1] in PARTS
              and name.split(".")[1] not in ("demo", "policies")}
    assert inside == set()


HTTP_SPEAKERS = ("http", "urllib.request", "fastapi", "starlette", "uvicorn")


def test_only_the_webhook_notifier_and_the_service_speak_http():
    """A client or a server speaks HTTP; parsing a URL (urllib.parse) does not."""
    users = sorted(m.rel for m in MODULES if m.package != "service"
                   and any(name == s or name.startswith(f"{s}.")
                           for name in imports(m) for s in HTTP_SPEAKERS))
    assert users == ["cli/commands/serve.py", "workflow/notifiers/webhook.py"]


def test_the_distribution_claims_one_top_level_name():
    """Every folder pyproject.toml installs is accel666 or inside it; every package on disk is
    found under one of them."""
    mapped = CONFIG["tool"]["setuptools"]["package-dir"]
    assert {p.split(".")[0] for p in mapped} == {"accel666"}
    on_disk = {m.name for m in MODULES if m.path.name == "__init__.py"}
    assert all(any(name == p or name.startswith(f"{p}.") for p in mapped) for name in on_disk)


def _classes() -> dict[str, list[str]]:
    where: dict[str, list[str]] = {}
    for module in MODULES:
        for node in module.tree.body:
            if isinstance(node, ast.ClassDef):
                where.setdefault(node.name, []).append(module.rel)
            elif isinstance(node, ast.If):  # classes defined under TYPE_CHECKING and such
                for inner in node.body:
                    if isinstance(inner, ast.ClassDef):
                        where.setdefault(inner.name, []).append(module.rel)
    return where


def test_no_two_types_share_a_name():
    """One name, one meaning: a class name is defined once in the whole package."""
    assert {name: places for name, places in _classes().items() if len(places) > 1} == {}


PACKAGES = [m for m in MODULES if m.path.name == "__init__.py"
            and "migrations" not in m.name.split(".")]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda m: m.rel)
def test_each_folder_says_its_job_in_one_sentence(package):
    """A package's docstring opens with one sentence saying what the folder holds."""
    doc = ast.get_docstring(package.tree)
    assert doc, f"{package.rel} has no docstring"
    first = doc.split("\n\n")[0].replace("\n", " ")
    assert first.endswith("."), first
    assert len(re.findall(r"[.!?](?:\s|$)", first)) == 1, first
