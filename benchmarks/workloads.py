"""The measured code: one function per (workload, engine), each returning numbers.

Every engine trains the same network on the same data: micrograd's demo, an
MLP(2, [16, 16, 1]) on 100 moons points, hinge loss + 1e-4 L2, full batch, SGD.
bench.py runs each function in a fresh interpreter and takes medians.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

ALPHA = 1e-4
LR = 0.05
POINTS = 100


def moons() -> tuple[list[list[float]], list[float]]:
    from arenagrad import data

    X, labels = data.make_moons(POINTS, noise=0.1, seed=2)
    return [list(map(float, row)) for row in X], [float(y) for y in labels]


def median_time(fn: Callable[[], object], inner: int, repeats: int, warmup: int = 1) -> float:
    """Median over `repeats` of the mean seconds per call over `inner` calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner)
    return statistics.median(samples)


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# ---- the demo step, per engine: make(seed) -> (loss_fn, step_fn)


def _karpathy_loss(model_forward, make_input, params, X, y, add_all):
    """micrograd's demo loss, written once for every scalar engine."""
    inputs = [make_input(row) for row in X]
    scores = [model_forward(x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = add_all(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * add_all([p * p for p in params()])
    return data_loss + reg_loss


def make_micrograd(seed: int):
    from micrograd.engine import Value
    from micrograd.nn import MLP

    random.seed(seed)
    model = MLP(2, [16, 16, 1])
    X, y = moons()

    def loss():
        return _karpathy_loss(
            model, lambda row: list(map(Value, row)), model.parameters, X, y, sum
        )

    def step():
        total = loss()
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= LR * p.grad

    return loss, step


def _arenagrad_model(seed: int):
    from arenagrad import nn

    random.seed(seed)
    return nn.MLP(2, [16, 16, 1])


def _forward_per_op(model, x):
    # The Python sum, whatever nn.Neuron._affine does: one crossing per * and +.
    for layer in model.layers:
        outs = []
        for n in layer.neurons:
            act = sum((wi * xi for wi, xi in zip(n.weights, x)), n.bias)
            outs.append(act.relu() if n.is_nonlinear else act)
        x = outs if len(outs) != 1 else outs[0]
    return x


def _forward_fused(model, x):
    from arenagrad import dot

    for layer in model.layers:
        outs = []
        for n in layer.neurons:
            act = dot(n.weights, x, n.bias)
            outs.append(act.relu() if n.is_nonlinear else act)
        x = outs if len(outs) != 1 else outs[0]
    return x


def _fused_loss(model, X, y):
    from arenagrad import dot, vsum

    scores = [_forward_fused(model, row) for row in X]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    params = model.parameters()
    return vsum(losses) * (1.0 / len(losses)) + ALPHA * dot(params, params)


def _arenagrad_step(model, loss):
    # zero_grad and the SGD update through arenagrad.optim, as a user writes them
    # (one C++ call each for plain SGD, not a Python loop over the parameters).
    from arenagrad.optim import SGD

    opt = SGD(model.parameters(), lr=LR)

    def step():
        total = loss()
        opt.zero_grad()
        total.backward()
        opt.step()

    return step


def make_plain(seed: int):
    from arenagrad import Value

    model = _arenagrad_model(seed)
    X, y = moons()

    def loss():
        return _karpathy_loss(
            lambda x: _forward_per_op(model, x),
            lambda row: list(map(Value, row)),
            model.parameters,
            X,
            y,
            sum,
        )

    return loss, _arenagrad_step(model, loss)


def make_fused(seed: int):
    model = _arenagrad_model(seed)
    X, y = moons()

    def loss():
        return _fused_loss(model, X, y)

    return loss, _arenagrad_step(model, loss)


def make_compiled(seed: int):
    import arenagrad

    model = _arenagrad_model(seed)
    X, y = moons()
    compiled = arenagrad.compile(lambda points: _fused_loss(model, points, y))

    def loss():
        return compiled(X)

    return loss, _arenagrad_step(model, loss)


def make_torch(seed: int):
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    X, y = moons()
    Xt = torch.tensor(X, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)
    model = torch.nn.Sequential(
        torch.nn.Linear(2, 16), torch.nn.ReLU(),
        torch.nn.Linear(16, 16), torch.nn.ReLU(),
        torch.nn.Linear(16, 1),
    ).double()
    params = list(model.parameters())

    def loss():
        scores = model(Xt).squeeze(1)
        data_loss = torch.relu(1 - yt * scores).mean()
        return data_loss + ALPHA * sum((p * p).sum() for p in params)

    def step():
        total = loss()
        model.zero_grad()
        total.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad

    return loss, step


ENGINES = {
    "micrograd": make_micrograd,
    "plain": make_plain,
    "fused": make_fused,
    "compiled": make_compiled,
    "torch": make_torch,
}


# ---- workloads: each takes (engine, quick) and returns a dict of figures


def step_time(engine: str, quick: bool) -> dict:
    loss, step = ENGINES[engine](seed=1)
    inner = {"micrograd": 1, "plain": 3, "fused": 5}.get(engine, 50)
    repeats = 3 if quick else (5 if engine == "micrograd" else 9)
    return {"seconds": median_time(step, inner, repeats, warmup=2)}


def forward_time(engine: str, quick: bool) -> dict:
    loss, _ = ENGINES[engine](seed=1)
    inner = 1 if engine == "micrograd" else 3
    repeats = 3 if quick else 7
    nodes = _count_nodes(loss(), engine)
    return {"seconds": median_time(loss, inner, repeats), "nodes": nodes}


def backward_time(engine: str, quick: bool) -> dict:
    loss, _ = ENGINES[engine](seed=1)
    total = loss()
    nodes = _count_nodes(total, engine)
    repeats = 3 if quick else 7
    seconds = median_time(total.backward, 1 if engine == "micrograd" else 5, repeats)
    return {"seconds": seconds, "nodes": nodes, "ns_per_node": seconds / nodes * 1e9}


def _count_nodes(root, engine: str) -> int:
    if engine == "compiled":
        return 0
    seen, stack = set(), [root]
    while stack:
        v = stack.pop()
        if id(v) in seen if engine == "micrograd" else v in seen:
            continue
        seen.add(id(v) if engine == "micrograd" else v)
        stack.extend(v._prev)
    return len(seen)


def chain_backward(engine: str, quick: bool) -> dict:
    """x = x + one, n times: a graph as deep as it is long."""
    import arenagrad

    n = 200_000 if quick else 2_000_000
    one = arenagrad.Value(1e-9)
    x = arenagrad.Value(0.0)
    for _ in range(n):
        x = x + one
    nodes = n + 2
    seconds = median_time(x.backward, 1, 3 if quick else 5)
    return {"seconds": seconds, "nodes": nodes, "ns_per_node": seconds / nodes * 1e9}


OP_FORMS = {
    "a*b + c": "a * b + c",
    "a + b": "a + b",
    "a + 2.0": "a + 2.0",
    "2.0 + a": "2.0 + a",
    "a * 2.0": "a * 2.0",
    "2.0 / a": "2.0 / a",
}


def op_overhead(engine: str, quick: bool) -> dict:
    """ns per loop iteration of each expression (result discarded at once)."""
    if engine == "micrograd":
        from micrograd.engine import Value
    else:
        from arenagrad import Value
    n = 20_000 if quick else 200_000
    out = {}
    for name, expr in OP_FORMS.items():
        namespace = {"a": Value(1.5), "b": Value(-0.5), "c": Value(2.0)}
        exec(f"def run(n):\n    for _ in range(n):\n        {expr}\n", namespace)
        run = namespace["run"]
        seconds = median_time(lambda: run(n), 1, 5 if quick else 9)
        out[name] = seconds / n * 1e9
    return out


def memory(engine: str, quick: bool) -> dict:
    """RSS after step 10 and after the last step of an unchanged training loop."""
    _, step = ENGINES[engine](seed=1)
    last = 200 if quick else 1000
    figures = {}
    for k in range(1, last + 1):
        step()
        if k in (10, last):
            figures[f"rss_step_{k}"] = rss_bytes()
    figures["last_step"] = last
    if engine in ("plain", "fused", "compiled"):
        import arenagrad

        figures.update({f"arena_{key}": v for key, v in arenagrad.arena_stats().items()})
    return figures


WORKLOADS = {
    "step": step_time,
    "forward": forward_time,
    "backward": backward_time,
    "chain": chain_backward,
    "ops": op_overhead,
    "memory": memory,
}
