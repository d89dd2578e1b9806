"""arenagrad.dot and arenagrad.vsum build exactly the nodes the Python expressions
build, so their data and gradients are bit-identical (==, not approximately)."""

from __future__ import annotations

import functools
import operator
import random

import arenagrad
import numpy as np
import pytest
from arenagrad import Value, dot, vsum


def structure(v: Value) -> list:
    """The graph below v, depth-first: (op, data) per node, children in order."""
    out, stack = [], [v]
    while stack:
        node = stack.pop()
        out.append((node._op, node.data))
        stack.extend(reversed(node._prev))
    return out


def leaves_of(n: int, rng: random.Random) -> list[Value]:
    return [Value(rng.uniform(-2, 2)) for _ in range(n)]


@pytest.mark.parametrize("inputs_kind", ["floats", "values", "mixed", "numpy", "tuple"])
def test_dot_matches_python_sum_bit_for_bit(inputs_kind):
    rng = random.Random(7)
    w = leaves_of(5, rng)
    raw = [rng.uniform(-3, 3) for _ in range(5)]
    xs_values = [Value(r) for r in raw]
    inputs = {
        "floats": raw,
        "values": xs_values,
        "mixed": [xs_values[0], raw[1], xs_values[2], raw[3], xs_values[4]],
        "numpy": np.array(raw),
        "tuple": tuple(raw),
    }[inputs_kind]
    bias = Value(0.25)

    expected = sum((wi * xi for wi, xi in zip(w, list(inputs))), bias)
    fused = dot(w, inputs, bias)
    assert structure(fused) == structure(expected)
    assert fused.data == expected.data

    (expected * expected).backward()
    grads_plain = [p.grad for p in w + [bias] + xs_values]
    for p in w + [bias] + xs_values:
        p.grad = 0.0
    (fused * fused).backward()
    assert [p.grad for p in w + [bias] + xs_values] == grads_plain
    assert any(g != 0.0 for g in grads_plain)


def test_dot_number_bias_and_number_weights_follow_python_dispatch():
    x = [Value(1.5), Value(-2.0)]
    # 0.5 * Value goes through Value.__rmul__: the constant is the left operand.
    expected = sum((wi * xi for wi, xi in zip([0.5, 3.0], x)), 1.0)
    fused = dot([0.5, 3.0], x, 1.0)
    assert structure(fused) == structure(expected)
    assert fused._prev[0]._op == "+" and fused._prev[1]._op == "*"


def test_dot_without_values_is_the_float_fold():
    assert dot([2.0, 3.0], [4, 5], 1) == 1 + 2.0 * 4 + 3.0 * 5
    assert isinstance(dot([2.0], [4.0], 1.0), float)


def test_dot_of_nothing_returns_the_bias_itself():
    b = Value(3.0)
    assert dot([], [], b) is b
    assert dot((), np.array([]), 2.5) == 2.5


def test_dot_defaults_to_zero_bias_like_sum():
    w, x = leaves_of(3, random.Random(1)), [1.0, 2.0, 3.0]
    assert structure(dot(w, x)) == structure(sum(wi * xi for wi, xi in zip(w, x)))


def test_dot_rejects_bad_arguments():
    w = [Value(1.0), Value(2.0)]
    with pytest.raises(ValueError, match="as many weights as inputs"):
        dot(w, [1.0], 0.0)
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a Value or a real number"):
        dot(w, [1.0, "x"], 0.0)
    with pytest.raises(TypeError, match="bias"):
        dot(w, [1.0, 2.0], "b")
    with pytest.raises(TypeError, match="sequence"):
        dot(w, 3.0, 0.0)
    with pytest.raises(TypeError, match="single Value"):
        dot(w, Value(1.0), 0.0)
    with pytest.raises(ValueError, match="1-d"):
        dot(w, np.ones((2, 1)), 0.0)
    with pytest.raises(TypeError):
        dot(w, [1.0, 2j], 0.0)


def test_dot_accepts_numpy_scalars_and_non_float64_rows():
    w = [Value(1.0), Value(2.0)]
    expected = sum((wi * xi for wi, xi in zip(w, [3.0, 4.0])), 0.5)
    assert dot(w, [np.float32(3.0), np.int64(4)], 0.5).data == expected.data
    assert dot(w, np.array([3, 4]), 0.5).data == expected.data
    assert dot(w, np.array([3.0, 4.0])[::1], np.float64(0.5)).data == expected.data


def test_vsum_matches_reduce_bit_for_bit():
    rng = random.Random(3)
    vals = leaves_of(6, rng)
    mixed = [vals[0], 0.1, vals[1], vals[2], 7.0, vals[3]]
    for start in (0.0, 0, Value(-1.0), 2.5):
        expected = functools.reduce(operator.add, mixed, start)
        fused = vsum(mixed, start)
        assert structure(fused) == structure(expected)
        fused.backward()
        g_fused = [v.grad for v in vals]
        for v in vals:
            v.grad = 0.0
        expected.backward()
        assert [v.grad for v in vals] == g_fused
        for v in vals:
            v.grad = 0.0


def test_vsum_is_sum_for_values_and_defaults():
    vals = leaves_of(4, random.Random(5))
    assert structure(vsum(vals)) == structure(sum(vals))
    assert vsum([]) == 0.0
    s = Value(1.0)
    assert vsum([], s) is s
    assert vsum(v for v in vals).data == sum(vals).data  # any iterable
    with pytest.raises(TypeError, match=r"values\[1\]"):
        vsum([vals[0], None])


def test_fused_ops_free_their_intermediate_nodes():
    w = leaves_of(16, random.Random(2))
    x = [0.5] * 16
    before = arenagrad.arena_stats()["live"]
    for _ in range(100):
        out = dot(w, x, w[0])
        del out
        vsum(w).backward()
    assert arenagrad.arena_stats()["live"] == before


def _mlp_forward(model, x, affine):
    for layer in model.layers:
        outs = []
        for n in layer.neurons:
            act = affine(n, x)
            outs.append(act.relu() if n.is_nonlinear else act)
        x = outs if len(outs) != 1 else outs[0]
    return x


def _python_sum(n, x):
    return sum((wi * xi for wi, xi in zip(n.weights, x)), n.bias)


def _fused_dot(n, x):
    return dot(n.weights, x, n.bias)


def test_fused_mlp_training_matches_plain_exactly():
    from arenagrad import data, losses, nn

    X, labels = data.make_moons(30, noise=0.1, seed=1)
    targets = [float(y) for y in labels]  # already -1/+1
    random.seed(4)
    plain = nn.MLP(2, [16, 16, 1])
    random.seed(4)
    fused = nn.MLP(2, [16, 16, 1])

    for _ in range(3):
        results = []
        for model, affine in ((plain, _python_sum), (fused, _fused_dot)):
            scores = [_mlp_forward(model, x, affine) for x in X]
            loss = losses.hinge(scores, targets) + losses.l2(model.parameters(), 1e-4)
            model.zero_grad()
            loss.backward()
            results.append((loss.data, [p.grad for p in model.parameters()]))
            for p in model.parameters():
                p.data -= 0.05 * p.grad
        assert results[0] == results[1]
    assert [p.data for p in plain.parameters()] == [p.data for p in fused.parameters()]


def test_nn_neuron_uses_the_fused_dot():
    nn = pytest.importorskip("arenagrad.nn")
    random.seed(8)
    neuron = nn.Neuron(3, is_nonlinear=False)
    x = [0.5, -1.0, 2.0]
    out = neuron(x)
    assert structure(out) == structure(_python_sum(neuron, x))
    with pytest.raises(ValueError, match="Neuron expects 3 inputs, got 2"):
        neuron([1.0, 2.0])


def test_keyword_arguments_and_signatures():
    import inspect

    w = [Value(1.0), Value(2.0)]
    assert str(inspect.signature(dot)) == "(weights, inputs, bias=0.0)"
    assert str(inspect.signature(vsum)) == "(values, start=0.0)"
    by_name = dot(weights=w, inputs=[3.0, 4.0], bias=0.5)
    assert structure(by_name) == structure(dot(w, [3.0, 4.0], 0.5))
    assert vsum(w, start=1.0).data == vsum(values=w, start=1.0).data == 4.0
    with pytest.raises(TypeError, match="missing required argument 'inputs'"):
        dot(w)
    with pytest.raises(TypeError, match="at most 3 arguments"):
        dot(w, w, 0.0, 1.0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'scale'"):
        dot(w, w, scale=2.0)
    with pytest.raises(TypeError, match="multiple values for argument 'weights'"):
        dot(w, w, weights=w)
    with pytest.raises(TypeError, match="missing required argument 'values'"):
        vsum()


def test_importing_arenagrad_does_not_import_numpy():
    import subprocess
    import sys

    code = "import sys, arenagrad; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_value_subclasses_are_values_to_dot():
    class Tagged(Value):
        pass

    w = [Tagged(2.0), Value(3.0)]
    f = arenagrad.compile(lambda x: x * 1.0)
    f(0.0)
    replayed = f(4.0)  # a CompiledValue, the C++ subclass
    out = dot(w, [replayed, 5.0], 1.0)
    assert out.data == 1.0 + 2.0 * 4.0 + 3.0 * 5.0
    out.backward()
    assert w[0].grad == 4.0 and w[1].grad == 5.0


def test_losses_built_with_fused_sums_match_python_sums_exactly():
    from arenagrad import losses

    def python_version(ws, scores, labels):
        terms = [(1 - y * s).relu() for s, y in zip(scores, labels)]
        squares = [w * w for w in ws]
        return sum(terms[1:], terms[0]) / len(terms) + 1e-4 * sum(squares[1:], squares[0])

    def run(build):
        ws = [Value(0.1 * k - 0.35) for k in range(8)]
        scores = [ws[k] * (k + 1) - ws[7 - k] for k in range(8)]
        labels = [1, -1, 1, 1, -1, -1, 1, -1]
        loss = build(ws, scores, labels)
        loss.backward()
        return loss.data, [w.grad for w in ws]

    fused = run(lambda ws, s, y: losses.hinge(s, y) + losses.l2(ws, 1e-4))
    assert fused == run(python_version)
