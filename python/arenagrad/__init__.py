"""arenagrad: micrograd's scalar autodiff, with an arena-allocated C++ core."""

from ._core import Value, __version__, arena_stats

__all__ = ["Value", "__version__", "arena_stats"]
