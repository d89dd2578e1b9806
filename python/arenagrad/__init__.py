"""arenagrad: micrograd's scalar autodiff, with an arena-allocated C++ core."""

from ._core import CompiledValue, Value, __version__, arena_stats, dot, vsum
from .compiled import CompiledFunction, compile

__all__ = [
    "CompiledFunction",
    "CompiledValue",
    "Value",
    "__version__",
    "arena_stats",
    "compile",
    "dot",
    "vsum",
]
