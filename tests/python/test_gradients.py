"""Composed expressions against central finite differences in float64 (each op alone
is checked generically over the table in test_op_table.py)."""

from __future__ import annotations

import math

import pytest
from arenagrad import Value
from conftest import assert_close, numeric_gradient

# name -> (expression over leaves, valid input point). Each expression only uses
# operators, so the same function runs on floats (for finite differences, with a
# float shim for the methods) and on Values.


class F(float):
    """A float with Value's method names, so one expression runs on both."""

    def _wrap(self, x):
        return F(x)

    def relu(self):
        return F(self if self > 0 else 0.0)

    def tanh(self):
        return F(math.tanh(self))

    def exp(self):
        return F(math.exp(self))

    def log(self):
        return F(math.log(self))

    def sigmoid(self):
        return F(1 / (1 + math.exp(-self)))

    def __add__(self, o):
        return F(float(self) + float(o))

    __radd__ = __add__

    def __sub__(self, o):
        return F(float(self) - float(o))

    def __rsub__(self, o):
        return F(float(o) - float(self))

    def __mul__(self, o):
        return F(float(self) * float(o))

    __rmul__ = __mul__

    def __truediv__(self, o):
        return F(float(self) / float(o))

    def __rtruediv__(self, o):
        return F(float(o) / float(self))

    def __pow__(self, o):
        return F(float(self) ** float(o))

    def __rpow__(self, o):
        return F(float(o) ** float(self))

    def __neg__(self):
        return F(-float(self))


CASES = {
    "add": (lambda a, b: a + b, [1.5, -2.0]),
    "sub": (lambda a, b: a - b, [1.5, -2.0]),
    "mul": (lambda a, b: a * b, [1.5, -2.0]),
    "div": (lambda a, b: a / b, [1.5, -2.0]),
    "pow_const": (lambda a: a**3, [-1.3]),
    "pow_fractional": (lambda a: a**-0.5, [2.2]),
    "pow_value": (lambda a, b: a**b, [1.7, 2.3]),
    "rpow": (lambda a: 2.0**a, [0.7]),
    "neg": (lambda a: -a, [0.7]),
    "relu_positive": (lambda a: a.relu(), [0.7]),
    "relu_negative": (lambda a: a.relu(), [-0.7]),
    "tanh": (lambda a: a.tanh(), [0.4]),
    "exp": (lambda a: a.exp(), [0.4]),
    "log": (lambda a: a.log(), [0.4]),
    "sigmoid": (lambda a: a.sigmoid(), [-0.4]),
    "constants_either_side": (lambda a: 3.0 - a * 2 + 1 / a - (2 + a) / 4.0, [0.8]),
    "a_times_a": (lambda a: a * a, [-1.25]),
    "a_plus_a": (lambda a: a + a, [-1.25]),
    "a_over_a": (lambda a: a / a, [-1.25]),
    "a_minus_a": (lambda a: a - a, [-1.25]),
    "a_pow_a": (lambda a: a**a, [1.25]),
    "shared_subexpression": (
        lambda a, b, c: (lambda s: s * s.tanh() + s.exp() / (1 + s.tanh() ** 2) - (s - a).relu())(
            a * b + c
        ),
        [0.3, -0.8, 0.5],
    ),
    "sum_builtin": (lambda a, b, c: sum([a * b, b * c, c * a]), [0.3, -0.8, 0.5]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_matches_finite_differences(name):
    f, point = CASES[name]
    leaves = [Value(x) for x in point]
    out = f(*leaves)
    out.backward()
    assert_close(out.data, f(*[F(x) for x in point]), 1e-12)
    expected = numeric_gradient(lambda p: float(f(*[F(x) for x in p])), point)
    for leaf, g in zip(leaves, expected):
        assert_close(leaf.grad, g)


def test_micrograd_readme_example():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert f"{g.data:.4f}" == "24.7041"
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


def test_subtraction_and_division_are_single_nodes():
    a, b = Value(6.0), Value(3.0)
    for c, ga, gb in [(a - b, 11.0, -11.0), (a / b, 11.0 / 3.0, -11.0 * 6.0 / 9.0)]:
        a.grad = b.grad = 0.0
        assert c._prev == (a, b)
        c.grad = 11.0
        c._backward()
        assert_close(a.grad, ga, 1e-15)
        assert_close(b.grad, gb, 1e-15)
