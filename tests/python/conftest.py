"""Shared helpers for the pytest suite."""

from __future__ import annotations

import math
from typing import Callable, Sequence

import pytest
from hypothesis import HealthCheck, Phase, settings

# One set of hypothesis settings for every property test: reproducible runs, no
# example database, no deadline (graphs vary in size). No Phase.explain: it imports
# libcst, whose mypy_extensions import warns, and warnings are errors here, which
# would hide the real failure. Tests set only max_examples.
settings.register_profile(
    "arenagrad",
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("arenagrad")


def numeric_gradient(f: Callable[[Sequence[float]], float], x: Sequence[float]) -> list[float]:
    """Central finite differences in float64, step scaled to each coordinate."""
    grads = []
    point = list(x)
    for i, xi in enumerate(x):
        h = 1e-6 * max(1.0, abs(xi))
        point[i] = xi + h
        up = f(point)
        point[i] = xi - h
        down = f(point)
        point[i] = xi
        grads.append((up - down) / (2 * h))
    return grads


def assert_close(actual: float, expected: float, tol: float = 1e-6) -> None:
    assert math.isclose(actual, expected, rel_tol=tol, abs_tol=tol), (actual, expected)


@pytest.fixture(name="numeric_gradient")
def numeric_gradient_fixture():
    return numeric_gradient
