"""DESIGN invariant 5 (backward semantics) and 4 (no recursion) from Python."""

from __future__ import annotations

from arenagrad import Value, arena_stats


def test_shared_node_visited_once():
    x = Value(3.0)
    s = x * 2.0
    y = s + s
    y.backward()
    assert x.grad == 4.0
    assert s.grad == 2.0


def test_repeated_backward_gives_exactly_twice_the_leaf_grads():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    loss = (c * c + a.tanh()).exp() / 100
    loss.backward()
    ga, gb, gc = a.grad, b.grad, c.grad
    loss.backward()
    assert a.grad == 2 * ga
    assert b.grad == 2 * gb
    assert c.grad == gc
    assert loss.grad == 1.0


def test_two_losses_sharing_a_subgraph_sum_exactly():
    w = Value(1.5)
    h = (w * 3.0).tanh()
    l1, l2 = h * 2.0, h * h
    l1.backward()
    g1 = w.grad
    w.grad = 0.0
    l2.backward()
    g2 = w.grad
    w.grad = 0.0
    l1.backward()
    l2.backward()
    assert w.grad == g1 + g2


def test_local_backward_applies_only_this_nodes_rule():
    a, b = Value(5.0), Value(6.0)
    c = a * b
    d = c + 1.0
    d.grad = 11.0
    d._backward()
    assert c.grad == 11.0
    assert a.grad == 0.0 and b.grad == 0.0
    c._backward()
    assert (a.grad, b.grad) == (66.0, 55.0)


def test_backward_on_a_leaf_sets_its_grad_to_one():
    a = Value(2.0)
    a.backward()
    assert a.grad == 1.0


def test_million_node_chain_builds_backprops_and_frees():
    base = arena_stats()["live"]
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = -y
    assert arena_stats()["live"] == base + 1_000_001
    y.backward()
    assert x.grad == 1.0
    del y
    assert arena_stats()["live"] == base + 1
