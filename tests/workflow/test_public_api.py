"""The public API: `from accel666 import …` gives every documented name, each documented, the
version single-sourced, and importing the package alone loads nothing heavy."""

from __future__ import annotations

import inspect
import subprocess
import sys
from importlib import metadata

import pytest

import accel666

PUBLIC = [n for n in accel666.__all__ if not n.startswith("__")]


def test_every_public_name_resolves_and_is_listed():
    assert set(accel666._WHERE) == set(PUBLIC)
    for name in PUBLIC:
        assert getattr(accel666, name) is not None
    assert set(PUBLIC) <= set(dir(accel666))


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'accel666' has no attribute 'Engin'"):
        accel666.Engin  # noqa: B018


def test_the_version_is_single_sourced():
    assert accel666.__version__ == metadata.version("accel666")


def _own_doc(obj: object) -> str:
    """The object's own docstring; a dataclass's generated signature does not count."""
    doc = (getattr(obj, "__doc__", None) or "").strip()
    name = getattr(obj, "__name__", "")
    return "" if doc.startswith(f"{name}(") else doc


@pytest.mark.parametrize("name", [n for n in PUBLIC
                                  if inspect.isclass(getattr(accel666, n))
                                  or inspect.isfunction(getattr(accel666, n))])
def test_every_public_class_function_and_method_has_a_docstring(name):
    obj = getattr(accel666, name)
    missing = [] if _own_doc(obj) else [name]
    if inspect.isclass(obj):
        for attr, value in vars(obj).items():
            if attr.startswith("_"):
                continue
            if (inspect.isfunction(value) or isinstance(value, property)) and not _own_doc(value):
                missing.append(f"{name}.{attr}")
    assert missing == []


def test_importing_the_package_loads_no_database_stack():
    code = ("import sys, accel666\n"
            "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'structlog', 'transitions', "
            "'accel666.workflow.engine') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
