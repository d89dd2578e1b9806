"""micrograd's Value API and the seed's additions."""

from __future__ import annotations

import fractions
import math
import pickle

import arenagrad
import numpy as np
import pytest
from arenagrad import Value
from arenagrad.engine import Value as EngineValue


def test_import_paths_and_version():
    assert EngineValue is Value
    assert isinstance(arenagrad.__version__, str) and arenagrad.__version__.count(".") == 2


@pytest.mark.parametrize(
    "raw, stored",
    [(5.0, 5.0), (3, 3.0), (True, 1.0), (np.float32(2.5), 2.5), (np.int64(7), 7.0),
     (np.array(1.25), 1.25), (fractions.Fraction(1, 4), 0.25)],
)
def test_constructs_from_real_numbers(raw, stored):
    assert Value(raw).data == stored
    assert Value(data=raw).data == stored
    assert type(Value(raw).data) is float


@pytest.mark.parametrize("bad", ["1.0", None, 1j, [1.0], (1.0,), {}, np.array([1.0]), np.complex128(1)])
def test_rejects_non_real_with_type_error_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


def test_a_value_given_to_the_constructor_is_refused_with_what_to_write_instead():
    a = Value(2.0) * 3.0
    for call in (lambda: Value(a), lambda: Value(data=a), lambda: Value(a, (), "", "x")):
        with pytest.raises(TypeError, match=r"already a node.*Value\(v\.data\)"):
            call()
    assert (a.data, a._op, len(a._prev)) == (6.0, "*", 2)  # untouched
    assert Value(a.data).data == 6.0


def test_repr_is_python_float_repr():
    assert repr(Value(5.0)) == "Value(data=5.0, grad=0.0)"
    v = Value(0.1)
    v.grad = 1e-20
    assert repr(v) == "Value(data=0.1, grad=1e-20)"
    assert repr(Value(104.16666666666666)) == "Value(data=104.16666666666666, grad=0.0)"


def test_data_grad_label_are_writable():
    v = Value(1.0)
    assert v.grad == 0.0 and v.label == ""
    v.data, v.grad, v.label = 2, 3.5, "w"
    assert (v.data, v.grad, v.label) == (2.0, 3.5, "w")
    with pytest.raises(TypeError):
        v.data = "x"
    with pytest.raises(TypeError):
        v.grad = None
    assert (v.data, v.grad) == (2.0, 3.5)


def test_prev_is_operand_ordered_and_addresses_the_operands():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    assert c._prev == (a, b)
    assert {hash(p) for p in c._prev} == {hash(a), hash(b)}
    c._prev[1].grad = 9.0  # writes through to b
    assert b.grad == 9.0
    assert a._prev == ()
    d = a * a
    assert d._prev == (a, a)
    e = 2.0 - a
    assert e._prev[1] == a and e._prev[0].data == 2.0


def test_ops_and_symbols():
    a, b = Value(2.0), Value(3.0)
    cases = [
        (a + b, 5.0, "+"), (a - b, -1.0, "-"), (a * b, 6.0, "*"), (a / b, 2 / 3, "/"),
        (a**2, 4.0, "**2"), (a**0.5, math.sqrt(2), "**0.5"), (a**b, 8.0, "**"),
        (2**b, 8.0, "**"), (-a, -2.0, "neg"), ((-a).relu(), 0.0, "ReLU"),
        (a.tanh(), math.tanh(2), "tanh"), (a.exp(), math.exp(2), "exp"),
        (a.log(), math.log(2), "log"), (a.sigmoid(), 1 / (1 + math.exp(-2)), "sigmoid"),
        (a + 1, 3.0, "+"), (1 + a, 3.0, "+"), (a - 1, 1.0, "-"), (1 - a, -1.0, "-"),
        (a * 4, 8.0, "*"), (4 * a, 8.0, "*"), (a / 4, 0.5, "/"), (4 / a, 2.0, "/"),
    ]
    for value, data, op in cases:
        assert math.isclose(value.data, data, rel_tol=1e-15), (op, value)
        assert value._op == op
    assert a._op == ""


def test_augmented_assignment_rebinds_like_micrograd():
    a = Value(1.0)
    original = a
    a += 1
    assert a is not original and a.data == 2.0 and original.data == 1.0
    assert a._prev[0] == original


def test_sum_builtin():
    vals = [Value(float(i)) for i in range(5)]
    total = sum(vals)
    assert total.data == 10.0
    total.backward()
    assert all(v.grad == 1.0 for v in vals)


def test_identity_equality_and_hashing():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert a != 1.0 and not (a == 1.0)
    assert len({a, b, a}) == 2
    d = {a: "a"}
    assert d[(a * 2)._prev[0]] == "a"


def test_pickle_round_trip_keeps_data_grad_label():
    v = Value(3.25)
    v.grad, v.label = -1.5, "weight"
    w = pickle.loads(pickle.dumps(v))
    assert (w.data, w.grad, w.label) == (3.25, -1.5, "weight")
    assert w != v


def test_pow_with_modulus_is_a_type_error():
    with pytest.raises(TypeError):
        pow(Value(2.0), 3, 5)


def test_unsupported_operand_types_raise_type_error():
    a = Value(1.0)
    for bad in ["x", None, 1j, object()]:
        with pytest.raises(TypeError):
            a + bad
        with pytest.raises(TypeError):
            bad * a
