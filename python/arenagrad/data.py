"""Small deterministic 2-D data sets for demos and tests (no numpy needed).

Each generator draws from its own ``random.Random(seed)``, so the same
arguments always give the same points, and the global ``random`` state (which
initialises network weights) is left alone.

Returns ``(X, y)``: ``X`` is a list of ``[x0, x1]`` float pairs and ``y`` a list
of labels, -1/+1 for the two-class sets (``make_moons``, ``make_circles``:
ready for the hinge loss) and class indices 0..k-1 for ``make_blobs``. Use
``to_binary01`` to turn -1/+1 labels into the 0/1 targets that
``losses.bce_with_logits`` wants.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
L = TypeVar("L")

Points = list[list[float]]


def _check(n: int, noise: float) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an int >= 2, got {n!r}")
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")


def _finish(
    points: Points, labels: list[int], noise: float, rng: random.Random
) -> tuple[Points, list[int]]:
    # Jitter every coordinate, then shuffle so the classes are interleaved.
    X = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for x, y in points]
    order = list(range(len(X)))
    rng.shuffle(order)
    return [X[i] for i in order], [labels[i] for i in order]


def _arc_angles(count: int) -> list[float]:
    # count angles evenly spaced over [0, pi], both ends included.
    if count == 1:
        return [0.0]
    return [math.pi * i / (count - 1) for i in range(count)]


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int = 0
) -> tuple[Points, list[int]]:
    """Two interleaved half circles: upper moon labelled -1, lower moon +1."""
    _check(n, noise)
    rng = random.Random(seed)
    n_upper = n // 2
    upper = [[math.cos(t), math.sin(t)] for t in _arc_angles(n_upper)]
    lower = [[1 - math.cos(t), 0.5 - math.sin(t)] for t in _arc_angles(n - n_upper)]
    labels = [-1] * len(upper) + [1] * len(lower)
    return _finish(upper + lower, labels, noise, rng)


def make_circles(
    n: int = 100, noise: float = 0.05, seed: int = 0, factor: float = 0.5
) -> tuple[Points, list[int]]:
    """A unit circle (label -1) around a circle of radius ``factor`` (+1)."""
    _check(n, noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be in (0, 1), got {factor!r}")
    rng = random.Random(seed)
    n_outer = n // 2
    n_inner = n - n_outer

    def ring(count: int, radius: float) -> Points:
        step = 2 * math.pi / count
        return [
            [radius * math.cos(i * step), radius * math.sin(i * step)]
            for i in range(count)
        ]

    labels = [-1] * n_outer + [1] * n_inner
    return _finish(ring(n_outer, 1.0) + ring(n_inner, factor), labels, noise, rng)


def make_blobs(
    n: int = 100,
    centers: int | Sequence[Sequence[float]] = 3,
    std: float = 0.5,
    seed: int = 0,
    box: tuple[float, float] = (-5.0, 5.0),
) -> tuple[Points, list[int]]:
    """Gaussian clusters labelled 0..k-1, as evenly sized as ``n`` allows.

    ``centers`` is either a count (centers drawn uniformly from ``box`` in both
    coordinates) or an explicit list of ``[x0, x1]`` centers.
    """
    _check(n, std)
    rng = random.Random(seed)
    if isinstance(centers, int):
        if centers < 1:
            raise ValueError(f"centers must be >= 1, got {centers}")
        centers = [[rng.uniform(*box), rng.uniform(*box)] for _ in range(centers)]
    centers = [[float(c[0]), float(c[1])] for c in centers]
    if not centers:
        raise ValueError("centers must not be empty")
    labels = [i % len(centers) for i in range(n)]
    points = [list(centers[label]) for label in labels]
    return _finish(points, labels, std, rng)


def to_binary01(labels: Sequence[int]) -> list[float]:
    """Map -1/+1 labels to 0.0/1.0 targets (anything > 0 becomes 1.0)."""
    return [1.0 if y > 0 else 0.0 for y in labels]


def batches(
    X: Sequence[T],
    y: Sequence[L],
    batch_size: int,
    shuffle: bool = True,
    seed: int | None = None,
    drop_last: bool = False,
) -> Iterator[tuple[list[T], list[L]]]:
    """One pass (an epoch) over ``(X, y)`` in mini-batches of ``batch_size``.

    Yields ``(X_batch, y_batch)`` lists. With ``shuffle`` the order is a fresh
    permutation drawn from ``random.Random(seed)``, or from the global ``random``
    generator when ``seed`` is None (so ``random.seed(k)`` reproduces it, as it
    does the weights). The last batch is smaller when ``batch_size`` does not
    divide ``len(X)``, unless ``drop_last``; under ``arenagrad.compile`` a
    smaller batch is a new argument structure and is traced once more.
    """
    if len(X) != len(y):
        raise ValueError(f"got {len(X)} samples but {len(y)} labels")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise TypeError(f"batch_size must be an int, not {type(batch_size).__name__!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    order = list(range(len(X)))
    if shuffle:
        rng: Any = random if seed is None else random.Random(seed)
        rng.shuffle(order)
    stop = len(order) - len(order) % batch_size if drop_last else len(order)
    # Checked and shuffled now, at the call; only the slicing is lazy.
    return _slices(X, y, order, batch_size, stop)


def _slices(
    X: Sequence[T], y: Sequence[L], order: list[int], batch_size: int, stop: int
) -> Iterator[tuple[list[T], list[L]]]:
    for start in range(0, stop, batch_size):
        chosen = order[start : start + batch_size]
        yield [X[i] for i in chosen], [y[i] for i in chosen]


__all__ = ["batches", "make_blobs", "make_circles", "make_moons", "to_binary01"]
