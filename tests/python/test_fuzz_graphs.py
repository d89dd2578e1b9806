"""Differential fuzzing: random expression DAGs, arenagrad against plain float64.

Every graph is evaluated twice by one interpreter (fuzz_dags.run): over Python floats
(the reference) and over arenagrad Values. The forward data must agree to rounding,
and every leaf's backward() gradient must agree with a five-point finite difference.

The total number of graphs is ARENAGRAD_FUZZ_EXAMPLES (default 2000), split between
the tests below; hypothesis runs derandomized, so a run is reproducible. When
``arenagrad.compile`` exists, a further test checks compiled replay against the
dynamic graph; without it that test is not collected at all (not skipped).
"""

from __future__ import annotations

import math
import os

import arenagrad
import pytest
from arenagrad import Value
from fuzz_dags import Chooser, Graph, finite_difference, generate, output, run
from hypothesis import given, note, settings
from hypothesis import strategies as st

BUDGET = max(2, int(os.environ.get("ARENAGRAD_FUZZ_EXAMPLES", "2000")))
GRADIENT_SHARE = BUDGET * 3 // 4
SEMANTICS_SHARE = BUDGET - GRADIENT_SHARE


def fuzz_settings(examples: int) -> settings:
    # The rest of the settings are the suite's profile (conftest.py).
    return settings(max_examples=examples)


class HypothesisChooser(Chooser):
    """Lets hypothesis make (and shrink) every decision of the generator."""

    def __init__(self, data: st.DataObject) -> None:
        self._data = data

    def integer(self, lo: int, hi: int) -> int:
        return self._data.draw(st.integers(lo, hi))

    def real(self, lo: float, hi: float) -> float:
        return self._data.draw(st.floats(lo, hi, allow_nan=False))


def draw_graph(data: st.DataObject) -> Graph:
    graph = generate(HypothesisChooser(data))
    note(graph.describe())  # printed with a failing example
    return graph


def gradient_matches(analytic: float, numeric: float) -> bool:
    # The stencil is accurate to ~1e-10 relative on these bounded graphs (measured
    # worst case 9e-11); 1e-7 leaves margin yet catches any wrong local rule.
    return math.isclose(analytic, numeric, rel_tol=1e-7, abs_tol=1e-7)


def data_matches(actual: float, expected: float) -> bool:
    # Both sides use the same libm; allow a few ulps for formula choices (sigmoid).
    return actual == expected or math.isclose(actual, expected, rel_tol=1e-13)


def build(graph: Graph) -> tuple[list[Value], Value]:
    leaves = [Value(x) for x in graph.leaves]
    return leaves, output(graph, leaves)


def check_against_floats(graph: Graph, leaves: list[Value], root: Value) -> None:
    reference = run(graph, list(graph.leaves))
    assert data_matches(root.data, reference[-1]), (root.data, reference[-1])
    for i, leaf in enumerate(leaves):
        numeric = finite_difference(graph, graph.leaves, i)
        if numeric is None:  # every step size crossed a relu kink: no fair reference
            continue
        assert gradient_matches(leaf.grad, numeric), (f"x{i}", leaf.grad, numeric)


@fuzz_settings(GRADIENT_SHARE)
@given(st.data())
def test_dynamic_graph_matches_float_reference(data: st.DataObject) -> None:
    graph = draw_graph(data)
    live_before = arenagrad.arena_stats()["live"]
    leaves, root = build(graph)
    root.backward()
    check_against_floats(graph, leaves, root)
    del leaves, root
    # The whole graph is reclaimed once its handles die.
    assert arenagrad.arena_stats()["live"] == live_before


@fuzz_settings(SEMANTICS_SHARE)
@given(st.data())
def test_repeated_and_shared_backward_passes(data: st.DataObject) -> None:
    """Leaves accumulate across passes; interior nodes hold only the latest pass."""
    graph = draw_graph(data)
    leaves, root = build(graph)
    nodes = run(graph, leaves)
    # A second loss sharing the whole graph: root * root + middle node.
    middle = nodes[len(nodes) // 2]
    other = root * root + middle

    root.backward()
    once = [leaf.grad for leaf in leaves]
    root.backward()
    for leaf, g in zip(leaves, once):
        assert math.isclose(leaf.grad, 2.0 * g, rel_tol=1e-12, abs_tol=1e-300)

    for leaf in leaves:
        leaf.grad = 0.0
    other.backward()
    alone = [leaf.grad for leaf in leaves]
    interior_alone = [n.grad for n in nodes[len(leaves) :]]

    for leaf in leaves:
        leaf.grad = 0.0
    root.backward()
    from_root = [leaf.grad for leaf in leaves]
    other.backward()
    for leaf, g1, g2 in zip(leaves, from_root, alone):
        assert math.isclose(leaf.grad, g1 + g2, rel_tol=1e-12, abs_tol=1e-12)
    # Interior grads were cleared by the second pass: exactly the `other`-only values.
    assert [n.grad for n in nodes[len(leaves) :]] == interior_alone


def outcome(graph: Graph, leaves: list[Value], make_root) -> tuple:
    """(exception type, None) or (None, (data, leaf grads)) of one forward+backward."""
    for leaf in leaves:
        leaf.grad = 0.0
    try:
        root = make_root()
    except (ArithmeticError, ValueError) as error:
        return type(error), None
    root.backward()
    return None, (root.data, [leaf.grad for leaf in leaves])


def assert_same_outcome(replayed: tuple, dynamic: tuple) -> None:
    assert replayed[0] is dynamic[0]
    if dynamic[1] is not None:
        (data_r, grads_r), (data_d, grads_d) = replayed[1], dynamic[1]
        assert data_matches(data_r, data_d), (data_r, data_d)
        for g_r, g_d in zip(grads_r, grads_d):
            assert g_r == g_d or math.isclose(g_r, g_d, rel_tol=1e-12, abs_tol=1e-300)


if hasattr(arenagrad, "compile"):

    @pytest.mark.parametrize("path", ["compiled-replay"])
    @fuzz_settings(max(1, BUDGET // 4))
    @given(data=st.data())
    def test_compiled_replay_matches_dynamic_graph(path: str, data: st.DataObject) -> None:
        """``arenagrad.compile(fn)`` then ``step(*leaves)`` must equal the dynamic graph,
        on the traced values and again on perturbed ones (where both must agree even
        on raising: a perturbation may leave a domain, or cross a relu kink, which
        replay re-decides)."""
        graph = draw_graph(data)
        leaves = [Value(x) for x in graph.leaves]
        step = arenagrad.compile(lambda *xs: output(graph, list(xs)))
        factors = [1.0, 1.0, data.draw(st.floats(0.9, 1.1), label="perturbation")]
        for factor in factors:  # call 1 traces, calls 2 and 3 replay
            for leaf, x in zip(leaves, graph.leaves):
                leaf.data = x * factor
            dynamic = outcome(graph, leaves, lambda: output(graph, leaves))
            replayed = outcome(graph, leaves, lambda: step(*leaves))
            assert_same_outcome(replayed, dynamic)


def test_budget_covers_at_least_the_requested_graphs() -> None:
    # The CI default must fuzz >= 2000 graphs across the tests above.
    assert GRADIENT_SHARE + SEMANTICS_SHARE == BUDGET
    assert GRADIENT_SHARE >= 1 and SEMANTICS_SHARE >= 1
