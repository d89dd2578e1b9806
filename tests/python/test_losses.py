"""arenagrad.losses: values, gradients and input checks."""

from __future__ import annotations

import math

import pytest
from arenagrad import Value, losses


def values(*xs: float) -> list[Value]:
    return [Value(x) for x in xs]


def test_mse_mean_and_sum_with_gradients():
    preds = values(1.0, 2.0, 4.0)
    loss = losses.mse(preds, [0.0, 2.0, 1.0])
    assert loss.data == pytest.approx((1 + 0 + 9) / 3)
    loss.backward()
    assert [p.grad for p in preds] == pytest.approx([2 / 3, 0.0, 2.0])
    assert losses.mse(values(1.0, 3.0), [0.0, 0.0], reduction="sum").data == 10.0
    with pytest.raises(ValueError, match="reduction"):
        losses.mse(values(1.0), [0.0], reduction="max")


def test_mse_accepts_plain_number_predictions():
    assert losses.mse([1.0, 3.0], [0.0, 0.0]).data == 5.0


def test_hinge_is_mean_relu_of_one_minus_margin():
    scores = values(2.0, 0.5, -0.5)
    loss = losses.hinge(scores, [1, 1, 1])
    assert loss.data == pytest.approx((0.0 + 0.5 + 1.5) / 3)
    loss.backward()
    # Satisfied margins get no gradient; violated ones get -y / n.
    assert [s.grad for s in scores] == pytest.approx([0.0, -1 / 3, -1 / 3])
    assert losses.max_margin is losses.hinge


def test_hinge_rejects_zero_one_labels():
    with pytest.raises(ValueError, match="-1 or \\+1"):
        losses.hinge(values(0.3, 0.1), [0, 1])


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def reference_bce(z: float, y: float) -> float:
    return max(z, 0.0) - z * y + math.log1p(math.exp(-abs(z)))


@pytest.mark.parametrize("z", [-3.0, -0.7, 0.0, 0.2, 4.5])
@pytest.mark.parametrize("y", [0.0, 1.0, 0.25])
def test_bce_value_and_gradient(z, y):
    logit = Value(z)
    loss = losses.bce_with_logits([logit], [y])
    assert loss.data == pytest.approx(reference_bce(z, y), rel=1e-12, abs=1e-15)
    loss.backward()
    # d/dz = sigmoid(z) - y, including at the kink-free point z = 0.
    assert logit.grad == pytest.approx(sigmoid(z) - y, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    "z, y, expected_loss, grad_sign",
    [
        (1000.0, 0.0, 1000.0, +1),  # confidently wrong: push the logit down
        (-1000.0, 1.0, 1000.0, -1),  # confidently wrong: push the logit up
        (1000.0, 1.0, 0.0, 0),  # confidently right: nothing to do
        (-1000.0, 0.0, 0.0, 0),
    ],
)
def test_bce_stays_finite_at_extreme_logits(z, y, expected_loss, grad_sign):
    logit = Value(z)
    loss = losses.bce_with_logits([logit], [y])
    assert math.isfinite(loss.data)
    assert loss.data == expected_loss
    loss.backward()
    assert math.isfinite(logit.grad)
    assert logit.grad == pytest.approx(float(grad_sign))


def test_bce_is_a_mean_and_checks_targets():
    logits = values(0.0, 0.0)
    loss = losses.bce_with_logits(logits, [0.0, 1.0])
    assert loss.data == pytest.approx(math.log(2))
    loss.backward()
    assert [z.grad for z in logits] == pytest.approx([0.25, -0.25])
    with pytest.raises(ValueError, match="targets in \\[0, 1\\]"):
        losses.bce_with_logits(values(0.0), [-1.0])
    assert losses.bce is losses.bce_with_logits


def softmax(xs: list[float]) -> list[float]:
    m = max(xs)
    e = [math.exp(x - m) for x in xs]
    return [v / sum(e) for v in e]


def test_softmax_cross_entropy_value_and_gradient():
    raw = [1.0, -0.5, 2.0]
    logits = values(*raw)
    loss = losses.softmax_cross_entropy(logits, 2)
    assert loss.data == pytest.approx(-math.log(softmax(raw)[2]), rel=1e-12)
    loss.backward()
    expected = [p - (i == 2) for i, p in enumerate(softmax(raw))]
    assert [z.grad for z in logits] == pytest.approx(expected, rel=1e-12)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    logits = values(1000.0, 1001.0, 999.0)
    loss = losses.softmax_cross_entropy(logits, 1)
    assert loss.data == pytest.approx(-math.log(softmax([0.0, 1.0, -1.0])[1]))
    loss.backward()
    assert all(math.isfinite(z.grad) for z in logits)


def test_softmax_cross_entropy_batch_is_the_mean():
    batch = [values(1.0, 0.0), values(0.0, 3.0)]
    loss = losses.softmax_cross_entropy(batch, [0, 1])
    one = losses.softmax_cross_entropy(values(1.0, 0.0), 0).data
    two = losses.softmax_cross_entropy(values(0.0, 3.0), 1).data
    assert loss.data == pytest.approx((one + two) / 2)


def test_softmax_cross_entropy_checks_its_target():
    with pytest.raises(ValueError, match="out of range"):
        losses.softmax_cross_entropy(values(1.0, 2.0), 2)
    with pytest.raises(TypeError):
        losses.softmax_cross_entropy(values(1.0, 2.0), True)
    with pytest.raises(ValueError):
        losses.softmax_cross_entropy([values(1.0), values(2.0)], [0])


def test_l2_value_and_gradient():
    params = values(1.0, -2.0)
    penalty = losses.l2(params, alpha=1e-2)
    assert penalty.data == pytest.approx(1e-2 * 5.0)
    penalty.backward()
    assert [p.grad for p in params] == pytest.approx([2e-2, -4e-2])


def test_accuracy_binary_and_multiclass():
    assert losses.accuracy(values(0.5, -0.1, 2.0, -3.0), [1, -1, -1, -1]) == 0.75
    assert losses.accuracy([0.5, -0.1], [1, 0]) == 1.0  # 0/1 labels work too
    assert losses.accuracy([values(0.1, 0.9, 0.0), [2.0, 1.0, 0.0]], [1, 2]) == 0.5


@pytest.mark.parametrize(
    "call",
    [
        lambda: losses.mse(values(1.0, 2.0), [1.0]),
        lambda: losses.hinge(values(1.0), [1, -1]),
        lambda: losses.bce_with_logits(values(1.0, 2.0), [1.0]),
        lambda: losses.accuracy(values(1.0), [1, 1]),
        lambda: losses.mse([], []),
    ],
    ids=["mse", "hinge", "bce", "accuracy", "empty"],
)
def test_length_mismatch_and_empty_inputs_raise(call):
    with pytest.raises(ValueError):
        call()
