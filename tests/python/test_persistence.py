"""Saving and restoring trained models: pickle and JSON state dicts."""

from __future__ import annotations

import json
import pickle
import random

from arenagrad.data import make_moons
from arenagrad.losses import hinge
from arenagrad.nn import MLP
from arenagrad.optim import SGD


def trained_model(steps: int = 5) -> MLP:
    random.seed(2)
    X, y = make_moons(20, seed=2)
    model = MLP(2, [8, 1])
    optimizer = SGD(model.parameters(), lr=0.5)
    for _ in range(steps):
        loss = hinge([model(x) for x in X], y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model


def test_pickle_round_trip_of_a_trained_model():
    model = trained_model()
    copy = pickle.loads(pickle.dumps(model))
    assert type(copy) is MLP
    assert copy.state_dict() == model.state_dict()
    assert [p.grad for p in copy.parameters()] == [p.grad for p in model.parameters()]
    assert repr(copy) == repr(model)
    x = [0.25, -0.75]
    assert copy(x).data == model(x).data


def test_unpickled_model_is_independent_and_trainable():
    model = trained_model()
    copy = pickle.loads(pickle.dumps(model))
    copy.parameters()[0].data += 1.0
    assert copy.parameters()[0].data != model.parameters()[0].data
    copy.zero_grad()
    copy([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in copy.parameters())


def test_state_dict_json_round_trip_exact():
    model = trained_model()
    text = json.dumps(model.state_dict())
    random.seed(99)  # a differently initialised model of the same shape
    fresh = MLP(2, [8, 1])
    assert fresh.state_dict() != model.state_dict()
    fresh.load_state_dict(json.loads(text))
    assert fresh.state_dict() == model.state_dict()
    for x in ([0.1, 0.2], [-1.5, 0.7], [2.0, -0.3]):
        assert fresh(x).data == model(x).data
