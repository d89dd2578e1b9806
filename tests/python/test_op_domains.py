"""Domain edges of every op: the same exception type as Python's math (or float
arithmetic) raises, Python's float result where it returns inf or nan, in the dynamic
graph and in a compiled replay. A failing op leaves nothing in the arena."""

from __future__ import annotations

import gc
import math
import operator

import arenagrad
import pytest
from arenagrad import Value
from op_calls import OPS, call

INF, NAN = float("inf"), float("nan")
EDGES = [0.0, -0.0, 1.0, -1.0, 1.0 + 1e-15, -1.0 - 1e-15, 1e-300, -1e-300, 0.5, -0.5,
         709.0, 710.0, -710.0, 1e308, -1e308, INF, -INF, NAN]  # fmt: skip
PAIRS = [(a, b) for a in (0.0, -0.0, 1.0, -1.0, INF, -INF, NAN, 1e308)
         for b in (0.0, -0.0, 2.0, -2.0, INF, -INF, NAN, 0.5)]  # fmt: skip


def _float_pow(a, b):
    # float.__pow__ turns a negative base to a fractional power complex (or overflows
    # computing it); arenagrad stays real and raises ValueError, as math.pow does.
    if a < 0 and math.isfinite(a) and math.isfinite(b) and b != math.floor(b):
        raise ValueError("complex")
    return a**b


def _softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


# Python's reference for each table op: math's function, float arithmetic, or the
# formula where math has no function (those cannot raise).
REFERENCE = {
    "Add": operator.add, "Sub": operator.sub, "Mul": operator.mul,
    "Div": operator.truediv, "Pow": _float_pow, "Neg": operator.neg,
    "Abs": abs, "Relu": lambda x: x if x > 0 else 0.0 if x == x else x,
    "Sigmoid": None, "Softplus": None, "Silu": None, "Gelu": None,
    "LeakyRelu": None, "Elu": None, "Maximum": None, "Minimum": None, "Clamp": None,
    "PowConst": None,
}  # fmt: skip


def reference(op):
    name = op["name"]
    if name in REFERENCE:
        return REFERENCE[name]
    return getattr(math, op["python"])


def outcome(fn, *args):
    try:
        return ("ok", fn(*args))
    except (ValueError, OverflowError, ZeroDivisionError) as e:
        return ("raises", type(e))


def same(x, y):
    return (math.isnan(x) and math.isnan(y)) or x == y


MATH_OPS = [op for op in OPS if reference(op) is not None]


@pytest.mark.parametrize("op", MATH_OPS, ids=[op["name"] for op in MATH_OPS])
def test_errors_and_special_values_match_python(op):
    ref = reference(op)
    cases = PAIRS if op["arity"] == 2 else [(a, None) for a in EDGES]
    for a, b in cases:
        args = (a,) if b is None else (a, b)
        want = outcome(ref, *args)
        got = outcome(lambda *xs: call(op, *[Value(x) for x in xs]).data, *args)
        if want[0] == "raises":
            assert got == want, (op["name"], args, got, want)
        else:
            assert got[0] == "ok" and same(got[1], float(want[1])), (op["name"], args, got, want)


@pytest.mark.parametrize("k", [0.5, -1.0, 2.0, 3.5, -0.5, 1000.0])
def test_power_constant_edges_match_python(k):
    for a in EDGES:
        want = outcome(_float_pow, a, k)
        got = outcome(lambda x: (Value(x) ** k).data, a)
        if want[0] == "raises":
            assert got == want, (a, k, got, want)
        else:
            assert got[0] == "ok" and same(got[1], want[1]), (a, k, got, want)


def test_formula_ops_are_finite_across_the_doubles():
    for x in (1e308, -1e308, 700.0, -700.0, 1e-300, 0.0):
        assert math.isfinite(Value(x).softplus().data)
        assert math.isfinite(Value(x).sigmoid().data)
        assert math.isfinite(Value(x).silu().data)
        assert math.isfinite(Value(x).gelu().data)
        assert math.isfinite(Value(x).elu().data)
        assert math.isfinite(Value(x).leaky_relu().data)
    assert Value(1e308).softplus().data == 1e308
    assert Value(1.0).softplus().data == pytest.approx(_softplus(1.0), rel=1e-15)


def test_min_max_clamp_propagate_nan():
    assert math.isnan(arenagrad.maximum(NAN, 1.0))
    assert math.isnan(arenagrad.maximum(Value(1.0), NAN).data)
    assert math.isnan(arenagrad.minimum(Value(NAN), 1.0).data)
    assert math.isnan(Value(NAN).clamp(0.0, 1.0).data)


def test_clamp_with_lo_above_hi_is_a_value_error():
    with pytest.raises(ValueError, match="lo <= hi"):
        Value(0.5).clamp(2.0, 1.0)
    with pytest.raises(TypeError):
        Value(0.5).clamp(Value(0.0))
    with pytest.raises(TypeError):
        Value(0.5).clamp(0.0, 1.0, 2.0)
    with pytest.raises(TypeError):
        Value(0.5).clamp(low=0.0)


def test_failing_ops_leave_nothing_in_the_arena():
    x = Value(-2.0)
    gc.collect()  # earlier tests' cycles must not be collected mid-count
    before = arenagrad.arena_stats()["live"]
    for fn in (lambda: x.sqrt(), lambda: x.log2(), lambda: x.acosh(), lambda: x.atanh(),
               lambda: Value(1000.0).sinh(), lambda: x.clamp(1.0, 0.0),
               lambda: Value(INF).sin()):  # fmt: skip
        with pytest.raises((ValueError, OverflowError)):
            fn()
    assert arenagrad.arena_stats()["live"] == before


@pytest.mark.parametrize("op", MATH_OPS, ids=[op["name"] for op in MATH_OPS])
def test_replay_raises_the_same_error(op):
    ref = reference(op)
    if op["arity"] == 2:
        return _replay_binary(op, ref)
    f = arenagrad.compile(lambda x: call(op, x))
    f(Value(0.5 if op["domain"][0][0] < 0.5 < op["domain"][0][1] else 2.0))
    for a in EDGES:
        want = outcome(ref, a)
        got = outcome(lambda v: f(Value(v)).data, a)
        if want[0] == "raises":
            assert got == want, (op["name"], a, got, want)
        else:
            assert got[0] == "ok" and same(got[1], float(want[1])), (op["name"], a, got)


def _replay_binary(op, ref):
    f = arenagrad.compile(lambda x, y: call(op, x, y))
    f(Value(1.5), Value(2.0))
    for a, b in PAIRS:
        want = outcome(ref, a, b)
        got = outcome(lambda u, v: f(Value(u), Value(v)).data, a, b)
        if want[0] == "raises":
            assert got == want, (op["name"], a, b, got, want)
        else:
            assert got[0] == "ok" and same(got[1], float(want[1])), (op["name"], a, b, got)


def test_division_by_negative_zero_message():
    with pytest.raises(ZeroDivisionError, match=r"division by zero in 1 / \(-0\.0\)"):
        Value(1.0) / Value(-0.0)


def test_conversions_say_what_to_use():
    v = Value(0.5)
    for fn in (float, int, math.exp, math.sqrt):
        with pytest.raises(TypeError, match=r"v\.data"):
            fn(v)
    assert f"{v:.3f}" == "0.500" and f"{v}" == repr(v) and format(v, ">8.2f") == "    0.50"
    assert v.item() == 0.5 and isinstance(v.item(), float)
    assert (v < 1) is True and (v >= Value(0.5)) is True and (2 > v) is True
    values = [Value(3.0), Value(1.0), Value(2.0)]
    best = max(values)
    assert best is values[0] and [x.data for x in sorted(values)] == [1.0, 2.0, 3.0]
    assert (Value(1.0) == Value(1.0)) is False  # == stays node identity
    with pytest.raises(TypeError):
        v < "a"  # noqa: B015
