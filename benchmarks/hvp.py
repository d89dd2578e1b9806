"""Hessian-vector product of the moons demo loss against one gradient of it.

    python benchmarks/hvp.py [--quick]

The loss is micrograd's demo (MLP(2, [16, 16, 1]), 100 moons points, hinge + L2,
built with the fused dot/vsum). An hvp is reverse over reverse: one create_graph
sweep (which builds the gradient as nodes) and one plain sweep of sum_i v_i g_i.
Two ratios are printed:

* sweeps only: the loss graph is built once, and each side times only its sweeps
  (grad(loss) vs the two sweeps of the hvp), the ratio the 4-5x bound is about;
* end to end: each side also rebuilds the loss from Python first, as a training
  loop would.

Times are CPU time. Each measurement runs in a fresh interpreter (the arena's free list after one
workload would change the next one's memory layout) after a warm-up that reaches
the steady state of a loop; the medians of several runs are printed. The hvp is
checked against a central difference of the gradient first.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import workloads
from arenagrad import Value, grad

KINDS = ("sweep_grad", "sweep_hvp", "full_grad", "full_hvp")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--one", choices=KINDS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.quick)))
        return
    runs = 1 if args.quick else 3
    seconds: dict[str, list[float]] = {k: [] for k in KINDS}
    for _ in range(runs):
        for kind in KINDS:
            command = [sys.executable, str(Path(__file__).resolve()), "--one", kind]
            if args.quick:
                command.append("--quick")
            out = subprocess.run(
                command, capture_output=True, text=True, check=True
            ).stdout
            result = json.loads(out)
            seconds[kind].append(result["seconds"])
            nodes, n_params = result["nodes"], result["params"]
    t = {k: statistics.median(v) for k, v in seconds.items()}
    print(f"moons demo loss: {n_params} parameters, {nodes:,} nodes")
    for label, grad_key, hvp_key in (
        ("sweeps only", "sweep_grad", "sweep_hvp"),
        ("end to end ", "full_grad", "full_hvp"),
    ):
        print(
            f"{label}:  gradient {t[grad_key] * 1e6:9.1f} us   hvp {t[hvp_key] * 1e6:9.1f} us"
            f"   hvp/gradient {t[hvp_key] / t[grad_key]:5.2f}x"
        )


def measure(kind: str, quick: bool) -> dict:
    inner, repeats = (3, 3) if quick else (10, 7)
    model = workloads._arenagrad_model(1337)
    X, y = workloads.moons()
    params = model.parameters()
    rng = random.Random(0)
    v = [rng.uniform(-1, 1) for _ in params]

    def loss() -> Value:
        return workloads._fused_loss(model, X, y)

    def gradient(total: Value) -> list[Value]:
        return grad(total, params)

    def hessian_vector(total: Value) -> list[Value]:
        first = grad(total, params, create_graph=True)
        return grad(first, params, grad_outputs=v)

    if kind == "sweep_hvp":
        check(loss, params, v, hessian_vector)

    built = loss()
    work = {
        "sweep_grad": lambda: gradient(built),
        "sweep_hvp": lambda: hessian_vector(built),
        "full_grad": lambda: gradient(loss()),
        "full_hvp": lambda: hessian_vector(loss()),
    }[kind]
    seconds = cpu_median(work, inner, repeats, warmup=5)
    return {"seconds": seconds, "nodes": count_nodes(built), "params": len(params)}


def cpu_median(fn, inner: int, repeats: int, warmup: int) -> float:
    """Median over `repeats` of the mean CPU seconds per call over `inner` calls.

    CPU time rather than wall time: this machine is shared, and a descheduled
    process would otherwise charge other processes' time to whichever side ran then.
    """
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(inner):
            fn()
        samples.append((time.process_time() - start) / inner)
    return statistics.median(samples)


def check(loss, params: list[Value], v: list[float], hessian_vector) -> None:
    """H v against (g(p + h v) - g(p - h v)) / 2h, before anything is timed."""
    hv = [h.data for h in hessian_vector(loss())]
    h = 1e-6
    saved = [p.data for p in params]
    sides = []
    for sign in (1, -1):
        for p, p0, vi in zip(params, saved, v):
            p.data = p0 + sign * h * vi
        sides.append([g.data for g in grad(loss(), params)])
    for p, p0 in zip(params, saved):
        p.data = p0
    numeric = [(a - b) / (2 * h) for a, b in zip(*sides)]
    worst = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(hv, numeric))
    if worst > 1e-4:
        raise SystemExit(
            f"hvp disagrees with finite differences of the gradient: {worst:.2e}"
        )


def count_nodes(root: Value) -> int:
    seen, stack = {root}, [root]
    while stack:
        for child in stack.pop()._prev:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return len(seen)


if __name__ == "__main__":
    main()
