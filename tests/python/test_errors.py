"""DESIGN invariant 6: Python float semantics for errors, graph left unchanged."""

from __future__ import annotations

import gc
import math

import pytest
from arenagrad import Value, arena_stats

CASES = [
    (lambda v: v / 0, 1.0, ZeroDivisionError, lambda: 1.0 / 0),
    (lambda v: 1 / v, 0.0, ZeroDivisionError, lambda: 1 / 0.0),
    (lambda v: v / v, 0.0, ZeroDivisionError, lambda: 0.0 / 0.0),
    (lambda v: v.log(), -1.0, ValueError, lambda: math.log(-1)),
    (lambda v: v.log(), 0.0, ValueError, lambda: math.log(0)),
    (lambda v: v.exp(), 1000.0, OverflowError, lambda: math.exp(1000)),
    (lambda v: v**-1, 0.0, ZeroDivisionError, lambda: 0.0**-1),
    (lambda v: v**1000, 10.0, OverflowError, lambda: 10.0**1000),
    (lambda v: v ** Value(1000), 10.0, OverflowError, lambda: 10.0**1000),
    (lambda v: 10 ** v, 1000.0, OverflowError, lambda: 10.0**1000),
    (lambda v: v**0.5, -1.0, ValueError, lambda: math.pow(-1.0, 0.5)),
]


@pytest.mark.parametrize("index", range(len(CASES)))
def test_same_exception_type_as_python_and_graph_unchanged(index):
    op, x, error, python_equivalent = CASES[index]
    with pytest.raises(error):
        python_equivalent()
    v = Value(x)
    keep = v * 2
    keep.backward()
    gc.collect()  # so earlier tests' garbage is not freed mid-comparison
    gc.disable()
    try:
        before = (arena_stats(), v.data, v.grad, keep.data, keep._prev)
        with pytest.raises(error):
            op(v)
        after = (arena_stats(), v.data, v.grad, keep.data, keep._prev)
    finally:
        gc.enable()
    assert after == before


def test_messages_name_the_op_and_operands():
    with pytest.raises(ZeroDivisionError, match=r"3 / 0"):
        Value(3.0) / 0
    with pytest.raises(ValueError, match=r"log\(-2\)"):
        Value(-2.0).log()
    with pytest.raises(OverflowError, match=r"exp\(800\)"):
        Value(800.0).exp()


def test_ieee_results_where_python_float_gives_them():
    assert math.isinf((Value(1e308) * 10).data)  # 1e308 * 10 is inf in Python too
    assert math.isinf(Value(float("inf")).exp().data)
    assert math.isnan(Value(float("nan")).log().data)
    assert Value(-1000.0).exp().data == 0.0


def test_int_too_large_for_a_float():
    with pytest.raises(OverflowError):
        Value(10**400)
    with pytest.raises(OverflowError):
        Value(1.0) + 10**400
