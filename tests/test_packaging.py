"""The package as it installs: one import name from real folders, no link anywhere, the wheel
holding every module of the tree and nothing else, and an editable install that works on a
checkout made without symbolic links (as on a Windows desktop)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tools import mutation, tree

ROOT = tree.ROOT


def _git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          check=True).stdout


def test_every_installed_package_is_accel666_or_inside_it():
    names = set(tree.folders())
    assert "accel666" in names
    assert {name.split(".")[0] for name in names} == {"accel666"}
    assert {name.split(".")[0] for name in tree.modules()} == {"accel666"}


def test_every_mapped_folder_is_a_real_folder():
    for name, folder in tree.folders().items():
        assert folder.is_dir() and not folder.is_symlink(), (name, folder)
        assert (folder / "__init__.py").is_file(), name


def test_the_repository_holds_no_symbolic_link():
    """Git records a link as mode 120000: none in the index (what a clone gets)."""
    links = [line.split("\t", 1)[1] for line in _git("ls-files", "-s").splitlines()
             if line.startswith("120000 ")]
    assert links == []


def test_the_module_list_finds_the_folders_modules():
    """A guard against a vacuous comparison below: the walk sees deep modules by their names."""
    found = tree.modules()
    assert found["accel666.workflow.engine"] == ROOT / "workflow" / "engine.py"
    assert found["accel666.models.migrations.versions"].name == "__init__.py"
    assert found["accel666"] == ROOT / "accel666" / "__init__.py"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the checkout's files (a build in place would reuse
    whatever an earlier build left in build/)."""
    source = tmp_path_factory.mktemp("source")
    for path in mutation.tracked(ROOT):
        target = source / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(out), str(source)],
                   check=True, capture_output=True)
    (found,) = out.glob("accel666-*.whl")
    return found


@pytest.mark.slow
def test_the_wheels_modules_are_the_trees(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if n.endswith(".py")]
    in_wheel = {n.removesuffix(".py").replace("/", ".").removesuffix(".__init__") for n in names}
    assert in_wheel == set(tree.modules())


@pytest.mark.slow
def test_the_wheel_carries_the_data_files(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {"accel666/py.typed", "accel666/policies/programme.toml",
            "accel666/models/migrations/script.py.mako"} <= names
    assert any(n.startswith("accel666/") and n.endswith("/accel666.mo") for n in names)


@pytest.mark.slow
def test_an_editable_install_works_on_a_checkout_without_links(tmp_path: Path):
    """Clone with core.symlinks=false, install it editable into a new environment, and import
    the deep modules from elsewhere: each comes from the clone's own folders."""
    clone = tmp_path / "checkout"
    _git("clone", "-q", "-c", "core.symlinks=false", str(ROOT), str(clone), cwd=tmp_path)
    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True,
                          check=True).stdout.strip()
    # pip, setuptools and the dependencies come from this environment (no download).
    Path(site, "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps",
                    "--no-build-isolation", "-e", str(clone)], check=True, capture_output=True,
                   cwd=tmp_path)
    shown = subprocess.run(
        [str(python), "-c", "import accel666, accel666.workflow.engine as e, "
         "accel666.cli.main as m, accel666.policies as p; "
         "print(accel666.__file__, e.__file__, m.__file__, p.__file__, sep='\\n')"],
        capture_output=True, text=True, check=True, cwd=tmp_path).stdout.split()
    assert [Path(f).relative_to(clone).as_posix() for f in shown] == [
        "accel666/__init__.py", "workflow/engine.py", "cli/main.py", "policies/__init__.py"]
