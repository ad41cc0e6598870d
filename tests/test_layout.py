"""The README's layout tables match the tree: every folder the package installs, and every
folder of the engine, is there with its import name; every folder or module the tables name
exists and is installed under that name; and the tables are the ones `python -m tools.layout`
writes from the docstrings."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tools import layout, regions, tree

ROOT = tree.ROOT
README = ROOT / layout.README
ROW = re.compile(r"^\| `(?P<path>[^`]+)` \| (?:`(?P<name>[^`]+)`|\(not installed\)) \| .+ \|$",
                 re.M)


def development() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Development\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def rows() -> dict[str, str | None]:
    """Each folder or module the Development section's tables name, and its import name
    (None where it is not installed)."""
    found: dict[str, str | None] = {}
    for match in ROW.finditer(development()):
        assert match["path"] not in found, f"{match['path']} is named twice"
        found[match["path"]] = match["name"]
    return found


MODULES = tree.modules()


def test_the_tables_are_found():
    """Guard against a vacuous pass: both tables are read."""
    named = rows()
    assert {"accel666/", "workflow/", "workflow/changes/", "workflow/engine.py", "tests/",
            "bench/", "tools/"} <= set(named)
    assert named["models/"] == "accel666.models" and named["tools/"] is None


@pytest.mark.parametrize("name", sorted(tree.folders()))
def test_every_installed_folder_is_in_the_table_with_its_import_name(name):
    folder = tree.folders()[name].relative_to(ROOT).as_posix()
    assert rows().get(f"{folder}/") == name


ENGINE_PARTS = sorted(name for name, path in MODULES.items()
                      if name.startswith("accel666.workflow.") and name.count(".") == 2
                      and path.name == "__init__.py")


def test_the_engine_has_its_parts():
    assert {"accel666.workflow.changes", "accel666.workflow.intake",
            "accel666.workflow.deadlines", "accel666.workflow.notifiers"} <= set(ENGINE_PARTS)


@pytest.mark.parametrize("name", ENGINE_PARTS)
def test_every_folder_of_the_engine_is_in_the_table_with_its_import_name(name):
    folder = MODULES[name].parent.relative_to(ROOT).as_posix()
    assert rows().get(f"{folder}/") == name


@pytest.mark.parametrize("path", sorted(rows()))
def test_every_place_the_tables_name_exists_under_its_import_name(path):
    """A folder has its __init__.py; a module is a file; each is the module of its name."""
    name = rows()[path]
    source = ROOT / path / "__init__.py" if path.endswith("/") else ROOT / path
    assert source.is_file(), f"{path} does not exist"
    if name is not None:
        assert MODULES.get(name) == source, f"{path} is not installed as {name}"
    else:
        assert path.removesuffix("/") in ("tests", *tree.BESIDE)


def test_the_tables_are_written_from_the_docstrings():
    """As CI would run it: `python -m tools.layout --check` finds nothing stale."""
    done = subprocess.run([sys.executable, "-m", "tools.layout", "--check"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_stale_table_fails_the_check_naming_the_difference(tmp_path, capsys):
    bodies = layout.documents()[README]
    text = README.read_text(encoding="utf-8")
    for name, body in bodies.items():  # the README as the code writes it
        text = regions.replace(text, name, body)
    row = next(line for line in text.splitlines() if line.startswith("| `workflow/intake/` |"))
    stale = tmp_path / "README.md"
    stale.write_text(text.replace(f"{row}\n", ""), encoding="utf-8")
    assert regions.run({stale: bodies}, layout.COMMAND, check=True, root=tmp_path) == 1
    out, err = capsys.readouterr()
    assert f"\n+{row}\n" in out
    assert "README.md is stale: run `python -m tools.layout` to rewrite it" in err
    assert stale.read_text(encoding="utf-8") != text  # a check writes nothing
    assert regions.run({stale: bodies}, layout.COMMAND, check=False, root=tmp_path) == 0
    assert stale.read_text(encoding="utf-8") == text


def test_a_document_without_its_region_fails(tmp_path, capsys):
    lost = tmp_path / "README.md"
    lost.write_text("# accel666\n", encoding="utf-8")
    assert regions.run({lost: {"layout": "x"}}, layout.COMMAND, check=True, root=tmp_path) == 1
    assert "expected one region 'layout'" in capsys.readouterr().err


@pytest.mark.parametrize(("doc", "sentence"), [
    ("The Engine: the one entry point. One method per event.", "The Engine: the one entry point."),
    ("The engine (`accel666.workflow`): its parts,\ncarried out.\n\nMore.",
     "The engine (`accel666.workflow`): its parts, carried out."),
    ("No full stop", "No full stop"),
])
def test_the_job_is_the_docstrings_first_sentence(doc, sentence):
    assert layout.first_sentence(doc) == sentence


def test_the_readme_links_the_architecture():
    assert "[docs/architecture.md](docs/architecture.md)" in development()
