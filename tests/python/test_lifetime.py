"""DESIGN invariants 1-3: no dangling values, bounded memory, slot reuse."""

from __future__ import annotations

import gc
import random

from arenagrad import Value, arena_stats


def live():
    return arena_stats()["live"]


def test_child_outlives_its_parents():
    a = Value(2.0)
    c = a * 3.0
    c.backward()
    del c
    gc.collect()
    assert (a.data, a.grad) == (2.0, 3.0)
    a.grad = 0.0
    (a * a).backward()
    assert a.grad == 4.0


def test_operands_stay_alive_through_a_parent_and_through_prev():
    c = Value(2.0) * Value(5.0)
    gc.collect()
    c.backward()
    left, right = c._prev
    assert (left.data, left.grad, right.data, right.grad) == (2.0, 5.0, 5.0, 2.0)
    del c
    gc.collect()
    assert (left.data, right.data) == (2.0, 5.0)
    left.data = 7.0
    assert left.data == 7.0


def test_dropping_the_last_handle_frees_the_graph():
    base = live()
    x = Value(1.0)
    y = ((x * 2 + 1).tanh() * x).exp()
    assert live() > base + 1
    del y
    assert live() == base + 1
    del x
    assert live() == base


def test_training_loop_runs_at_flat_memory_and_reuses_slots():
    rng = random.Random(0)
    params = [Value(rng.uniform(-1, 1)) for _ in range(10)]
    xs = [[rng.uniform(-1, 1) for _ in range(10)] for _ in range(20)]

    def step():
        loss = sum(((sum(w * xi for w, xi in zip(params, x)) - 1.0) ** 2 for x in xs), Value(0.0))
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= 1e-3 * p.grad
        return loss.data

    step()
    after_first = arena_stats()
    for _ in range(500):
        step()
    after_many = arena_stats()
    assert after_many["live"] == after_first["live"]
    # Each step's graph (about 600 nodes) lands in the slots the last one freed.
    assert after_many["capacity"] == after_first["capacity"]


def test_bytes_per_node_is_within_budget():
    assert arena_stats()["bytes_per_node"] <= 64
