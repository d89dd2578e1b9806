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

Arguments (positional only): Values, real numbers (numpy scalars of any dtype
too), lists/tuples of them (nested up to 500 levels; deeper, or a list holding
itself, is a RecursionError) and numeric buffers: numpy arrays of any real dtype,
byte order, strides and shape, ``array.array``, ``memoryview``. ``str``,
``bytes`` and ``bytearray`` are a TypeError. Each scalar in them is an *argument
leaf*, rebound on every call; Values passed as arguments must be leaves
(``Value(x)``) and receive gradients like any leaf. While tracing, the function
receives every scalar position as a fresh leaf Value (numpy arrays become object
arrays of the same shape, other buffers nested lists), so it must only do
arithmetic on them; a Value argument that is also one of the function's
parameters (``f(w)`` for ``lambda x: x * w``) therefore stays both, and one
Value at several positions gets the sum of their gradients. The arguments'
*structure* (how many, which nesting, list lengths, array shapes) selects the
program; a new structure is traced anew (up to 8 programs are kept).

Other leaves the result depends on are classified once, when tracing: leaves that
something outside the graph still holds (a model's weights) are *parameters*, read
live on every call, so updating ``p.data`` between calls is seen; leaves only the
graph holds (the ``2.0`` of ``x * 2.0``) are *constants*, frozen at their traced
value.

The function returns one Value, or a tuple or list of Values (say the loss and the
scores an accuracy is computed from); every call returns the same shape, the first
one (which traces) too. Each result is an :class:`arenagrad.CompiledValue`, a real
``Value``: ``.data`` is the output, ``.backward()`` sets its grad to 1 and
accumulates into the parameters' and argument Values' ``.grad`` (leaves accumulate
until ``zero_grad()``, exactly as in the dynamic graph; the sums are applied in the
same order, so they are bit-identical after a ``zero_grad()``). An older result can
still be differentiated after newer calls (its forward is recomputed from a
snapshot of its leaf values). A forward fault (``log`` of a negative, a division by
zero) raises the same exception type as the dynamic graph. Copying or pickling a
result gives a plain ``Value`` with its data, grad and label.

A compiled function called while another one (or itself) is being traced runs as
plain Python, so its graph becomes part of the outer program. Threads may share
one compiled function: each call's state is its own.

What replay cannot capture -- everything that happened in Python rather than in
ops:

* control flow on ``.data`` (``if x.data > 0``, ``max`` of Values, early exits, the
  number of loop iterations depending on values): the branch taken while tracing
  is baked in. Branching inside an op is fine: ``relu`` re-decides on every replay;
* new parameters: the parameter set is fixed when tracing (``clear()`` retraces);
* Python-side numbers computed from arguments or parameters (``float(p.data)``,
  ``math.exp(x.data)``): frozen as constants;
* randomness drawn inside the function: frozen as constants;
* ops defined in Python (a node whose rule is not in the core's op table): the
  trace refuses them with a TypeError naming the node's ``_op``;
* interior graph of the result: a replay's result is a leaf of the dynamic graph,
  so ``result._prev`` is empty, and a graph built *on* a result
  (``result * 2``) stops at it when differentiated with ``backward()``. (A
  hand-written micrograd loop that calls every node's ``_backward()`` does reach
  through it: a result's ``_backward()`` sweeps its grad through the program.) Put
  the whole loss inside the compiled function.
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

    def __reduce_ex__(self, protocol: object) -> Any:
        # Its programs point into this process's arena. (Without this, protocols 0
        # and 1 went through copyreg and aborted in pybind11's instance allocation.)
        raise TypeError(
            "a compiled function cannot be copied or pickled; "
            "pickle the function itself and call arenagrad.compile on it again"
        )

    # Any: one Value, or a tuple/list of them, as the traced function returned;
    # a stub cannot know which, and a union would make every caller narrow it.
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
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
