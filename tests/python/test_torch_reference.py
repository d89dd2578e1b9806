"""Optional: the same random DAGs as test_fuzz_graphs.py, against PyTorch float64.

Skipped (as a whole module) when torch is not installed; the project never needs it.
The graph runs on 0-d float64 tensors wrapped in ``Torch``, which spells each table
op the way PyTorch does, and autograd supplies the reference gradients.
"""

from __future__ import annotations

import math
import os

import pytest
from arenagrad import Value
from fuzz_dags import Chooser, generate, output
from hypothesis import given, note, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
F = torch.nn.functional

# Table ops whose PyTorch spelling is not a tensor method of the same name.
# softplus: logaddexp(x, 0) is exact; F.softplus turns linear above its threshold.
SPELLING = {
    "softplus": lambda t: torch.logaddexp(t, torch.zeros_like(t)),
    "silu": F.silu,
    "gelu": F.gelu,  # the erf form, PyTorch's default
    "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
    "elu": lambda t: F.elu(t, 1.0),
}


def _unwrap(x):
    return x.t if isinstance(x, Torch) else x


class Torch:
    """A 0-d tensor that answers the fuzz interpreter's calls as arenagrad.Value does."""

    def __init__(self, t) -> None:
        self.t = t

    class FUNCTIONS:  # arenagrad's module functions, for fuzz_dags._apply
        @staticmethod
        def atan2(a, b):
            return Torch(torch.atan2(_unwrap(a), _unwrap(b)))

        @staticmethod
        def maximum(a, b):
            return Torch(torch.maximum(_unwrap(a), _unwrap(b)))

        @staticmethod
        def minimum(a, b):
            return Torch(torch.minimum(_unwrap(a), _unwrap(b)))

    def __getattr__(self, name):
        if name in SPELLING:
            return lambda: Torch(SPELLING[name](self.t))
        method = getattr(self.t, name)
        return lambda *args: Torch(method(*(_unwrap(a) for a in args)))

    def clamp(self, lo, hi):
        return Torch(self.t.clamp(lo, hi))

    def __neg__(self):
        return Torch(-self.t)

    def __gt__(self, other):
        return bool(self.t > _unwrap(other))


def _binary(name):
    def forward(self, other):
        return Torch(getattr(self.t, name)(_unwrap(other)))

    return forward


for _name in ("add", "sub", "mul", "truediv", "pow", "radd", "rsub", "rmul",
              "rtruediv", "rpow"):
    setattr(Torch, f"__{_name}__", _binary(f"__{_name}__"))

# A tenth of the fuzz budget: torch costs ~25 ms a graph, arenagrad ~5.
EXAMPLES = max(1, int(os.environ.get("ARENAGRAD_FUZZ_EXAMPLES", "2000")) // 10)


class HypothesisChooser(Chooser):
    def __init__(self, data: st.DataObject) -> None:
        self._data = data

    def integer(self, lo: int, hi: int) -> int:
        return self._data.draw(st.integers(lo, hi))

    def real(self, lo: float, hi: float) -> float:
        return self._data.draw(st.floats(lo, hi, allow_nan=False))


@settings(max_examples=EXAMPLES)  # the rest: the suite's profile (conftest.py)
@given(st.data())
def test_gradients_match_torch_float64(data: st.DataObject) -> None:
    graph = generate(HypothesisChooser(data))
    note(graph.describe())

    leaves = [Value(x) for x in graph.leaves]
    root = output(graph, leaves)
    root.backward()

    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in graph.leaves]
    reference = output(graph, [Torch(t) for t in tensors])
    reference = reference.t if isinstance(reference, Torch) else reference
    reference.backward()

    assert math.isclose(root.data, reference.item(), rel_tol=1e-12, abs_tol=1e-300)
    for i, (leaf, tensor) in enumerate(zip(leaves, tensors)):
        expected = 0.0 if tensor.grad is None else tensor.grad.item()
        assert math.isclose(leaf.grad, expected, rel_tol=1e-10, abs_tol=1e-12), (
            f"x{i}",
            leaf.grad,
            expected,
        )
