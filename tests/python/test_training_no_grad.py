"""arenagrad.no_grad and Value.detach."""

from __future__ import annotations

import random
import threading

import arenagrad
import pytest
from arenagrad import Value, no_grad
from arenagrad.nn import MLP


def test_ops_inside_record_no_graph_but_compute_the_same_values():
    a, b = Value(1.5), Value(-2.0)
    recorded = ((a * b + 1.0).tanh() - a / b) ** 2
    with no_grad():
        plain = ((a * b + 1.0).tanh() - a / b) ** 2
        summed = arenagrad.vsum([a, b, a], 1.0)
        dotted = arenagrad.dot([a, b], [b, a], 0.5)
    assert plain.data == recorded.data
    assert summed.data == 1.0 + 1.5 - 2.0 + 1.5 and dotted.data == 0.5 - 3.0 - 3.0
    for v in (plain, summed, dotted):
        assert v._prev == () and v._op == ""
    plain.backward()
    assert a.grad == 0.0 and b.grad == 0.0  # nothing flows back


def test_no_grad_uses_fewer_nodes():
    random.seed(0)
    model = MLP(2, [8, 8, 1])
    before = arenagrad.arena_stats()["live"]
    with no_grad():
        out = model([0.3, -0.7])
    assert arenagrad.arena_stats()["live"] == before + 1  # just the result
    recorded = model([0.3, -0.7])
    assert recorded.data == out.data
    assert arenagrad.arena_stats()["live"] > before + 100


def test_errors_are_still_raised_inside():
    with no_grad():
        with pytest.raises(ZeroDivisionError):
            Value(1.0) / 0
        with pytest.raises(ValueError):
            Value(-1.0).log()


def test_nested_blocks_restore_what_they_found_even_on_exceptions():
    assert arenagrad.is_grad_enabled()
    guard = no_grad()
    with guard:
        with no_grad():
            assert not arenagrad.is_grad_enabled()
        assert not arenagrad.is_grad_enabled()
        with guard:  # the same object, re-entered
            pass
        assert not arenagrad.is_grad_enabled()
    assert arenagrad.is_grad_enabled()
    with pytest.raises(RuntimeError):
        with no_grad():
            raise RuntimeError("boom")
    assert arenagrad.is_grad_enabled()
    assert (Value(2.0) * 3)._prev != ()


def test_decorator_form_keeps_the_function_and_restores():
    @no_grad()
    def evaluate(x: float) -> Value:
        """Doc."""
        assert not arenagrad.is_grad_enabled()
        return Value(x) * 2

    assert evaluate.__name__ == "evaluate" and evaluate.__doc__ == "Doc."
    assert evaluate(3.0)._prev == () and evaluate(3.0).data == 6.0
    assert arenagrad.is_grad_enabled()

    @no_grad()
    def fails() -> None:
        raise KeyError

    with pytest.raises(KeyError):
        fails()
    assert arenagrad.is_grad_enabled()


def test_decorating_a_non_callable_is_a_type_error():
    with pytest.raises(TypeError, match="with arenagrad.no_grad"):
        no_grad()(3)


def test_set_grad_enabled_returns_the_previous_setting():
    assert arenagrad.set_grad_enabled(False) is True
    try:
        assert arenagrad.set_grad_enabled(False) is False
    finally:
        assert arenagrad.set_grad_enabled(True) is False
    assert arenagrad.is_grad_enabled()


def test_the_setting_is_process_wide_across_threads():
    # Documented behaviour: one arena per process, so one setting.
    seen = []
    with no_grad():
        worker = threading.Thread(target=lambda: seen.append(arenagrad.is_grad_enabled()))
        worker.start()
        worker.join()
    assert seen == [False]


def test_compiled_replay_is_differentiable_inside_no_grad():
    w = Value(3.0)
    step = arenagrad.compile(lambda x: w * x)
    step(2.0)  # traced with gradients on
    with no_grad():
        out = step(5.0)
    assert out.data == 15.0
    out.backward()
    assert w.grad == 5.0


def test_a_first_call_inside_no_grad_still_traces_the_graph():
    w = Value(3.0)
    step = arenagrad.compile(lambda x: w * x)
    with no_grad():
        first = step(2.0)
        assert not arenagrad.is_grad_enabled()  # restored after the trace
    assert first.data == 6.0
    w.data = 10.0
    again = step(5.0)
    assert again.data == 50.0  # the product was recorded, not a frozen 6.0
    again.backward()
    assert w.grad == 5.0


def test_detach_is_a_new_leaf_with_the_same_data():
    a = Value(2.0)
    b = a * a
    d = b.detach()
    assert d.data == 4.0 and d._prev == () and d is not b and d != b
    (d * a).backward()
    assert a.grad == 4.0  # d is a constant: no path through b
    d.data = 9.0
    assert b.data == 4.0  # its own node
