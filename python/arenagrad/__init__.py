"""arenagrad: micrograd's scalar autodiff, with an arena-allocated C++ core."""

# Pure-Python and cheap: `import arenagrad` then `arenagrad.nn.MLP(...)` works. The
# plotting, progress-bar and graphviz dependencies are imported only where used.
from . import data, losses, nn, optim
from ._core import (
    CompiledValue,
    Value,
    __version__,
    arena_stats,
    atan2,
    dot,
    maximum,
    minimum,
    ops,
    vsum,
)
from .compiled import CompiledFunction, compile
from .functional import grad, hessian, hvp, jacobian
from .mode import is_grad_enabled, no_grad, set_grad_enabled

__all__ = [
    "CompiledFunction",
    "CompiledValue",
    "Value",
    "__version__",
    "arena_stats",
    "atan2",
    "compile",
    "data",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
    "dot",
    "grad",
    "hessian",
    "hvp",
    "jacobian",
    "losses",
    "maximum",
    "minimum",
    "nn",
    "ops",
    "optim",
    "vsum",
]
