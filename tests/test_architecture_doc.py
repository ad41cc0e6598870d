"""docs/architecture.md keeps up with the code: its import graph is the one
`python -m tools.graph` draws from the source, and each import contract is explained there."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest

from tools import graph, layout, regions, tree

ROOT = tree.ROOT
DOCUMENT = ROOT / layout.ARCHITECTURE
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
    "tool"]["importlinter"]["contracts"]


def test_the_graph_is_current():
    """As CI would run it: `python -m tools.graph --check` finds nothing stale."""
    done = subprocess.run([sys.executable, "-m", "tools.graph", "--check"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_stale_graph_fails_the_check_naming_the_difference(tmp_path, capsys):
    bodies = {graph.REGION: graph.mermaid()}
    text = regions.replace(DOCUMENT.read_text(encoding="utf-8"), graph.REGION,
                           bodies[graph.REGION])
    arrow = "    workflow --> models"
    assert f"\n{arrow}\n" in text
    stale = tmp_path / "architecture.md"
    stale.write_text(text.replace(f"{arrow}\n", ""), encoding="utf-8")
    assert regions.run({stale: bodies}, graph.COMMAND, check=True, root=tmp_path) == 1
    out, err = capsys.readouterr()
    assert f"\n+{arrow}\n" in out
    assert "architecture.md is stale: run `python -m tools.graph` to rewrite it" in err


def test_the_graph_holds_the_known_imports():
    """Guard against a vacuous graph: imports every reader of the code knows are drawn, the
    layers' exception dotted, and nothing points into the shells or out of the definition."""
    drawn = graph.imports()
    assert {("cli", "service"), ("cli", "accel666"), ("service", "workflow"),
            ("workflow", "workflow.changes"), ("workflow.changes", "models"),
            ("record", "models"), ("policies", "lifecycle")} <= set(drawn)
    assert not {(a, b) for a, b in drawn if a in ("lifecycle", "errors")}
    assert not {(a, b) for a, b in drawn if b in ("cli", "service", "demo")
                and a not in ("cli",)}
    text = graph.mermaid()
    assert "    models -.-> record\n" in text and "    workflow --> models\n" in text


def test_every_part_is_a_node_in_its_layer():
    text = graph.mermaid()
    for top, node in (("layer4", 'workflow_changes["workflow/changes/"]'),
                      ("layer7", 'lifecycle["accel666/lifecycle.py"]'),
                      ("layer6", 'models["models/"]')):
        box = text.split(f"    subgraph {top}[", 1)[1].split("    end\n", 1)[0]
        assert f"        {node}\n" in box


@pytest.mark.parametrize(("name", "source", "expected"), [
    ("accel666.workflow.engine", "from . import logs\nfrom .changes import machine\n",
     {"accel666.workflow.logs", "accel666.workflow.changes.machine"}),
    ("accel666.workflow", "from .engine import Engine\n", {"accel666.workflow.engine"}),
    ("accel666.workflow.changes.machine", "from ..records import X\nfrom ... import errors\n",
     {"accel666.workflow.records", "accel666.errors"}),
    ("accel666.cli.main", "import accel666.workflow.engine.x\nfrom accel666 import Engine\n"
     "import os\n", {"accel666.workflow.engine", "accel666"}),
])
def test_imports_are_resolved_to_modules(tmp_path, name, source, expected):
    path = tmp_path / ("__init__.py" if name == "accel666.workflow" else "m.py")
    path.write_text(source, encoding="utf-8")
    names = {"accel666", "accel666.errors", "accel666.workflow", "accel666.workflow.engine",
             "accel666.workflow.logs", "accel666.workflow.records",
             "accel666.workflow.changes", "accel666.workflow.changes.machine"}
    assert graph.imported(name, path, names) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("accel666", "accel666"), ("accel666.lifecycle", "lifecycle"),
    ("accel666.models.stores.projects", "models"), ("accel666.workflow.engine", "workflow"),
    ("accel666.workflow.changes.machine", "workflow.changes"),
    ("accel666.workflow.changes", "workflow.changes"),
])
def test_a_module_belongs_to_its_part(name, expected):
    packages = {"accel666.workflow", "accel666.workflow.changes", "accel666.models",
                "accel666.models.stores"}
    assert graph.part(name, packages) == expected


@pytest.mark.parametrize("ident", [c["id"] for c in CONTRACTS])
def test_every_contract_is_explained(ident):
    assert f"- **`{ident}`**: " in DOCUMENT.read_text(encoding="utf-8")
