"""Every public entry point against every argument kind (tests/python/arg_kinds.py).

Each entry point is one row: how to call it with the argument under test, and its
plain-Python equivalent on the items that argument stands for. For every row and
every kind, the call must give the plain result (data, and gradients on the Value
leaves after backward) or raise the same exception type; afterwards no Value built
earlier has changed and the arena holds no more nodes than before.

Adding an entry point is one row in SEQUENCE_ENTRIES or SCALAR_ENTRIES.
"""

from __future__ import annotations

import functools
import gc
import math
import operator
from dataclasses import dataclass
from typing import Any, Callable

import arenagrad
import pytest
from arenagrad import Value, arena_stats, dot, losses, nn, optim, vsum
from arenagrad._core import sgd_step, zero_grads
from arenagrad.viz import to_dot
from arg_kinds import (
    SCALARS,
    SEQUENCE_KINDS,
    Kind,
    SubValue,
    number_of,
    outcome,
    plain_items,
    plain_real,
    same_number,
)

NUMBERS = [1.0, 2.0, 3.0, 5.0]
OTHER = [0.5, -1.5, 2.0, 0.25]


def fresh_leaves() -> list[Value]:
    leaves = [Value(x) for x in NUMBERS]
    for i, v in enumerate(leaves):
        v.grad = 0.5 * (i + 1)  # for the optimizer rows
    return leaves


def as_value(x: Any) -> Value:
    return x if isinstance(x, Value) else Value(x)


def plain_dot(w: list, x: list, bias: Any = 0.0) -> Any:
    if len(w) != len(x):
        raise ValueError("lengths differ")
    return functools.reduce(operator.add, (a * b for a, b in zip(w, x)), bias)


def only_values(items: list) -> list[Value]:
    for p in items:
        if not isinstance(p, Value):
            raise TypeError("parameters must be Values")
    return items


def plain_sgd(items: list, lr: float = 0.1) -> None:
    for p in only_values(items):
        p.data -= lr * p.grad


def plain_zero(items: list) -> None:
    for p in only_values(items):
        p.grad = 0.0


def plain_neuron(neuron: nn.Neuron, x: list) -> Value:
    act = plain_dot(neuron.weights, x, neuron.bias)
    return act.relu() if neuron.is_nonlinear else act


def plain_layer(layer: nn.Layer, x: list) -> Any:
    out = [plain_neuron(n, x) for n in layer.neurons]
    return out if len(out) != 1 else out[0]


def plain_mlp(mlp: nn.MLP, x: list) -> Any:
    for layer in mlp.layers:
        x = plain_layer(layer, x if isinstance(x, list) else [x])
    return x


def mean(terms: list) -> Any:
    if not terms:
        raise ValueError("empty")
    return functools.reduce(operator.add, terms) / len(terms)


NEURON = nn.Neuron(4)
LINEAR = nn.Neuron(4, is_nonlinear=False)
LAYER = nn.Layer(4, 3)
MLP = nn.MLP(4, [3, 1])
START = Value(0.25)


@dataclass(frozen=True)
class Entry:
    name: str
    call: Callable[[Any], Any]  # the entry point, given the argument under test
    plain: Callable[[list], Any]  # its plain-Python equivalent on plain_items(...)
    # Where a Sequence is documented, what a one-pass iterable (generator, map)
    # gets: "len" (TypeError before iterating) or "consumed" (the first pass uses
    # it up, later ones see it empty: ValueError unless iterating itself raised) or
    # "sample" (a model says it takes one sample, a list: TypeError, unless
    # iterating itself raised).
    one_pass: str | None = None
    # Takes Values only: numbers are not converted before the plain equivalent.
    values_only: bool = False
    # Implemented in C++, which reads a snapshot of the items. A Python-level loop
    # sees a list that its items' __float__ mutates as Python does, so there the
    # mutating kinds are only checked for a clean outcome.
    snapshot: bool = True
    # A Python operator: an array operand makes numpy dispatch it elementwise.
    operator: bool = False

    def __repr__(self) -> str:
        return self.name


SEQUENCE_ENTRIES = [
    Entry("vsum(values)", vsum, lambda xs: functools.reduce(operator.add, xs, 0.0)),
    Entry("vsum(values, start=Value)", lambda a: vsum(a, start=START),
          lambda xs: functools.reduce(operator.add, xs, START)),
    Entry("dot(weights, x)", lambda a: dot(a, OTHER), lambda xs: plain_dot(xs, OTHER)),
    Entry("dot(w, inputs, bias)", lambda a: dot(OTHER, a, START),
          lambda xs: plain_dot(OTHER, xs, START)),
    Entry("Neuron(x)", NEURON, lambda xs: plain_neuron(NEURON, xs)),
    Entry("linear Neuron(x)", LINEAR, lambda xs: plain_neuron(LINEAR, xs)),
    Entry("Layer(x)", LAYER, lambda xs: plain_layer(LAYER, xs), one_pass="sample"),
    Entry("MLP(x)", MLP, lambda xs: plain_mlp(MLP, xs), one_pass="sample"),
    Entry("losses.mse", lambda a: losses.mse(a, [0.5] * len(a)),
          lambda xs: mean([(as_value(p) - 0.5) ** 2 for p in xs]), one_pass="len",
          snapshot=False),
    Entry("losses.hinge", lambda a: losses.hinge(a, [1.0] * len(a)),
          lambda xs: mean([(1 - 1.0 * as_value(s)).relu() for s in xs]), one_pass="len",
          snapshot=False),
    Entry("losses.l2", lambda a: losses.l2(a, 0.5),
          lambda xs: 0.5 * functools.reduce(operator.add, [p * p for p in xs])),
    Entry("zero_grads(params)", zero_grads, plain_zero, values_only=True),
    Entry("sgd_step(params, lr)", lambda a: sgd_step(a, 0.1), plain_sgd, values_only=True),
    Entry("optim.SGD(params).step()", lambda a: optim.SGD(a, lr=0.1).step(), plain_sgd,
          values_only=True),
    Entry("optim.SGD(params).zero_grad()", lambda a: optim.SGD(a, lr=0.1).zero_grad(),
          plain_zero, values_only=True),
]


def kinds_for(values: bool) -> list[Kind]:
    return [k for k in SEQUENCE_KINDS if not (values and k.numbers_only)]


def root_of(result: Any) -> Value | None:
    if isinstance(result, Value):
        return result
    if isinstance(result, list) and result and all(isinstance(r, Value) for r in result):
        return functools.reduce(operator.add, result)
    return None


def run_once(entry: Entry, kind: Kind, use_values: bool, plain: bool):
    """(outcome, leaf data, leaf grads) of one call on fresh leaves."""
    leaves = fresh_leaves()
    items = leaves if use_values else list(NUMBERS)
    if plain:
        result = outcome(lambda: entry.plain(plain_items(kind, items, not entry.values_only)))
        if kind.one_pass and entry.one_pass == "len":
            result = ("raises", TypeError)
        elif kind.one_pass and entry.one_pass == "consumed" and result[0] == "ok":
            result = ("raises", ValueError)
        elif kind.one_pass and entry.one_pass == "sample" and result[0] == "ok":
            result = ("raises", TypeError)
    else:
        result = outcome(lambda: entry.call(kind.make(items)))
    grads = None
    if result[0] == "ok":
        root = root_of(result[1])
        if root is not None:
            for v in leaves:
                v.grad = 0.0
            root.backward()
            grads = [v.grad for v in leaves]
        result = ("ok", None if result[1] is None else number_of(result[1]))
    # Values made after the call must not land in the slots of these leaves.
    newcomers = [Value(100.0 + i) for i in range(16)]
    del newcomers
    return result, [v.data for v in leaves], grads


@pytest.mark.parametrize("use_values", [False, True], ids=["numbers", "values"])
@pytest.mark.parametrize("entry", SEQUENCE_ENTRIES, ids=repr)
def test_sequence_argument_kinds_behave_as_plain_python(entry: Entry, use_values: bool):
    gc.collect()
    baseline = arena_stats()["live"]
    mismatches = {}
    for kind in kinds_for(use_values):
        if kind.mutates and not entry.snapshot:
            run_once(entry, kind, use_values, plain=False)  # completes or raises
            continue
        expected = run_once(entry, kind, use_values, plain=True)
        actual = run_once(entry, kind, use_values, plain=False)
        (e_kind, e_val), e_data, e_grads = expected
        (a_kind, a_val), a_data, a_grads = actual
        same = (
            e_kind == a_kind
            and (e_val == a_val if e_kind == "raises" or e_val is None else same_number(e_val, a_val))
            and same_number(e_data, a_data)
            and (e_grads is None or same_number(e_grads, a_grads))
        )
        if not same:
            mismatches[kind.name] = {"expected": expected, "got": actual}
    gc.collect()
    assert arena_stats()["live"] <= baseline, "nodes leaked"
    assert not mismatches, mismatches


# --- scalar arguments --------------------------------------------------------------


def binary(op: Callable[[Any, Any], Any], left: bool) -> Entry:
    symbol = {operator.add: "+", operator.sub: "-", operator.mul: "*",
              operator.truediv: "/", operator.pow: "**"}[op]
    if left:
        return Entry(f"x {symbol} Value", lambda x: op(x, Value(2.0)),
                     lambda x: op(plain_real(x), 2.0), operator=True)
    return Entry(f"Value {symbol} x", lambda x: op(Value(2.0), x),
                 lambda x: op(2.0, plain_real(x)), operator=True)


def setter(field: str) -> Entry:
    def call(x: Any) -> float:
        v = Value(1.0)
        setattr(v, field, x)
        return getattr(v, field)

    return Entry(f"Value.{field} = x", call, plain_real)


def plain_pow(a: float, b: float) -> float:
    result = a**b
    if isinstance(result, complex):
        raise ValueError("complex result")
    return result


SCALAR_ENTRIES = [
    Entry("Value(x)", lambda x: Value(x).data, plain_real),
    Entry("SubValue(x)", lambda x: SubValue(x).data, plain_real),
    setter("data"),
    setter("grad"),
    *[binary(op, left) for op in (operator.add, operator.sub, operator.mul,
                                  operator.truediv) for left in (False, True)],
    Entry("Value ** x", lambda x: (Value(2.0) ** x).data,
          lambda x: plain_pow(2.0, plain_real(x)), operator=True),
    Entry("vsum([x])", lambda x: number_of(vsum([x])), lambda x: 0.0 + plain_real(x)),
    Entry("dot([Value], [x])", lambda x: dot([Value(2.0)], [x]).data,
          lambda x: 0.0 + 2.0 * plain_real(x)),
    Entry("dot bias=x", lambda x: number_of(dot([Value(2.0)], [1.0], x)),
          lambda x: plain_real(x) + 2.0),
    Entry("sgd_step([v], lr=x)", lambda x: (sgd_step([START], x), START.data)[1],
          lambda x: START.data - plain_real(x) * START.grad),
]

# An operator with an array operand is numpy's to dispatch (elementwise, as with
# a float): not arenagrad's entry point.
NUMPY_DISPATCH = {"numpy 1-element array"}


def python_result(call: Callable[[], Any]) -> tuple[str, Any]:
    got = outcome(call)
    if got[0] == "ok" and isinstance(got[1], (int, float)) and not isinstance(got[1], bool):
        return "ok", float(got[1])
    if got[0] == "ok" and isinstance(got[1], Value):
        return "ok", got[1].data
    return got


@pytest.mark.parametrize("entry", SCALAR_ENTRIES, ids=repr)
def test_scalar_argument_kinds_behave_as_plain_python(entry: Entry):
    gc.collect()
    baseline = arena_stats()["live"]
    START.data, START.grad = 0.25, 1.0
    mismatches = {}
    for name, x in SCALARS:
        if entry.operator and name in NUMPY_DISPATCH:
            continue
        expected = python_result(lambda: entry.plain(x))
        START.data = 0.25
        actual = python_result(lambda: entry.call(x))
        START.data = 0.25
        ok = expected[0] == actual[0] and (
            expected[1] == actual[1] if expected[0] == "raises"
            else same_number(expected[1], actual[1])
        )
        if not ok:
            mismatches[name] = {"expected": expected, "got": actual}
    gc.collect()
    assert arena_stats()["live"] <= baseline, "nodes leaked"
    assert not mismatches, mismatches


@pytest.mark.parametrize(("name", "x"), SCALARS, ids=[n for n, _ in SCALARS])
def test_empty_sum_returns_start_itself_once_it_is_valid(name: str, x: Any) -> None:
    expected = outcome(lambda: plain_real(x))
    for call in (lambda: vsum([], x), lambda: dot([], (), x)):
        got = outcome(call)
        if expected[0] == "ok":
            assert got == ("ok", x) and got[1] is x
        else:
            assert got == expected


@pytest.mark.parametrize("method", ["relu", "tanh", "exp", "log", "sigmoid"])
def test_zero_argument_methods_reject_every_argument_kind(method: str) -> None:
    v = Value(0.5)
    for _name, x in SCALARS:
        with pytest.raises(TypeError):
            getattr(v, method)(x)
    assert v.data == 0.5 and v._prev == ()


NON_STR = [(n, x) for n, x in SCALARS if not isinstance(x, str)]


@pytest.mark.parametrize(("name", "x"), NON_STR, ids=[n for n, _ in NON_STR])
def test_label_accepts_only_str(name: str, x: Any) -> None:
    v = Value(1.0)
    v.label = "keep"
    with pytest.raises(TypeError):
        v.label = x
    assert v.label == "keep"


def test_arena_stats_takes_no_arguments_and_counts_nodes() -> None:
    gc.collect()
    before = arena_stats()
    assert set(before) >= {"live", "capacity", "bytes_per_node"}
    keep = [Value(1.0) for _ in range(10)]
    assert arena_stats()["live"] == before["live"] + 10
    del keep
    gc.collect()
    assert arena_stats()["live"] == before["live"]
    with pytest.raises(TypeError):
        arena_stats(1)


# --- viz.to_dot and load_state_dict --------------------------------------------------


@pytest.mark.parametrize("label", ["nul\x00byte", "two\nlines", 'quo"te', "back\\slash",
                                   "{record|syntax}<port>", "tab\tbell\x07", "\r\x1b[31m",
                                   "line\u2028sep", "del\x7f"])
def test_to_dot_escapes_every_label_character(label: str) -> None:
    a = Value(1.5)
    a.label = label
    b = a * 2
    b.label = label
    text = to_dot(b)
    body = text[:-1]  # the final newline
    assert all(ch >= " " and ch not in "\x7f\u2028\u2029" for ch in body.replace("\n", "")), text
    # Every line is one DOT statement: no label broke out of its quotes.
    for line in body.splitlines()[2:-1]:
        assert line.endswith(";"), line
        quoted = line.split('label="', 1)[1] if 'label="' in line else '"];'
        unescaped = quoted.replace("\\\\", "").replace('\\"', "")
        assert unescaped.count('"') == 1, line


@pytest.mark.parametrize("root", [None, 1.0, "x", [Value(1.0)]])
def test_to_dot_rejects_what_is_not_a_value(root: Any) -> None:
    with pytest.raises(TypeError):
        to_dot(root)


def test_to_dot_accepts_value_subclasses() -> None:
    assert "data 1.0000" in to_dot(SubValue(1.0))


@pytest.mark.parametrize("bad", [10**400, "x", None, True, math.nan + 1j])
def test_load_state_dict_changes_nothing_unless_all_is_valid(bad: Any) -> None:
    model = nn.MLP(2, [2, 1])
    before = model.state_dict()
    state = {name: 0.5 for name in before}
    state[list(state)[-1]] = bad  # the last entry is the bad one
    with pytest.raises((TypeError, OverflowError, ValueError)):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_compile_is_covered_where_it_exists() -> None:
    # compile's own table lives with the replay tests; here only that it is public.
    assert callable(arenagrad.compile)
