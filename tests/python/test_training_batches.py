"""Mini-batches: data.batches, losses taking labels as Values, and compiled
mini-batch training that is bit-identical to the dynamic graph step by step."""

from __future__ import annotations

import random

import arenagrad
import pytest
from arenagrad import Value
from arenagrad.data import batches, make_blobs, make_moons, to_binary01
from arenagrad.losses import (
    accuracy,
    bce_with_logits,
    hinge,
    l2,
    mse,
    softmax_cross_entropy,
)
from arenagrad.nn import MLP
from arenagrad.optim import SGD

# ----------------------------------------------------------------- data.batches


def test_batches_cover_every_sample_once_per_epoch():
    X = [[float(i), -float(i)] for i in range(10)]
    y = list(range(10))
    seen = []
    sizes = []
    for xb, yb in batches(X, y, 4, seed=3):
        sizes.append(len(xb))
        assert [row[0] for row in xb] == [float(label) for label in yb]  # rows stay paired
        seen += yb
    assert sizes == [4, 4, 2]
    assert sorted(seen) == y and seen != y  # shuffled


def test_batches_are_reproducible_and_optional_shuffle():
    X, y = list(range(7)), list(range(7))
    first = list(batches(X, y, 3, seed=1))
    assert first == list(batches(X, y, 3, seed=1))
    assert list(batches(X, y, 3, shuffle=False)) == [
        ([0, 1, 2], [0, 1, 2]),
        ([3, 4, 5], [3, 4, 5]),
        ([6], [6]),
    ]
    assert [len(b) for b, _ in batches(X, y, 3, drop_last=True)] == [3, 3]
    random.seed(9)
    a = list(batches(X, y, 2))
    random.seed(9)
    assert a == list(batches(X, y, 2))  # seed=None follows the global generator


@pytest.mark.parametrize(
    ("size", "error"), [(0, ValueError), (-2, ValueError), (2.0, TypeError), (True, TypeError)]
)
def test_batches_reject_bad_sizes_at_the_call(size, error):
    with pytest.raises(error):
        batches([1, 2], [1, 2], size)


def test_batches_reject_mismatched_lengths():
    with pytest.raises(ValueError, match="3 samples but 2 labels"):
        batches([1, 2, 3], [1, 2], 2)


# ----------------------------------------------------------------- labels as Values


def _scores(n: int, seed: int) -> list[Value]:
    rng = random.Random(seed)
    return [Value(rng.uniform(-2, 2)) for _ in range(n)]


@pytest.mark.parametrize(
    ("loss", "labels"),
    [
        (hinge, [1, -1, -1, 1, 1]),
        (bce_with_logits, [1.0, 0.0, 0.25, 1.0, 0.0]),
        (mse, [0.5, -1.5, 2.0, 0.0, 3.25]),
    ],
    ids=["hinge", "bce", "mse"],
)
def test_losses_take_labels_as_values_with_identical_results(loss, labels):
    plain_scores, value_scores = _scores(5, 1), _scores(5, 1)
    plain = loss(plain_scores, labels)
    as_values = loss(value_scores, [Value(float(t)) for t in labels])
    assert as_values.data == plain.data
    plain.backward()
    as_values.backward()
    assert [s.grad for s in value_scores] == [s.grad for s in plain_scores]


def test_value_labels_are_still_checked():
    with pytest.raises(ValueError, match="-1 or \\+1"):
        hinge([Value(0.5)], [Value(0.0)])
    with pytest.raises(ValueError, match="\\[0, 1\\]"):
        bce_with_logits([Value(0.5)], [Value(2.0)])


def test_softmax_cross_entropy_takes_a_value_class_index():
    rng = random.Random(4)
    for target in range(4):
        logits_a = [Value(rng.uniform(-3, 3)) for _ in range(4)]
        logits_b = [Value(z.data) for z in logits_a]
        plain = softmax_cross_entropy(logits_a, target)
        picked = softmax_cross_entropy(logits_b, Value(float(target)))
        assert picked.data == plain.data
        plain.backward()
        picked.backward()
        assert [z.grad for z in logits_b] == [z.grad for z in logits_a]
    with pytest.raises(TypeError, match="class index"):
        softmax_cross_entropy([Value(1.0), Value(2.0)], Value(0.5))
    with pytest.raises(ValueError, match="out of range"):
        softmax_cross_entropy([Value(1.0), Value(2.0)], Value(2.0))


def test_accuracy_takes_value_labels():
    assert accuracy([0.5, -0.5], [Value(1.0), Value(-1.0)]) == 1.0
    assert accuracy([[0.1, 0.9], [0.8, 0.2]], [Value(1.0), Value(1.0)]) == 0.5


# ----------------------------------------------------------------- under compile


def _twins(seed: int, sizes: list[int], **kwargs):
    random.seed(seed)
    a = MLP(2, sizes, **kwargs)
    random.seed(seed)
    b = MLP(2, sizes, **kwargs)
    return a, b


@pytest.mark.parametrize(
    ("loss_name", "batch_size"),
    [("hinge", 10), ("hinge", 16), ("bce", 8), ("mse", 12)],
)
def test_compiled_mini_batch_training_is_bit_identical_to_the_dynamic_graph(
    loss_name, batch_size
):
    X, labels = make_moons(40, noise=0.1, seed=5)
    targets = to_binary01(labels) if loss_name == "bce" else [float(v) for v in labels]
    data_loss = {"hinge": hinge, "bce": bce_with_logits, "mse": mse}[loss_name]
    compiled_model, dynamic_model = _twins(7, [8, 8, 1])

    def batch_loss(model, xb, yb):
        return data_loss([model(x) for x in xb], yb) + l2(model.parameters(), 1e-4)

    # Everything that changes between calls (the batch's points and labels) is an
    # argument; the model is read live through its parameters.
    step = arenagrad.compile(lambda xb, yb: batch_loss(compiled_model, xb, yb))
    opt_c = SGD(compiled_model.parameters(), lr=0.1)
    opt_d = SGD(dynamic_model.parameters(), lr=0.1)
    steps = 0
    distinct_losses = set()
    for epoch in range(3):
        for xb, yb in batches(X, targets, batch_size, seed=epoch):
            compiled = step(xb, yb)
            dynamic = batch_loss(dynamic_model, xb, yb)  # labels as plain numbers
            assert compiled.data == dynamic.data, (epoch, steps)
            distinct_losses.add(dynamic.data)
            opt_c.zero_grad()
            opt_d.zero_grad()
            compiled.backward()
            dynamic.backward()
            grads_c = [p.grad for p in compiled_model.parameters()]
            grads_d = [p.grad for p in dynamic_model.parameters()]
            assert grads_c == grads_d, (epoch, steps)
            assert any(g != 0.0 for g in grads_d)
            opt_c.step()
            opt_d.step()
            steps += 1
    assert steps == 3 * -(-40 // batch_size)
    assert len(distinct_losses) == steps  # each batch really was a different loss
    # One program per batch shape (a smaller last batch adds one).
    assert step.trace_count == (1 if 40 % batch_size == 0 else 2)


def test_compiled_softmax_training_with_value_targets_matches_dynamic():
    X, labels = make_blobs(24, centers=3, std=0.6, seed=2)
    compiled_model, dynamic_model = _twins(3, [6, 3], activation="tanh")

    def batch_loss(model, xb, yb):
        return softmax_cross_entropy([model(x) for x in xb], yb)

    step = arenagrad.compile(lambda xb, yb: batch_loss(compiled_model, xb, yb))
    for xb, yb in list(batches(X, labels, 6, seed=1)) * 2:
        compiled = step(xb, [float(t) for t in yb])
        dynamic = batch_loss(dynamic_model, xb, yb)  # int class indices
        # Within rounding, not bitwise: the max-shift is taken from .data, so a
        # replay keeps the traced batch's shift (softmax is shift-invariant, its
        # rounding is not). Bitwise once the shift is an op.
        assert compiled.data == pytest.approx(dynamic.data, rel=1e-12)
        compiled_model.zero_grad()
        dynamic_model.zero_grad()
        compiled.backward()
        dynamic.backward()
        pairs = zip(compiled_model.parameters(), dynamic_model.parameters())
        for p, q in pairs:
            assert p.grad == pytest.approx(q.grad, rel=1e-9, abs=1e-15)
            p.data -= 0.2 * p.grad
            q.data -= 0.2 * q.grad
