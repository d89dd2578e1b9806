"""The hand-written stub must describe the extension module as it is."""

from __future__ import annotations

import ast
from pathlib import Path

import arenagrad
from arenagrad import _core

STUB = Path(arenagrad.__file__).with_name("_core.pyi")


def stub_names():
    tree = ast.parse(STUB.read_text())
    module, value = set(), set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Value":
            value = {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AnnAssign))}
            module.add("Value")
        elif isinstance(node, ast.FunctionDef):
            module.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            module.add(node.target.id)
    return module, value


def test_stub_matches_runtime():
    module, value = stub_names()
    runtime_module = {n for n in vars(_core) if not n.startswith("__") or n == "__version__"}
    assert module == runtime_module
    public_stub = {n for n in value if not n.startswith("__")}
    public_runtime = {
        n for n in vars(_core.Value) if not n.startswith("__") and not n.startswith("_pybind11")
    }
    assert public_stub == public_runtime
    for dunder in value - public_stub:
        assert hasattr(_core.Value, dunder), dunder


def test_package_is_marked_typed():
    assert Path(arenagrad.__file__).with_name("py.typed").exists()
