"""The hand-written stub must describe the extension module as it is."""

from __future__ import annotations

import ast
from pathlib import Path

import arenagrad
from arenagrad import _core

STUB = Path(arenagrad.__file__).with_name("_core.pyi")


def stub_names():
    """Module-level names, and each class's members, as the stub declares them."""
    tree = ast.parse(STUB.read_text())
    module, classes = set(), {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            module.add(node.name)
            classes[node.name] = {
                n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AnnAssign))
            }
        elif isinstance(node, ast.FunctionDef):
            module.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            module.add(node.target.id)
    return module, classes


def public(names):
    return {n for n in names if not n.startswith("__") and not n.startswith("_pybind11")}


def test_stub_matches_runtime():
    module, classes = stub_names()
    runtime_module = {n for n in vars(_core) if not n.startswith("__") or n == "__version__"}
    assert module == runtime_module
    for name, members in classes.items():
        cls = getattr(_core, name)
        assert public(members) == public(vars(cls)), name
        for dunder in members - public(members):
            assert hasattr(cls, dunder), (name, dunder)


def test_every_op_in_the_table_is_in_the_stub():
    # The runtime comparison above catches this too; this names the missing op.
    module, classes = stub_names()
    for op in _core.ops():
        if op["kind"] in ("method", "operator"):
            assert op["python"] in classes["Value"], op["name"]
        elif op["kind"] == "function":
            assert op["python"] in module, op["name"]


def test_package_is_marked_typed():
    assert Path(arenagrad.__file__).with_name("py.typed").exists()
