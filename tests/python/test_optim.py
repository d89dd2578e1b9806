"""arenagrad.optim: SGD, Adam and AdamW with PyTorch's update rules."""

from __future__ import annotations

import math

import pytest
from arenagrad import Value
from arenagrad.optim import SGD, Adam, AdamW

TARGET = [3.0, -2.0, 0.5]


def quadratic(params: list[Value]) -> Value:
    """sum (p - t)^2, minimised at TARGET."""
    terms = [(p - t) ** 2 for p, t in zip(params, TARGET)]
    return terms[0] + terms[1] + terms[2]


def run(optimizer_factory, steps: int) -> tuple[float, float]:
    params = [Value(0.0), Value(0.0), Value(0.0)]
    optimizer = optimizer_factory(params)
    first = None
    for _ in range(steps):
        loss = quadratic(params)
        first = loss.data if first is None else first
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return first, quadratic(params).data


@pytest.mark.parametrize(
    "factory",
    [
        lambda ps: SGD(ps, lr=0.1),
        lambda ps: SGD(ps, lr=0.05, momentum=0.9),
        lambda ps: SGD(ps, lr=lambda k: 0.3 * 0.99**k),
        lambda ps: Adam(ps, lr=0.1),
        lambda ps: AdamW(ps, lr=0.1, weight_decay=0.0),
    ],
    ids=["sgd", "sgd-momentum", "sgd-schedule", "adam", "adamw"],
)
def test_optimizers_minimise_a_quadratic(factory):
    first, last = run(factory, 200)
    assert first == pytest.approx(3.0**2 + 2.0**2 + 0.5**2)
    assert last < 1e-3 * first


def test_sgd_step_is_p_minus_lr_grad():
    p = Value(1.0)
    p.grad = 4.0
    SGD([p], lr=0.25).step()
    assert p.data == 0.0


def test_sgd_weight_decay_adds_l2_gradient():
    p = Value(2.0)
    p.grad = 1.0
    SGD([p], lr=0.1, weight_decay=0.5).step()
    assert p.data == pytest.approx(2.0 - 0.1 * (1.0 + 0.5 * 2.0))


def test_sgd_momentum_matches_hand_computation():
    # torch: buf = g on the first step, then buf = momentum * buf + g.
    p = Value(1.0)
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad = 2.0
    opt.step()
    assert p.data == pytest.approx(1.0 - 0.1 * 2.0)
    p.grad = 1.0
    opt.step()
    assert p.data == pytest.approx(0.8 - 0.1 * (0.9 * 2.0 + 1.0))
    assert opt.velocities == [pytest.approx(2.8)]


def test_adam_first_step_matches_hand_computation():
    lr, (b1, b2), eps, wd = 0.01, (0.8, 0.95), 1e-6, 0.1
    p = Value(1.5)
    p.grad = -0.3
    opt = Adam([p], lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)
    opt.step()
    g = -0.3 + wd * 1.5  # L2 decay enters the gradient
    m = (1 - b1) * g
    v = (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1), v / (1 - b2)
    expected = 1.5 - lr * m_hat / (math.sqrt(v_hat) + eps)
    assert p.data == pytest.approx(expected, rel=1e-14, abs=1e-15)
    # The first bias-corrected step has size ~lr against the gradient's sign.
    assert p.data == pytest.approx(1.5 + lr, rel=1e-4)
    assert opt.first_moments == [pytest.approx(m)]
    assert opt.second_moments == [pytest.approx(v)]


def test_adam_second_step_matches_hand_computation():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    p = Value(0.0)
    opt = Adam([p], lr=lr)
    m = v = 0.0
    x = 0.0
    for t, g in enumerate([1.0, -0.5], start=1):
        p.grad = g
        opt.step()
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        x -= lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps)
        assert p.data == pytest.approx(x, rel=1e-12)


def test_adamw_decay_is_decoupled_from_the_gradient():
    # With zero gradient Adam's moments stay zero: AdamW only shrinks the
    # weight by (1 - lr * wd), while Adam(weight_decay) moves it by ~lr.
    p = Value(2.0)
    AdamW([p], lr=0.1, weight_decay=0.5).step()
    assert p.data == pytest.approx(2.0 * (1 - 0.1 * 0.5), rel=1e-15)
    q = Value(2.0)
    Adam([q], lr=0.1, weight_decay=0.5).step()
    assert q.data == pytest.approx(2.0 - 0.1, rel=1e-6)


def test_adamw_default_weight_decay_is_torchs():
    assert AdamW([Value(1.0)]).weight_decay == 0.01
    assert Adam([Value(1.0)]).weight_decay == 0.0


def test_schedule_gets_the_step_index():
    seen = []

    def schedule(k):
        seen.append(k)
        return 0.1

    p = Value(0.0)
    opt = SGD([p], lr=schedule)
    for _ in range(3):
        p.grad = 1.0
        opt.step()
    assert seen == [0, 1, 2]
    assert opt.step_count == 3
    assert p.data == pytest.approx(-0.3)


def test_zero_grad_clears_all_parameters():
    params = [Value(1.0), Value(2.0)]
    for p in params:
        p.grad = 5.0
    Adam(params).zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]


def test_state_lists_are_per_parameter():
    params = [Value(1.0) for _ in range(4)]
    assert len(Adam(params).first_moments) == 4
    assert len(Adam(params).second_moments) == 4
    assert SGD(params, lr=0.1, momentum=0.5).velocities == [None] * 4


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=-0.1),
        lambda ps: SGD(ps, lr=float("nan")),
        lambda ps: SGD(ps, lr=0.1, momentum=-0.5),
        lambda ps: SGD(ps, lr=0.1, weight_decay=-1.0),
        lambda ps: Adam(ps, lr=-1e-3),
        lambda ps: Adam(ps, betas=(1.0, 0.999)),
        lambda ps: Adam(ps, betas=(0.9, -0.1)),
        lambda ps: Adam(ps, eps=-1e-8),
        lambda ps: AdamW(ps, weight_decay=-0.01),
    ],
)
def test_bad_hyperparameters_raise_value_error(make):
    with pytest.raises(ValueError):
        make([Value(1.0)])


@pytest.mark.parametrize("cls", [SGD, Adam, AdamW])
def test_empty_parameter_list_is_a_clear_error(cls):
    with pytest.raises(ValueError, match="empty parameter list"):
        cls([], lr=0.1)


def test_non_values_and_duplicates_are_rejected():
    with pytest.raises(TypeError, match="Value"):
        SGD([1.0], lr=0.1)
    p = Value(1.0)
    with pytest.raises(ValueError, match="more than once"):
        SGD([p, p], lr=0.1)


def test_schedule_returning_negative_rate_raises_at_that_step():
    p = Value(1.0)
    opt = SGD([p], lr=lambda k: 0.1 - 0.1 * k)
    opt.step()
    opt.step()  # k = 1 -> rate 0.0 is allowed
    with pytest.raises(ValueError, match="step 2"):
        opt.step()
