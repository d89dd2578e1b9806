"""arenagrad.viz: deterministic DOT text and optional graphviz rendering."""

from __future__ import annotations

import re
import shutil
import sys

import pytest
from arenagrad import Value
from arenagrad.viz import draw_dot, to_dot, topological_order


def neuron_expression() -> Value:
    names = {"x": 2.0, "w": -3.0, "b": 1.5}
    leaves = {}
    for name, data in names.items():
        leaves[name] = Value(data)
        leaves[name].label = name
    out = (leaves["x"] * leaves["w"] + leaves["b"]).relu()
    out.label = "out"
    out.backward()
    return out


def test_to_dot_is_deterministic_across_rebuilds():
    first = to_dot(neuron_expression())
    second = to_dot(neuron_expression())  # different objects and slots
    assert first == second
    assert "0x" not in first  # no memory addresses


def test_to_dot_records_ops_and_edges():
    text = to_dot(neuron_expression())
    assert text.startswith("digraph arenagrad {\n  rankdir=LR;\n")
    assert text.rstrip().endswith("}")
    assert 'label="{ x | data 2.0000 | grad 0.0000 }"' in text
    assert 'label="{ w | data -3.0000 | grad 0.0000 }"' in text
    assert 'label="{ out | data 0.0000 | grad 1.0000 }"' in text
    for op in ("*", "+", "ReLU"):
        assert f'_op [label="{op}"];' in text
    # Leaves x, w, b plus results of *, + and ReLU: six records, three ops.
    assert len(re.findall(r"shape=record", text)) == 6
    assert len(re.findall(r"n\d+_op \[", text)) == 3


def test_node_ids_follow_topological_order():
    a = Value(1.0)
    b = Value(2.0)
    a.label, b.label = "a", "b"
    c = a - b
    c.label = "c"
    text = to_dot(c)
    assert 'n0 [shape=record, label="{ a |' in text
    assert 'n1 [shape=record, label="{ b |' in text
    assert 'n2 [shape=record, label="{ c |' in text
    # Operand order: a (first operand) feeds the op before b.
    assert text.index("n0 -> n2_op") < text.index("n1 -> n2_op")
    reverse = to_dot(b - a)
    assert reverse.index("n0 -> n2_op") < reverse.index("n1 -> n2_op")
    assert 'n0 [shape=record, label="{ b |' in reverse


def test_shared_nodes_appear_once_and_repeat_operands_twice():
    a = Value(3.0)
    square = a * a
    total = square + a
    order = topological_order(total)
    assert len(order) == 3
    text = to_dot(total)
    assert text.count("n0 -> n1_op") == 2  # a * a: both operands are a


def test_constants_are_leaf_records():
    text = to_dot(Value(1.0) + 2.0)
    assert "data 2.0000" in text


def test_labels_are_escaped():
    a = Value(1.0)
    a.label = 'a|b{c}"d"'
    text = to_dot(a)
    assert 'a\\|b\\{c\\}\\"d\\"' in text


def test_deep_graph_does_not_recurse():
    x = Value(0.0)
    for _ in range(50_000):
        x = x + 1.0
    order = topological_order(x)
    assert len(order) == 100_001
    assert order[-1] == x
    assert to_dot(x).count("shape=record") == 100_001


def test_rankdir_is_validated():
    assert "rankdir=TB;" in to_dot(Value(1.0), rankdir="TB")
    with pytest.raises(ValueError):
        to_dot(Value(1.0), rankdir="sideways")


def test_draw_dot_without_graphviz_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes import fail
    with pytest.raises(ImportError, match=r'pip install "arenagrad\[viz\]"'):
        draw_dot(Value(1.0))


def test_draw_dot_without_dot_program(monkeypatch):
    import graphviz  # in the test extra

    monkeypatch.setenv("PATH", "")
    source = draw_dot(Value(1.0))  # built without dot; only rendering needs it
    assert source.source == to_dot(Value(1.0))
    with pytest.raises(graphviz.ExecutableNotFound):
        source.pipe()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
def test_draw_dot_renders_svg():
    import graphviz

    source = draw_dot(neuron_expression(), format="svg")
    assert isinstance(source, graphviz.Source)
    assert source.source == to_dot(neuron_expression())
    svg = source.pipe(format="svg").decode()
    assert "<svg" in svg and "out" in svg and "ReLU" in svg
