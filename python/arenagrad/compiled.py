"""``arenagrad.compile``: trace a loss function once, then replay it in C++.

A training step rebuilds the same graph every time with new numbers in it. The
first call of a compiled function runs it for real and copies the graph its result
depends on into a flat program (ops over contiguous slots, in topological order).
Later calls with arguments of the same structure only copy the new leaf values in
and run the program forward in C++; ``backward()`` on the result runs the reverse
sweep in C++ and adds gradients to the real leaves, so a training loop is unchanged::

    step = arenagrad.compile(lambda X, y: loss(model, X, y))
    for k in range(100):
        total = step(X, y)        # first call traces, later calls replay
        model.zero_grad()
        total.backward()          # parameters' .grad, as with the dynamic graph
        for p in model.parameters():
            p.data -= 0.05 * p.grad

Arguments (positional only): Values, real numbers, lists/tuples of them (nested to
any depth) and numeric numpy arrays. Each scalar in them is an *argument leaf*,
rebound on every call; Values passed as arguments must be leaves (``Value(x)``) and
receive gradients like any leaf. When tracing, numbers (and arrays, which become
object arrays of Values) are handed to the function as fresh leaf Values, so the
function must only do arithmetic on them. The arguments' *structure* (how many,
which nesting, list lengths, array shapes) selects the program; a new structure is
traced anew (up to 8 programs are kept).

Other leaves the result depends on are classified once, when tracing: leaves that
something outside the graph still holds (a model's weights) are *parameters*, read
live on every call, so updating ``p.data`` between calls is seen; leaves only the
graph holds (the ``2.0`` of ``x * 2.0``) are *constants*, frozen at their traced
value.

The function returns one Value, or a tuple or list of Values (say the loss and the
scores an accuracy is computed from); a replay returns the same shape. Each result
is an :class:`arenagrad.CompiledValue`, a real ``Value``:
``.data`` is the output, ``.backward()`` sets its grad to 1 and accumulates into the
parameters' and argument Values' ``.grad`` (leaves accumulate until ``zero_grad()``,
exactly as in the dynamic graph; the sums are applied in the same order, so they are
bit-identical after a ``zero_grad()``). An older result can still be
differentiated after newer calls (its forward is recomputed from a snapshot of its
leaf values). A forward fault (``log`` of a negative, a division by zero) raises the
same exception type as the dynamic graph.

What replay cannot capture -- everything that happened in Python rather than in
ops:

* control flow on ``.data`` (``if x.data > 0``, ``max`` of Values, early exits, the
  number of loop iterations depending on values): the branch taken while tracing
  is baked in. Branching inside an op is fine: ``relu`` re-decides on every replay;
* new parameters: the parameter set is fixed when tracing (``clear()`` retraces);
* Python-side numbers computed from arguments or parameters (``float(p.data)``,
  ``math.exp(x.data)``): frozen as constants;
* randomness drawn inside the function: frozen as constants;
* interior graph of the result: a replay's result is a leaf of the dynamic graph,
  so ``result._prev`` is empty, and a graph built *on* a result
  (``result * 2``) stops at it when differentiated. Put the whole loss inside the
  compiled function.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, Union

from ._core import Value, _CompiledFunction, _PendingTrace, set_grad_enabled

Result = Union[Value, "tuple[Value, ...]", "list[Value]"]

# Per thread: how many compiled functions are being traced right now. A compiled
# function called while one is traced (nested, or calling itself) runs as plain
# Python, so its graph becomes part of the outer trace instead of a frozen result.
_tracing = threading.local()


class CompiledFunction(_CompiledFunction):
    """A function traced into a replayable program; see :func:`compile`.

    ``trace_count`` is the number of programs cached, ``program_stats`` the sizes
    of the last one used, ``clear()`` forgets them all (the next call traces).
    """

    def __init__(self, fn: Callable[..., Result]):
        if not callable(fn):
            raise TypeError(f"compile() needs a callable, not {type(fn).__name__!r}")
        super().__init__()
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Result:
        if kwargs:
            raise TypeError("a compiled function takes positional arguments only")
        depth = getattr(_tracing, "depth", 0)
        if depth:
            return self.__wrapped__(*args)
        result = self._call(args)
        if type(result) is not _PendingTrace:
            return result
        # First call for this structure: run the function on fresh leaves, one per
        # scalar, and hand its graph down to be recorded and replayed.
        _tracing.depth = depth + 1
        previous = set_grad_enabled(True)  # a trace under no_grad would record nothing
        try:
            traced = self.__wrapped__(*result.arguments)
        finally:
            set_grad_enabled(previous)
            _tracing.depth = depth
        return self._record(result, traced)


def compile(fn: Callable[..., Result]) -> CompiledFunction:  # noqa: A001 (the API name)
    """Return ``fn`` compiled: traced on first use, replayed in C++ afterwards.

    ``fn`` takes positional arguments (Values, numbers, nested lists/tuples of
    them, numeric numpy arrays, ``array.array``, ``memoryview``) and returns one
    ``Value`` or a tuple/list of them. See this module's docstring for what a
    replay can and cannot capture.
    """
    return CompiledFunction(fn)


__all__ = ["CompiledFunction", "compile"]
