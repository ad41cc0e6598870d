"""Finds the packages inside each folder that pyproject.toml's [tool.setuptools.package-dir]
installs under an import name; everything else about the build is in pyproject.toml."""

import tomllib
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent
FOLDERS: dict[str, str] = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))[
    "tool"]["setuptools"]["package-dir"]

setup(packages=[found for name, folder in FOLDERS.items()
                for found in (name, *(f"{name}.{sub}" for sub in find_packages(HERE / folder)))])
