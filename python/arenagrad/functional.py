"""Derivatives as values: ``grad``, ``jacobian``, ``hessian`` and ``hvp``.

``grad`` runs the core's reverse sweep (cpp/src/grad.cpp) with adjoints kept on the
side, so no ``.grad`` field is read or written. With ``create_graph=True`` the
derivatives are nodes of the graph, built from the op table's graph-form rules, and
can be differentiated again to any order::

    x = Value(3.0)
    (dy,) = grad(x**3, [x], create_graph=True)   # 3x^2 = 27, a node
    (d2y,) = grad(dy, [x])                        # 6x = 18
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Real
from typing import Callable, Union

from . import _core
from ._core import Value

Number = Union[int, float]
Outputs = Union[Value, Iterable[Value]]


def _values(items: object, what: str) -> list[Value]:
    if isinstance(items, Value):
        return [items]
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        kind = type(items).__name__
        raise TypeError(f"{what} must be a Value or a sequence of Values, not {kind!r}")
    out = list(items)
    for i, v in enumerate(out):
        if not isinstance(v, Value):
            raise TypeError(f"{what}[{i}] must be a Value, not {type(v).__name__!r}")
    return out


def grad(
    outputs: Outputs,
    inputs: Outputs,
    grad_outputs: object = None,
    create_graph: bool = False,
) -> list[Value]:
    """d(sum of seed * output) / d(input) for each input, as a list of Values.

    ``outputs``: a Value or a sequence (any iterable) of Values; ``inputs``: a
    sequence of Values, leaves or interior nodes; ``grad_outputs``: one seed per
    output (numbers or Values), 1.0 each by default. An input the outputs do not
    depend on gets 0.0. No ``.grad`` field is read or written.

    Without ``create_graph`` the results are new leaves, with exactly the numbers
    ``backward()`` would add to the inputs' ``.grad``. With it they are nodes of the
    graph whose ``_prev`` lead back to the inputs: ``grad`` them again for higher
    orders, or call ``.backward()`` on an expression of them. A Python-defined op in
    the graph is a TypeError (its rule is Python code, not ops).
    """
    if not isinstance(create_graph, bool):
        kind = type(create_graph).__name__
        raise TypeError(f"create_graph must be True or False, not {kind!r}")
    outs = _values(outputs, "outputs")
    if not outs:
        raise ValueError("grad() needs at least one output")
    ins = _values(inputs, "inputs")
    if grad_outputs is None:
        seeds: list[object] = [1.0] * len(outs)
    else:
        if isinstance(grad_outputs, Value) or not isinstance(grad_outputs, Iterable):
            grad_outputs = [grad_outputs]
        seeds = list(grad_outputs)
        if len(seeds) != len(outs):
            raise ValueError(
                f"grad_outputs has {len(seeds)} seeds for {len(outs)} outputs"
            )
    return _core.grad(outs, seeds, ins, create_graph)


def _leaves(xs: Iterable[Union[Number, Value]]) -> list[Value]:
    if isinstance(xs, (Value, Real)):
        xs = [xs]
    out = []
    for i, x in enumerate(xs):
        if isinstance(x, Value):
            out.append(x)
        elif isinstance(x, Real) and not isinstance(x, bool):
            out.append(Value(float(x)))
        else:
            raise TypeError(
                f"xs[{i}] must be a number or a Value, not {type(x).__name__!r}"
            )
    return out


def _call(fn: Callable[..., object], xs: list[Value]) -> list[Value]:
    result = fn(*xs)
    return _values(result, "fn's result")


def _scalar(fn: Callable[..., object], xs: list[Value]) -> Value:
    result = fn(*xs)
    if not isinstance(result, Value):
        raise TypeError(f"fn must return one Value here, not {type(result).__name__!r}")
    return result


def jacobian(
    fn: Callable[..., object], xs: Iterable[Union[Number, Value]]
) -> list[list[float]]:
    """J[i][j] = d fn(*xs)[i] / d xs[j], a list of rows (one row when fn returns a Value).

    ``fn`` takes one Value per element of ``xs`` and returns a Value or a sequence of
    Values; numbers in ``xs`` become new leaves.
    """
    leaves = _leaves(xs)
    return [[g.data for g in grad(f, leaves)] for f in _call(fn, leaves)]


def hessian(
    fn: Callable[..., Value], xs: Iterable[Union[Number, Value]]
) -> list[list[float]]:
    """H[i][j] = d^2 fn(*xs) / d xs[i] d xs[j], one reverse sweep per row."""
    leaves = _leaves(xs)
    first = grad(_scalar(fn, leaves), leaves, create_graph=True)
    return [[h.data for h in grad(g, leaves)] for g in first]


def hvp(
    fn: Callable[..., Value], xs: Iterable[Union[Number, Value]], v: Sequence[float]
) -> list[float]:
    """The Hessian of fn at xs times the vector v, without forming the Hessian.

    Reverse over reverse: one create_graph sweep for the gradient, then one plain
    sweep of sum_i v[i] * grad_i, about the cost of a few gradients.
    """
    leaves = _leaves(xs)
    vector = list(v)
    if len(vector) != len(leaves):
        raise ValueError(f"v has {len(vector)} entries for {len(leaves)} inputs")
    first = grad(_scalar(fn, leaves), leaves, create_graph=True)
    return [h.data for h in grad(first, leaves, grad_outputs=vector)]
