"""Loss functions built from ``Value`` operations, so gradients flow through them.

Every loss returns a single ``Value`` (the mean over the examples unless said
otherwise). Predictions may be ``Value`` nodes or plain numbers; so may labels
and targets. Labels given as Values are data, used through ops only, so a
compiled function can take them as an argument and replay them per batch
(their range is checked on the values seen when the loss is built or traced).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Union

from ._core import Value, dot, maximum, vsum

Scalar = Union[Value, float]


def _check_lengths(preds: Sequence, targets: Sequence) -> int:
    if len(preds) != len(targets):
        raise ValueError(f"got {len(preds)} predictions but {len(targets)} targets")
    if len(preds) == 0:  # not `not preds`: a numpy array has no truth value
        raise ValueError("a loss needs at least one example")
    return len(preds)


def _data(x: Scalar) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _as_value(x: Scalar) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _sum(terms: list[Value]) -> Value:
    # One crossing into C++ for the whole sum; the same nodes as
    # sum(terms[1:], terms[0]), so values and gradients are bit-identical.
    return vsum(terms[1:], terms[0])


def _mean(terms: list[Value]) -> Value:
    return _sum(terms) / len(terms)


def mse(
    preds: Sequence[Scalar], targets: Sequence[Scalar], reduction: str = "mean"
) -> Value:
    """Squared error, averaged (``reduction="mean"``) or summed (``"sum"``)."""
    _check_lengths(preds, targets)
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    terms = [(_as_value(p) - t) ** 2 for p, t in zip(preds, targets)]
    total = _sum(terms)
    return total / len(terms) if reduction == "mean" else total


def hinge(scores: Sequence[Scalar], labels: Sequence[Scalar]) -> Value:
    """Max-margin loss for labels -1/+1: mean of ``relu(1 - y * score)``."""
    _check_lengths(scores, labels)
    for y in labels:
        if _data(y) not in (-1, 1):
            raise ValueError(f"hinge loss needs labels -1 or +1, got {y!r}")
    return _mean([(1 - y * _as_value(s)).relu() for s, y in zip(scores, labels)])


def _abs(z: Value) -> Value:
    # |z| from ReLUs (the core has no abs op); its derivative at 0 is 0.
    return z.relu() + (-z).relu()


def bce_with_logits(logits: Sequence[Scalar], targets: Sequence[Scalar]) -> Value:
    """Binary cross-entropy on logits for targets in [0, 1], stable for any logit.

    Uses ``max(z, 0) - z*y + log(1 + exp(-|z|))`` with ``max(z, 0)`` written as
    ``(|z| + z) / 2``: ``exp`` only ever sees non-positive arguments, so logits
    of +-1000 stay finite, and at ``z == 0`` the ReLU kinks cancel to give the
    true derivative ``sigmoid(0) - y``.
    """
    _check_lengths(logits, targets)
    terms = []
    for z, y in zip(logits, targets):
        if not 0 <= _data(y) <= 1:
            raise ValueError(f"binary cross-entropy needs targets in [0, 1], not {y!r}")
        z = _as_value(z)
        magnitude = _abs(z)
        softplus = (magnitude + z) * 0.5 + (1 + (-magnitude).exp()).log()
        terms.append(softplus - z * y)
    return _mean(terms)


def softmax_cross_entropy(
    logits: Sequence[Scalar] | Sequence[Sequence[Scalar]],
    target: int | Value | Sequence[int | Value],
) -> Value:
    """Cross-entropy of softmax(logits) against class index ``target``.

    Given one list of logits and one int, returns that example's loss; given a
    list of logit lists and a list of ints, returns the mean loss. A target
    given as a ``Value`` holding a class index is picked out with ops (a one-hot
    row built from it), so it replays correctly under ``compile``. The largest
    logit is subtracted first, so ``exp`` cannot overflow; it is taken with
    ``maximum`` nodes, not read from ``.data``, so a compiled replay re-decides it
    (softmax is unchanged by the shift, and the gradient through it sums to zero).
    """
    if logits and isinstance(logits[0], (list, tuple)):
        if isinstance(target, (int, Value)):
            raise ValueError("a batch of logit lists needs a list of targets")
        _check_lengths(logits, target)
        return _mean([_one_cross_entropy(row, t) for row, t in zip(logits, target)])
    return _one_cross_entropy(logits, target)


def _one_cross_entropy(logits: Sequence[Scalar], target: int | Value) -> Value:
    if not logits:
        raise ValueError("softmax cross-entropy needs at least one logit")
    index = target.data if isinstance(target, Value) else target
    whole = index % 1 == 0 if isinstance(target, Value) else isinstance(index, int)
    if isinstance(index, bool) or not whole:
        raise TypeError(f"target must be a class index (int), got {target!r}")
    if not 0 <= index < len(logits):
        raise ValueError(f"target {target} out of range for {len(logits)} logits")
    values = [_as_value(z) for z in logits]
    shift = values[0]
    for z in values[1:]:
        shift = maximum(shift, z)
    shifted = [z - shift for z in values]
    exps = [s.exp() for s in shifted]
    log_sum = _sum(exps).log()
    if isinstance(target, Value):
        return log_sum - dot(_one_hot(target, len(shifted)), shifted)
    return log_sum - shifted[target]


def _one_hot(index: Value, n: int) -> list[Value]:
    # relu(1 - |index - i|) is exactly 1.0 at i == index and 0.0 at every other
    # integer i: the row is ops on the index, so a replay recomputes it.
    return [(1 - _abs(index - i)).relu() for i in range(n)]


def l2(params: Iterable[Value], alpha: float) -> Value:
    """L2 penalty ``alpha * sum(p * p)`` (micrograd's demo uses alpha = 1e-4)."""
    params = list(params)
    if not params:
        raise ValueError("l2 needs at least one parameter")
    # ((p0*p0 + p1*p1) + p2*p2) + ... in one call, as sum() of the squares adds them.
    rest = params[1:]
    return alpha * dot(rest, rest, params[0] * params[0])


def accuracy(scores: Sequence, labels: Sequence) -> float:
    """Fraction of correct predictions.

    Binary: each score is one number or ``Value``; it predicts the positive
    class when > 0, and a label counts as positive when > 0 (so both -1/+1 and
    0/1 labels work). Multi-class: each score is a list, predicting its argmax.
    """
    _check_lengths(scores, labels)
    correct = 0
    for score, label in zip(scores, labels):
        if isinstance(score, (list, tuple)):
            data = [_data(s) for s in score]
            correct += data.index(max(data)) == _data(label)
        else:
            correct += (_data(score) > 0) == (_data(label) > 0)
    return correct / len(labels)


# Alternative names: the seed-era "max-margin" loss, PyTorch-style "bce".
max_margin = hinge
bce = bce_with_logits

__all__ = [
    "accuracy",
    "bce",
    "bce_with_logits",
    "hinge",
    "l2",
    "max_margin",
    "mse",
    "softmax_cross_entropy",
]
