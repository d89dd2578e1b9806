"""Hostile input: wrong types, special floats, domain errors, tampered pickles.

Every public entry point either returns Python's float/math answer (IEEE special
values included) or raises the exception type Python would, and a failed call leaves
everything built earlier untouched: data, grad, label, _prev and the arena's live
node count.
"""

from __future__ import annotations

import copyreg
import gc
import itertools
import math
import operator
import pickle
from fractions import Fraction
from typing import Any, Callable

import arenagrad
import numpy as np
import pytest
from arenagrad import Value
from child_cases import run_cases


class FloatRaises:
    """A number-like object whose conversion fails, as a broken user type might."""

    def __float__(self) -> float:
        raise RuntimeError("cannot convert FloatRaises")


class FloatReturnsStr:
    def __float__(self) -> Any:
        return "1.0"


class FakeArray:
    """Quacks like an array (ndim, shape) but with an ndim that is not an int."""

    ndim = "two"
    shape = ()

    def __float__(self) -> float:
        return 1.0


WRONG_TYPES = [
    "1.0",
    b"1.0",
    None,
    1j,
    np.complex128(1.0),
    [1.0],
    (1.0,),
    {1.0},
    {"data": 1.0},
    object(),
    np.array([1.0]),
    np.array([[1.0, 2.0]]),
    np.zeros((2, 0)),
    FloatReturnsStr(),
]

SPECIAL = [
    math.nan, math.inf, -math.inf, 0.0, -0.0, 1.0, -1.0, 2.0, -2.5, 0.5,
    1e308, -1e308, 5e-324, 400.0, 1e300, -1e300, 710.0, -745.5,
]  # fmt: skip


# --- snapshot of a graph built before the hostile call ------------------------------


class World:
    """A small graph, differentiated, whose state must survive any failed call."""

    def __init__(self) -> None:
        self.a = Value(2.0)
        self.b = Value(-3.0)
        self.a.label = "a"
        self.c = self.a * self.b + self.a
        self.c.backward()
        self.values = [self.a, self.b, self.c]
        self.before = self.state()

    def state(self) -> tuple:
        # Earlier tests leave cyclic garbage (tracebacks holding Values); collect it
        # so the live count reflects only what this test did.
        gc.collect()
        nodes = tuple(
            (v.data, v.grad, v.label, v._op, tuple(p.data for p in v._prev), v._prev)
            for v in self.values
        )
        return nodes, arenagrad.arena_stats()["live"]

    def assert_unchanged(self) -> None:
        assert self.state() == self.before


@pytest.fixture(name="world")
def fixture_world() -> World:
    return World()


# --- wrong types --------------------------------------------------------------------

BINARY_OPERATORS = [operator.add, operator.sub, operator.mul, operator.truediv,
                    operator.pow]  # fmt: skip
UNARY_METHODS = ["relu", "tanh", "exp", "log", "sigmoid", "backward", "_backward"]


def type_id(x: Any) -> str:
    return type(x).__name__ + (f"-ndim{x.ndim}" if isinstance(x, np.ndarray) else "")


@pytest.mark.parametrize("bad", WRONG_TYPES, ids=type_id)
def test_constructor_and_setters_reject_wrong_types(world: World, bad: Any) -> None:
    with pytest.raises(TypeError):
        Value(bad)
    with pytest.raises(TypeError):
        Value(data=bad)
    with pytest.raises(TypeError):
        world.a.data = bad
    with pytest.raises(TypeError):
        world.c.grad = bad
    world.assert_unchanged()


@pytest.mark.parametrize("bad", [None, 1.0, 3, ["a"], {"a": 1}], ids=type_id)
def test_label_must_be_a_str(world: World, bad: Any) -> None:
    with pytest.raises(TypeError):
        world.b.label = bad
    world.assert_unchanged()


@pytest.mark.parametrize("op", BINARY_OPERATORS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("bad", WRONG_TYPES, ids=type_id)
def test_binary_operators_reject_wrong_types(world: World, op: Callable, bad: Any) -> None:
    for call in (lambda: op(world.a, bad), lambda: op(bad, world.a)):
        if isinstance(bad, np.ndarray):
            # numpy takes over (Value returns NotImplemented): an object array of
            # Values, one per element, each computed by arenagrad. Not an error.
            result = call()
            assert isinstance(result, np.ndarray) and result.dtype == object
            assert result.shape == bad.shape
            assert all(isinstance(x, Value) for x in result.flat)
            del result
        else:
            with pytest.raises(TypeError):
                call()
    world.assert_unchanged()


@pytest.mark.parametrize("bad", WRONG_TYPES[:-1], ids=type_id)
def test_dunder_methods_return_not_implemented_for_wrong_types(bad: Any) -> None:
    v = Value(1.5)
    for name in ["__add__", "__sub__", "__mul__", "__truediv__", "__pow__",
                 "__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__rpow__"]:  # fmt: skip
        assert getattr(v, name)(bad) is NotImplemented, name


@pytest.mark.parametrize("method", UNARY_METHODS)
def test_zero_argument_methods_reject_arguments(world: World, method: str) -> None:
    with pytest.raises(TypeError):
        getattr(world.c, method)(1.0)
    world.assert_unchanged()


def test_unsupported_operations_are_type_errors(world: World) -> None:
    v = world.a
    for call in [lambda: v % 2, lambda: v // 2, lambda: v @ v,
                 lambda: ~v, lambda: pow(v, 2, 3),
                 lambda: pow(2, v, 3), lambda: Value(), lambda: Value(1.0, 2.0),
                 lambda: Value(dat=1.0), lambda: arenagrad.arena_stats(1)]:  # fmt: skip
        with pytest.raises(TypeError):
            call()
    world.assert_unchanged()


def test_float_conversion_errors_propagate_unchanged(world: World) -> None:
    # Like float(x) and math.exp(x): the object's own exception comes through.
    for call in [lambda: Value(FloatRaises()), lambda: world.a + FloatRaises(),
                 lambda: FloatRaises() * world.a, lambda: world.a ** FloatRaises(),
                 lambda: setattr(world.a, "data", FloatRaises())]:  # fmt: skip
        with pytest.raises(RuntimeError, match="cannot convert FloatRaises"):
            call()
    world.assert_unchanged()


def test_array_like_with_a_non_integer_ndim_is_a_type_error(world: World) -> None:
    # Core issue: convert.cpp casts `ndim` to long; a non-int ndim escapes as
    # pybind11's RuntimeError("Unable to cast ...") instead of a TypeError.
    with pytest.raises(TypeError):
        Value(FakeArray())
    with pytest.raises(TypeError):
        world.a + FakeArray()
    world.assert_unchanged()


@pytest.mark.parametrize(
    "number, expected",
    [(True, 1.0), (np.float32(0.5), 0.5), (np.int64(-3), -3.0), (np.array(2.5), 2.5),
     (Fraction(1, 4), 0.25)],  # fmt: skip
    ids=type_id,
)
def test_real_number_types_are_accepted(number: Any, expected: float) -> None:
    assert Value(number).data == expected
    assert (Value(1.0) + number).data == 1.0 + expected


# --- special floats and domain errors, differential against Python -----------------


def python_pow(a: float, b: float) -> float:
    # float ** float gives a complex for a negative base to a fractional power;
    # arenagrad is real-valued and raises ValueError there, as math.pow does.
    result = a**b
    if isinstance(result, complex):
        raise ValueError("complex result")
    return result


def python_sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


PYTHON_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul,
                 "/": operator.truediv, "**": python_pow}  # fmt: skip
PYTHON_UNARY = {"exp": math.exp, "log": math.log, "tanh": math.tanh,
                "sigmoid": python_sigmoid, "relu": lambda x: 0.0 if x <= 0.0 else x,
                "neg": operator.neg}  # fmt: skip


def outcome(call: Callable[[], Any]) -> str:
    """An exception type name or the exact float (repr keeps nan and -0.0 apart)."""
    try:
        result = call()
    except (ArithmeticError, ValueError) as error:
        return type(error).__name__
    return repr(result.data if isinstance(result, Value) else result)


@pytest.mark.parametrize("symbol", PYTHON_BINARY)
def test_binary_ops_on_special_values_match_python(symbol: str) -> None:
    op = PYTHON_BINARY[symbol]
    live = arenagrad.arena_stats()["live"]
    for a, b in itertools.product(SPECIAL, SPECIAL):
        expected = outcome(lambda: op(a, b))
        x, y = Value(a), Value(b)
        for form, call in [("Value op Value", lambda: op(x, y)),
                           ("Value op number", lambda: op(x, b)),
                           ("number op Value", lambda: op(a, y))]:  # fmt: skip
            assert outcome(call) == expected, (a, symbol, b, form)
        assert (x.data, y.data, x.grad, y.grad, x._prev) == (a, b, 0.0, 0.0, ()) or (
            math.isnan(a) or math.isnan(b)
        )
        del x, y
    assert arenagrad.arena_stats()["live"] == live


@pytest.mark.parametrize("name", PYTHON_UNARY)
def test_unary_ops_on_special_values_match_python(name: str) -> None:
    live = arenagrad.arena_stats()["live"]
    for a in SPECIAL:
        v = Value(a)
        got = outcome(lambda: -v if name == "neg" else getattr(v, name)())
        assert got == outcome(lambda: PYTHON_UNARY[name](a)), (name, a)
        del v
    assert arenagrad.arena_stats()["live"] == live


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda w: 1 / (w.a - w.a), ZeroDivisionError),
        (lambda w: w.c / 0, ZeroDivisionError),
        (lambda w: (w.a - w.a) ** -1, ZeroDivisionError),
        (lambda w: w.b.log(), ValueError),
        (lambda w: w.b ** 0.5, ValueError),
        (lambda w: w.b ** Value(0.5), ValueError),
        (lambda w: (w.a * 400).exp(), OverflowError),
        (lambda w: w.a ** 5000, OverflowError),
        (lambda w: w.a ** Value(5000.0), OverflowError),
        (lambda w: 10.0 ** (w.a * 200), OverflowError),
        (lambda w: Value(10**400), OverflowError),
        (lambda w: w.a + 10**400, OverflowError),
        (lambda w: 10**400 * w.a, OverflowError),
        (lambda w: w.a ** 10**400, OverflowError),
        (lambda w: setattr(w.a, "grad", -(10**400)), OverflowError),
    ],
    ids=lambda x: "" if callable(x) else x.__name__,
)
def test_failed_ops_raise_and_leave_the_graph_unchanged(
    world: World, call: Callable[[World], Any], error: type
) -> None:
    # Intermediates built inside the lambda (w.a - w.a) die with the failure too.
    with pytest.raises(error):
        call(world)
    world.assert_unchanged()


def test_nan_and_inf_flow_through_backward_without_error() -> None:
    x = Value(math.inf)
    y = Value(math.nan)
    loss = (x * 0.0 + y).tanh() + x.sigmoid()
    loss.backward()
    assert math.isnan(loss.data)
    assert math.isnan(x.grad) and math.isnan(y.grad)


# --- pickling -----------------------------------------------------------------------


class TamperedValue:
    """Pickles exactly as a Value would, but with whatever state the test chooses."""

    def __init__(self, state: Any) -> None:
        self.state = state

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # pickle checks the class matches __newobj__'s
        return Value

    def __reduce__(self) -> tuple:
        return (copyreg.__newobj__, (Value,), self.state)


@pytest.mark.parametrize(
    "state",
    [(), (1.0,), (1.0, 0.0), (1.0, 0.0, "", 4), ("1", 0.0, ""), (1.0, "0", ""),
     (1.0, 0.0, 7), (None, None, None), (1j, 0.0, ""), [1.0, 0.0, ""],
     {"data": 1.0}, "state", 5],  # fmt: skip
    ids=repr,
)
def test_unpickling_tampered_state_fails_cleanly(state: Any) -> None:
    gc.collect()
    live = arenagrad.arena_stats()["live"]
    blob = pickle.dumps(TamperedValue(state))
    with pytest.raises((TypeError, ValueError)):
        pickle.loads(blob)
    assert arenagrad.arena_stats()["live"] == live


def test_unpickling_a_label_that_cannot_be_utf8_fails_cleanly() -> None:
    # Core issue: set_state casts the label with .cast<std::string>(), which raises
    # pybind11's RuntimeError for a lone surrogate; Python raises
    # UnicodeEncodeError (a ValueError) when such a str is encoded.
    blob = pickle.dumps(TamperedValue((1.0, 0.0, "\ud800")))
    with pytest.raises((TypeError, ValueError)):
        pickle.loads(blob)


def test_pickle_round_trip_of_special_values() -> None:
    for x in [math.inf, -math.inf, -0.0, 5e-324]:
        v = Value(x)
        v.grad = -x
        back = pickle.loads(pickle.dumps(v))
        assert (repr(back.data), repr(back.grad)) == (repr(x), repr(-x))
    back = pickle.loads(pickle.dumps(Value(math.nan)))
    assert math.isnan(back.data)


# --- uninitialised instances --------------------------------------------------------

UNINITIALISED_USES = ["repr(u)", "u.data", "u.grad", "u.label", "u._prev", "u._op",
                      "u + 1", "1 - u", "u * u", "-u", "u.relu()", "u.backward()",
                      "u.__getstate__()", "u.data = 1.0"]  # fmt: skip


def test_value_made_by_new_without_init_raises_instead_of_crashing() -> None:
    # Value.__new__(Value) (what pickle and copy call first) yields an object whose
    # C++ part was never constructed; every use must raise, not read it. The uses
    # run in child interpreters (one for all, a new one after any crash).
    cases = {
        use: f"""
            u = Value.__new__(Value)
            try:
                {use}
            except (TypeError, ValueError, RuntimeError) as error:
                result = "raised " + type(error).__name__
            else:
                result = "no error"
        """
        for use in UNINITIALISED_USES
    }
    outcomes = run_cases("from arenagrad import Value", cases)
    crashed = {use: got for use, got in outcomes.items()
               if got[0] != "ok" or not got[1].startswith("'raised")}
    assert not crashed, f"no clean exception for: {crashed}"
