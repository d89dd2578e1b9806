"""optim: errors in the user's terms, and hyperparameters of any real type."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from arenagrad import Value
from arenagrad.nn import MLP
from arenagrad.optim import SGD, Adam, AdamW


@pytest.mark.parametrize("cls", [SGD, Adam, AdamW])
def test_passing_the_model_says_to_pass_its_parameters(cls):
    model = MLP(2, [2, 1])
    with pytest.raises(TypeError, match=r"model\.parameters\(\)") as info:
        cls(model, lr=0.1)
    assert "MLP" in str(info.value)
    with pytest.raises(TypeError, match="call it") as info:
        cls(model.parameters, lr=0.1)
    assert "model.parameters()" in str(info.value)


def test_single_value_and_non_iterables_are_explained():
    with pytest.raises(TypeError, match="not one Value"):
        SGD(Value(1.0), lr=0.1)
    with pytest.raises(TypeError, match="list of parameters"):
        SGD(3, lr=0.1)


def test_messages_name_the_public_value_type():
    with pytest.raises(TypeError, match="arenagrad.Value") as info:
        SGD([1.0], lr=0.1)
    assert "_core" not in str(info.value)


@pytest.mark.parametrize(
    "lr", [np.float32(0.1), np.float64(0.1), np.int64(1), Fraction(1, 10), 1]
)
def test_real_number_hyperparameters_are_accepted(lr):
    p = Value(1.0)
    p.grad = 1.0
    opt = SGD([p], lr=lr, momentum=np.float32(0.5), weight_decay=np.float64(0.0))
    opt.step()
    assert p.data == 1.0 - float(lr)
    adam = Adam([Value(1.0)], lr=lr, betas=(np.float32(0.5), Fraction(9, 10)),
                eps=np.float64(1e-8))
    assert adam.betas == (0.5, 0.9)
    assert type(adam.current_lr()) is float


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=True),
        lambda ps: SGD(ps, lr=0.1, momentum=False),
        lambda ps: SGD(ps, lr="0.1"),
        lambda ps: Adam(ps, betas=(True, 0.9)),
        lambda ps: Adam(ps, eps=None),
        lambda ps: AdamW(ps, weight_decay=np.bool_(True)),
        lambda ps: SGD(ps, lr=complex(1, 0)),
    ],
)
def test_bools_and_non_reals_are_type_errors(make):
    with pytest.raises(TypeError, match="real number"):
        make([Value(1.0)])


def test_schedule_returning_a_bool_is_a_type_error():
    opt = SGD([Value(1.0)], lr=lambda k: True)
    with pytest.raises(TypeError, match="step 0"):
        opt.step()


def test_schedule_may_return_numpy_rates():
    p = Value(2.0)
    p.grad = 1.0
    SGD([p], lr=lambda k: np.float32(0.5)).step()
    assert p.data == 1.5
