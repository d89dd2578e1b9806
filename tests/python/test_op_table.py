"""Every op of the table (arenagrad.ops()) against central finite differences, in the
dynamic graph, through _backward(), inside fused vsum/dot and in a compiled replay.
The cases are generated from the table: an op added to ops.def is checked here."""

from __future__ import annotations

import re
from pathlib import Path

import arenagrad
import pytest
from arenagrad import Value
from op_calls import OPS, call, close, numeric_partials, sample

IDS = [op["name"] for op in OPS]
BINARY = [op for op in OPS if op["arity"] == 2 and op["name"] != "Clamp"]


def leaves(a, b):
    return Value(a), (None if b is None else Value(b))


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_backward_matches_finite_differences(op):
    for a, b, k in sample(op, seed=1):
        x, y = leaves(a, b)
        out = call(op, x, y, k)
        out.backward()
        da, db = numeric_partials(op, a, b, k)
        assert close(x.grad, da), (op["name"], a, b, k, x.grad, da)
        if y is not None:
            assert close(y.grad, db), (op["name"], a, b, k, y.grad, db)


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_local_backward_matches_finite_differences(op):
    for a, b, k in sample(op, count=3, seed=2):
        x, y = leaves(a, b)
        out = call(op, x, y, k)
        out.grad = 3.0
        out._backward()
        da, db = numeric_partials(op, a, b, k)
        assert close(x.grad, 3.0 * da), (op["name"], a, b, k)
        if y is not None:
            assert close(y.grad, 3.0 * db), (op["name"], a, b, k)


@pytest.mark.parametrize("op", BINARY, ids=[op["name"] for op in BINARY])
def test_numbers_on_either_side(op):
    for a, b, k in sample(op, count=3, seed=3):
        x, y = leaves(a, b)
        left, right = call(op, x, b, k), call(op, a, y, k)
        left.backward()
        right.backward()
        da, db = numeric_partials(op, a, b, k)
        assert close(x.grad, da) and close(y.grad, db), (op["name"], a, b)
        assert left.data == right.data == call(op, x, y, k).data


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_inside_fused_sum_and_dot(op):
    for a, b, k in sample(op, count=3, seed=4):
        x, y = leaves(a, b)
        w = Value(0.7)
        total = arenagrad.dot([w, 2.0], [call(op, x, y, k), call(op, x, y, k)], 0.5)
        total = arenagrad.vsum([total, call(op, x, y, k)])
        total.backward()
        da, db = numeric_partials(op, a, b, k)
        assert close(x.grad, (0.7 + 2.0 + 1.0) * da), (op["name"], a, b, k)
        if y is not None:
            assert close(y.grad, 3.7 * db), (op["name"], a, b, k)


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_compiled_replay_matches_finite_differences(op):
    points = sample(op, count=4, seed=5)
    for k in {repr(p[2]): p[2] for p in points}.values():
        at_k = [p for p in points if p[2] == k]
        binary = at_k[0][1] is not None
        f = arenagrad.compile(lambda x, y: call(op, x, y if binary else None, k) * 1.0)
        f(Value(at_k[0][0]), Value(at_k[0][1]) if binary else 0.0)  # trace at the first point
        for a, b, _ in at_k:
            x, y = leaves(a, b)
            out = f(x, y if binary else 0.0)
            assert close(out.data, call(op, Value(a), None if b is None else Value(b), k).data, 1e-15)
            out.backward()
            da, db = numeric_partials(op, a, b, k)
            assert close(x.grad, da), (op["name"], a, b, k, x.grad, da)
            if binary:
                assert close(y.grad, db), (op["name"], a, b, k)


def test_every_table_op_is_reachable_and_documented():
    # A new kind or a missing method fails here rather than being skipped silently.
    for op in OPS:
        for a, b, k in sample(op, count=1, seed=6):
            assert isinstance(call(op, Value(a), None if b is None else Value(b), k), Value)
        if op["kind"] == "method":
            assert getattr(Value, op["python"]).__doc__.startswith(op["python"] + "(")
        if op["kind"] == "function":
            assert getattr(arenagrad, op["python"]).__doc__


def test_op_names_show_in_op_and_drawings():
    for op in OPS:
        a, b, k = sample(op, count=1, seed=7)[0]
        out = call(op, Value(a), None if b is None else Value(b), k)
        if op["kind"] != "operator":
            assert out._op == op["symbol"], op["name"]
        from arenagrad import viz

        assert f'label="{out._op}"' in viz.to_dot(out)


def test_readme_op_table_lists_every_op_with_its_convention():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme.split("<!-- ops:start -->")[1].split("<!-- ops:end -->")[0]
    assert block.strip() == readme_table().strip(), "regenerate: python -m arenagrad.optable"


def readme_table() -> str:
    from arenagrad.optable import markdown_table

    return markdown_table()


def test_kink_conventions_follow_pytorch():
    def grad_at(fn, *xs):
        vs = [Value(x) for x in xs]
        fn(*vs).backward()
        return [v.grad for v in vs]

    assert grad_at(lambda v: abs(v), 0.0) == [0.0]
    assert grad_at(lambda v: v.relu(), 0.0) == [0.0]
    assert grad_at(lambda v: v.leaky_relu(0.2), 0.0) == [0.2]
    assert grad_at(lambda v: v.elu(0.5), 0.0) == [0.5]
    assert grad_at(lambda a, b: arenagrad.maximum(a, b), 1.0, 1.0) == [0.5, 0.5]
    assert grad_at(lambda a, b: arenagrad.minimum(a, b), 1.0, 1.0) == [0.5, 0.5]
    assert grad_at(lambda v: v.clamp(-1.0, 2.0), -1.0) == [1.0]
    assert grad_at(lambda v: v.clamp(-1.0, 2.0), 2.0) == [1.0]
    assert grad_at(lambda v: v.clamp(-1.0, 2.0), 2.5) == [0.0]
    assert grad_at(lambda v: v.sqrt(), 0.0) == [float("inf")]
    for op in OPS:
        assert re.match(r"^[^\n]*$", op["convention"])


def test_numpy_object_arrays_find_the_methods():
    import numpy as np

    xs = [Value(0.2), Value(-0.4), Value(0.7)]
    arr = np.array(xs, dtype=object)
    for ufunc, method in [(np.sin, "sin"), (np.arcsin, "asin"), (np.arctan, "atan"),
                          (np.sqrt, None), (np.abs, "abs"), (np.exp, "exp"), (np.tanh, "tanh"),
                          (np.log1p, "log1p"), (np.expm1, "expm1"), (np.cosh, "cosh")]:  # fmt: skip
        if ufunc is np.sqrt:
            out = ufunc(np.abs(arr))
            expected = [abs(x.data) ** 0.5 for x in xs]
        else:
            out = ufunc(arr)
            expected = [getattr(Value(x.data), method)().data for x in xs]
        assert all(isinstance(o, Value) for o in out), ufunc
        assert [o.data for o in out] == pytest.approx(expected, rel=1e-15), ufunc
    total = np.sum(np.sin(arr) * np.float64(2.0)) + np.dot(arr, np.array([1.0, 2.0, 3.0]))
    assert isinstance(total, Value) and isinstance(np.float64(2) * xs[0], Value)
    total.backward()
    for x, w in zip(xs, (1.0, 2.0, 3.0)):
        assert close(x.grad, 2.0 * np.cos(x.data) + w)
    assert isinstance(np.maximum(arr, 0.0)[0], Value)  # np.maximum compares with <, >
