"""zero_grads and sgd_step: the optimizers' loops in C++, equal to the Python loops."""

from __future__ import annotations

import random

import pytest
from arenagrad import Value, _core
from arenagrad.nn import MLP
from arenagrad.optim import SGD


def test_sgd_step_is_bit_identical_to_the_python_loop():
    rng = random.Random(3)
    fast = [Value(rng.uniform(-2, 2)) for _ in range(50)]
    slow = [Value(p.data) for p in fast]
    for a, b in zip(fast, slow):
        a.grad = b.grad = rng.uniform(-5, 5)
    _core.sgd_step(fast, 0.37, weight_decay=1e-3)
    for p in slow:
        p.data -= 0.37 * (p.grad + 1e-3 * p.data)
    assert [p.data for p in fast] == [p.data for p in slow]
    assert [p.grad for p in fast] == [p.grad for p in slow]


def test_zero_grads_clears_every_grad_and_nothing_else():
    params = (Value(1.0), Value(2.0))
    for p in params:
        p.grad = 4.0
    _core.zero_grads(params)
    assert [(p.data, p.grad) for p in params] == [(1.0, 0.0), (2.0, 0.0)]


@pytest.mark.parametrize("call", [_core.zero_grads, lambda ps: _core.sgd_step(ps, 0.1)])
def test_non_values_are_a_type_error_and_nothing_changes(call):
    good = Value(1.0)
    good.grad = 2.0
    with pytest.raises(TypeError, match=r"params\[1\]"):
        call([good, 3.0])
    with pytest.raises(TypeError):
        call(good)
    assert (good.data, good.grad) == (1.0, 2.0)


def test_module_and_optimizer_use_them_with_the_same_results():
    random.seed(0)
    model = MLP(2, [4, 1])
    opt = SGD(model.parameters(), lr=0.1, weight_decay=0.01)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    model.zero_grad()
    loss.backward()
    expected = [p.data - 0.1 * (p.grad + 0.01 * p.data) for p in model.parameters()]
    opt.step()
    assert [p.data for p in model.parameters()] == expected
    opt.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
