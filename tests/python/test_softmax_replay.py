"""softmax_cross_entropy under compiled replay (issue 13, defect 16): the max-shift is
built from maximum nodes, so a replay at logits far from the traced ones stays finite
and equal to the dynamic graph."""

from __future__ import annotations

import math

import arenagrad
import pytest
from arenagrad import Value, losses


def reference(logits, target):
    m = max(logits)
    return math.log(sum(math.exp(z - m) for z in logits)) - (logits[target] - m)


@pytest.mark.parametrize(
    "logits", [[-800.0, -800.0], [800.0, 0.0], [0.0, 800.0], [1e300, -1e300], [3.0, 3.0, -2.0]]
)
def test_replay_far_from_the_trace_point(logits):
    f = arenagrad.compile(lambda zs: losses.softmax_cross_entropy(zs, 0))
    f([0.1, 0.2] + [0.0] * (len(logits) - 2))  # traced where the first logit is not the max
    xs = [Value(z) for z in logits]
    out = f(xs)
    dynamic = [Value(z) for z in logits]
    expected = losses.softmax_cross_entropy(dynamic, 0)
    assert out.data == pytest.approx(reference(logits, 0), rel=1e-12, abs=1e-12)
    assert out.data == expected.data
    out.backward()
    expected.backward()
    for x, d in zip(xs, dynamic):
        assert math.isfinite(x.grad) and x.grad == pytest.approx(d.grad, abs=1e-12)


def test_gradient_is_softmax_minus_one_hot():
    logits = [0.3, -1.2, 2.0, 0.5]
    xs = [Value(z) for z in logits]
    losses.softmax_cross_entropy(xs, 2).backward()
    total = sum(math.exp(z) for z in logits)
    for i, (x, z) in enumerate(zip(xs, logits)):
        assert x.grad == pytest.approx(math.exp(z) / total - (i == 2), abs=1e-12)
