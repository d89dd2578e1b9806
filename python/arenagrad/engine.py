"""micrograd's module layout: ``from arenagrad.engine import Value``."""

from ._core import Value

__all__ = ["Value"]
