"""Optional: the same random DAGs as test_fuzz_graphs.py, against PyTorch float64.

Skipped (as a whole module) when torch is not installed; the project never needs it.
PyTorch tensors support every op the interpreter uses (operators, ``x.relu()``,
``.tanh() .exp() .log() .sigmoid()``, ``number ** tensor``), so the graph runs
unchanged on 0-d float64 tensors and autograd supplies the reference gradients.
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
    reference = output(graph, tensors)
    reference.backward()

    assert math.isclose(root.data, reference.item(), rel_tol=1e-12, abs_tol=1e-300)
    for i, (leaf, tensor) in enumerate(zip(leaves, tensors)):
        expected = 0.0 if tensor.grad is None else tensor.grad.item()
        assert math.isclose(leaf.grad, expected, rel_tol=1e-10, abs_tol=1e-12), (
            f"x{i}",
            leaf.grad,
            expected,
        )
