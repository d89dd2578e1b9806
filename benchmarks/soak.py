"""Soak test: long runs that unit tests are too short to show.

1. Training: 10,000 demo-like steps (an MLP(2, [16, 16, 1]) on two interleaved half
   moons, max-margin loss + L2, SGD), rebuilding the graph every step with
   micrograd's API only. RSS is sampled from /proc/self/statm every 100 steps; the
   last sample must be within 5% of the step-100 sample (DESIGN invariant 2).
2. A chain of 10,000,000 nodes is built, back-propagated and freed; the arena's
   live count must return to its baseline (invariant 4).
3. One graph is back-propagated 1,000 times; each leaf's grad must be exactly
   1000 x its single-pass grad (invariant 5), with values chosen so every partial
   sum is exactly representable.

    python benchmarks/soak.py            # full run (minutes)
    python benchmarks/soak.py --quick    # seconds; what a test may run

Exits non-zero if any check fails. Not run by the unit tests (too slow).
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import random
import sys
import time
from typing import Callable, Sequence

import arenagrad
from arenagrad import Value

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE


# --- the model: arenagrad.nn when present, else the same thing from Values ----------


def make_model(seed: int) -> tuple[Callable[[Sequence[float]], Value], list[Value]]:
    random.seed(seed)
    try:
        from arenagrad.nn import MLP
    except ImportError:
        return _plain_mlp(2, [16, 16, 1])
    model = MLP(2, [16, 16, 1])
    return model, model.parameters()


def _plain_mlp(n_in: int, sizes: list[int]):
    dims = [n_in] + sizes
    layers = [
        [([Value(random.uniform(-1, 1)) for _ in range(a)], Value(0.0)) for _ in range(b)]
        for a, b in zip(dims, dims[1:])
    ]

    def forward(x: Sequence[float]) -> Value:
        out: list = list(x)
        for depth, layer in enumerate(layers):
            last = depth == len(layers) - 1
            out = [sum((w * xi for w, xi in zip(ws, out)), b) for ws, b in layer]
            out = out if last else [v.relu() for v in out]
        return out[0]

    params = [p for layer in layers for ws, b in layer for p in (*ws, b)]
    return forward, params


def moons(n: int, seed: int) -> tuple[list[list[float]], list[float]]:
    """Two interleaved half circles with a little noise, labels -1/+1."""
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        t = math.pi * (i // 2) / max(1, n // 2 - 1)
        if i % 2 == 0:
            point, label = [math.cos(t), math.sin(t)], -1.0
        else:
            point, label = [1.0 - math.cos(t), 0.5 - math.sin(t)], 1.0
        X.append([c + rng.gauss(0.0, 0.1) for c in point])
        y.append(label)
    return X, y


def soak_training(steps: int, batch: int, every: int) -> bool:
    model, params = make_model(seed=1337)
    X, y = moons(100, seed=7)
    rng = random.Random(11)
    curve: list[tuple[int, int]] = []
    started = time.perf_counter()
    for k in range(1, steps + 1):
        rows = rng.sample(range(len(X)), batch)
        scores = [model(X[i]) for i in rows]
        losses = [(1 + -y[i] * s).relu() for i, s in zip(rows, scores)]
        data_loss = sum(losses) * (1.0 / batch)
        reg_loss = 1e-4 * sum(p * p for p in params)
        total = data_loss + reg_loss
        for p in params:
            p.grad = 0.0
        total.backward()
        rate = 1.0 - 0.9 * k / steps
        for p in params:
            p.data -= rate * p.grad
        if k % every == 0:
            curve.append((k, rss_bytes()))
    elapsed = time.perf_counter() - started

    reference = curve[0][1]  # step `every` (100): the process has warmed up
    last = curve[-1][1]
    drift = (last - reference) / reference
    mib = [f"{r / 2**20:.1f}" for _, r in curve]
    print(f"training: {steps} steps, batch {batch}, {elapsed:.1f} s "
          f"({1e3 * elapsed / steps:.2f} ms/step), final loss {total.data:.4f}")
    print(f"  RSS MiB every {every} steps: {' '.join(mib)}")
    print(f"  RSS step {curve[0][0]}: {reference / 2**20:.1f} MiB, step {curve[-1][0]}: "
          f"{last / 2**20:.1f} MiB, drift {100 * drift:+.2f}% "
          f"(min {min(r for _, r in curve) / 2**20:.1f}, "
          f"max {max(r for _, r in curve) / 2**20:.1f}); arena {arenagrad.arena_stats()}")
    ok = abs(drift) <= 0.05
    print(f"  {'PASS' if ok else 'FAIL'}: last sample within 5% of step {curve[0][0]}")
    return ok


def soak_chain(length: int) -> bool:
    gc.collect()
    baseline = arenagrad.arena_stats()["live"]
    started = time.perf_counter()
    x = Value(1.0)
    y = x
    for _ in range(length):
        y = -y  # one node per step; the sign flips, so the data stays +-1
    built = time.perf_counter()
    peak = arenagrad.arena_stats()["live"]
    y.backward()
    backward_done = time.perf_counter()
    expected = 1.0 if length % 2 == 0 else -1.0
    grads_ok = x.grad == expected and y.data == expected
    del y
    freed = time.perf_counter()
    live_after = arenagrad.arena_stats()["live"] - 1  # x itself still lives
    del x
    print(f"chain: {length:,} nodes: build {built - started:.2f} s, backward "
          f"{backward_done - built:.2f} s, free {freed - backward_done:.2f} s; "
          f"live {baseline} -> {peak:,} -> {live_after}; RSS {rss_bytes() / 2**20:.0f} MiB")
    ok = grads_ok and live_after == baseline and peak >= length
    print(f"  {'PASS' if ok else 'FAIL'}: gradient exact, every node freed")
    return ok


def soak_repeated_backward(repeats: int) -> bool:
    """Leaves are multiples of 1/8 and the ops (+ - * relu neg /2 **2) keep every
    gradient a short dyadic fraction, so repeated sums are exact in float64."""
    rng = random.Random(3)
    leaves = [Value(rng.randint(-16, 16) / 8) for _ in range(24)]
    terms = []
    for i in range(0, len(leaves), 3):
        a, b, c = leaves[i : i + 3]
        terms.append((a * b - c).relu() + (a - 0.5) ** 2 + -(b * c) / 2)
    root = sum(terms[1:], terms[0]) * (terms[0] + terms[-1])
    root.backward()
    single = [leaf.grad for leaf in leaves]
    for leaf in leaves:
        leaf.grad = 0.0
    started = time.perf_counter()
    for _ in range(repeats):
        root.backward()
    elapsed = time.perf_counter() - started
    exact = all(leaf.grad == repeats * g for leaf, g in zip(leaves, single))
    nonzero = sum(g != 0.0 for g in single)
    print(f"repeated backward: {repeats} passes over one graph in {elapsed:.2f} s; "
          f"{nonzero}/{len(leaves)} leaves with non-zero grad")
    print(f"  {'PASS' if exact else 'FAIL'}: every leaf grad == {repeats} x single grad")
    return exact and nonzero > 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small sizes (1,000 steps, 100,000-node chain, 100 passes)")
    parser.add_argument("--steps", type=int, help="training steps (default 10,000)")
    parser.add_argument("--batch", type=int, default=16, help="points per step")
    parser.add_argument("--every", type=int, default=100, help="RSS sample period")
    parser.add_argument("--chain", type=int, help="chain length (default 10,000,000)")
    parser.add_argument("--repeats", type=int, help="backward passes (default 1,000)")
    args = parser.parse_args(argv)
    steps = args.steps or (1_000 if args.quick else 10_000)
    chain = args.chain or (100_000 if args.quick else 10_000_000)
    repeats = args.repeats or (100 if args.quick else 1_000)
    if steps < 2 * args.every:
        parser.error("--steps must cover at least two RSS samples")

    started = time.perf_counter()
    results = [
        soak_training(steps, args.batch, args.every),
        soak_chain(chain),
        soak_repeated_backward(repeats),
    ]
    print(f"soak: {'PASS' if all(results) else 'FAIL'} in "
          f"{time.perf_counter() - started:.1f} s")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
