"""arenagrad.data: deterministic toy data sets."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest
from arenagrad.data import make_blobs, make_circles, make_moons, to_binary01


@pytest.mark.parametrize("make", [make_moons, make_circles, make_blobs])
def test_same_seed_same_data_other_seed_other_data(make):
    assert make(50, seed=3) == make(50, seed=3)
    assert make(50, seed=3) != make(50, seed=4)


@pytest.mark.parametrize("make", [make_moons, make_circles, make_blobs])
def test_global_random_state_is_left_alone(make):
    random.seed(123)
    expected = random.random()
    random.seed(123)
    make(40, seed=9)
    assert random.random() == expected


def test_moons_shape_and_labels():
    X, y = make_moons(101, noise=0.1, seed=0)
    assert len(X) == len(y) == 101
    assert all(len(p) == 2 and all(type(c) is float for c in p) for p in X)
    assert Counter(y) == {-1: 50, 1: 51}
    # Shuffled: the two classes are interleaved, not in two blocks.
    assert y[:50] != [-1] * 50


def test_moons_without_noise_lie_on_their_arcs():
    X, y = make_moons(40, noise=0.0, seed=0)
    for (x0, x1), label in zip(X, y):
        if label == -1:  # upper moon: unit circle around (0, 0), x1 >= 0
            assert math.hypot(x0, x1) == pytest.approx(1.0)
            assert x1 >= -1e-12
        else:  # lower moon: unit circle around (1, 0.5), x1 <= 0.5
            assert math.hypot(x0 - 1, x1 - 0.5) == pytest.approx(1.0)
            assert x1 <= 0.5 + 1e-12


def test_circles_radii():
    X, y = make_circles(60, noise=0.0, seed=1, factor=0.3)
    for (x0, x1), label in zip(X, y):
        assert math.hypot(x0, x1) == pytest.approx(1.0 if label == -1 else 0.3)
    assert Counter(y) == {-1: 30, 1: 30}


def test_blobs_classes_and_explicit_centers():
    X, y = make_blobs(90, centers=3, seed=2)
    assert Counter(y) == {0: 30, 1: 30, 2: 30}
    X, y = make_blobs(20, centers=[[10.0, 10.0], [-10.0, -10.0]], std=0.1, seed=2)
    for (x0, x1), label in zip(X, y):
        cx = 10.0 if label == 0 else -10.0
        assert abs(x0 - cx) < 1.0 and abs(x1 - cx) < 1.0


def test_noise_moves_points():
    clean, _ = make_moons(30, noise=0.0, seed=5)
    noisy, _ = make_moons(30, noise=0.2, seed=5)
    assert clean != noisy


@pytest.mark.parametrize(
    "call",
    [
        lambda: make_moons(1),
        lambda: make_moons(10, noise=-0.1),
        lambda: make_moons(2.5),
        lambda: make_circles(10, factor=1.5),
        lambda: make_blobs(10, centers=0),
        lambda: make_blobs(10, centers=[]),
    ],
)
def test_bad_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_to_binary01():
    assert to_binary01([-1, 1, 1, -1]) == [0.0, 1.0, 1.0, 0.0]
