"""``no_grad``: run ops without recording a graph (evaluation, plotting, updates).

Inside ``with arenagrad.no_grad():`` (or a function decorated with
``@arenagrad.no_grad()``) every op still computes its value and raises Python's
errors, but its result is a leaf holding the value: no children are kept, so
nothing can be differentiated through it and each op costs less. Blocks nest;
leaving one (also by an exception) restores the setting it found.

The setting belongs to the arena, of which a process has one: it is process-wide,
not per thread, so a ``no_grad`` block in one thread also stops recording in every
other thread while it lasts. Keep training and ``no_grad`` evaluation in one
thread, or evaluate between steps.

``arenagrad.compile``: a replay runs its recorded program whatever the setting,
and its result can be differentiated; the first call, which traces by running
the function, lifts ``no_grad`` for the trace so the graph is recorded.
"""

from __future__ import annotations

import functools
from types import TracebackType
from typing import Any, Callable, Optional, TypeVar, cast

from ._core import is_grad_enabled, set_grad_enabled

F = TypeVar("F", bound=Callable[..., Any])


class no_grad:  # noqa: N801 (named like the function form people know from PyTorch)
    """Context manager and decorator: ops inside record no graph."""

    def __init__(self) -> None:
        self._saved: list[bool] = []  # a stack, so one object can be re-entered

    def __enter__(self) -> None:
        self._saved.append(set_grad_enabled(False))

    def __exit__(
        self,
        kind: Optional[type[BaseException]],
        error: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        set_grad_enabled(self._saved.pop())

    def __call__(self, fn: F) -> F:
        if not callable(fn):
            raise TypeError(
                "no_grad() decorates a function; use 'with arenagrad.no_grad():' "
                f"for a block (got {type(fn).__name__!r})"
            )

        @functools.wraps(fn)
        def without_graph(*args: Any, **kwargs: Any) -> Any:
            with no_grad():
                return fn(*args, **kwargs)

        return cast(F, without_graph)


__all__ = ["is_grad_enabled", "no_grad", "set_grad_enabled"]
