"""The measured code: one function per (workload, engine), each returning numbers.

Every engine trains the same network on the same data: micrograd's demo, an
MLP(2, [16, 16, 1]) on 100 moons points, hinge loss + 1e-4 L2, full batch, SGD.
bench.py runs each function in a fresh interpreter and takes medians.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from pathlib import Path
from typing import Callable

# arenagrad is imported as installed (pip install ".[bench]", or the editable
# install): the source tree's python/ has no compiled _core next to it.

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


def make_compiled_micrograd_way(seed: int):
    """The compiled step as micrograd's loop writes it: model.zero_grad() each step."""
    import arenagrad
    from arenagrad.optim import SGD

    model = _arenagrad_model(seed)
    X, y = moons()
    compiled = arenagrad.compile(lambda points: _fused_loss(model, points, y))
    opt = SGD(model.parameters(), lr=LR)

    def loss():
        return compiled(X)

    def step():
        total = compiled(X)
        model.zero_grad()
        total.backward()
        opt.step()

    return loss, step


def make_replay(seed: int):
    """Forward + backward of the replay alone: no zero_grad, no update."""
    loss, _ = make_compiled(seed)

    def step():
        loss().backward()

    return loss, step


def _mlp_shapes():
    return [(2, 16), (16, 16), (16, 1)]


def _initial_parameters(seed: int) -> list[float]:
    return [p.data for p in _arenagrad_model(seed).parameters()]


def make_casadi(seed: int, jit: bool = False):
    """SX graph of the whole loss, its symbolic gradient, one Function per step."""
    import casadi as ca

    X, y = moons()
    params = _initial_parameters(seed)
    P = ca.SX.sym("p", len(params))
    layers, k = [], 0
    for nin, nout in _mlp_shapes():
        neurons = []
        for _ in range(nout):
            neurons.append(([P[k + i] for i in range(nin)], P[k + nin]))
            k += nin + 1
        layers.append(neurons)
    data_loss = 0
    for row, target in zip(X, y):
        x = list(row)
        for depth, neurons in enumerate(layers):
            outs = []
            for weights, bias in neurons:
                z = bias
                for w, xi in zip(weights, x):
                    z = z + w * xi
                outs.append(ca.fmax(z, 0) if depth < len(layers) - 1 else z)
            x = outs
        data_loss = data_loss + ca.fmax(1 + -target * x[0], 0)
    loss_expr = data_loss * (1.0 / len(X)) + ALPHA * ca.sumsqr(P)
    grad_expr = ca.gradient(loss_expr, P)
    fn = ca.Function("loss_and_grad", [P], [loss_expr, grad_expr])
    if jit:
        fn = _casadi_compiled(ca, fn)
    state = {"p": ca.DM(params)}

    def loss():
        return fn(state["p"])[0]

    def step():
        value, grad = fn(state["p"])
        state["p"] = state["p"] - LR * grad
        return value

    return loss, step


def _casadi_compiled(ca, fn):
    """fn generated as C and built with gcc -O2 (what CasADi's jit does), cached.

    gcc takes minutes over the ~100,000-line file, so the library is kept in
    build/bench/ under the source's hash and reused by later runs.
    """
    import hashlib
    import subprocess
    import tempfile

    cache = Path(__file__).resolve().parents[1] / "build" / "bench"
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        here = os.getcwd()
        os.chdir(tmp)
        try:
            source = Path(tmp) / fn.generate("casadi_moons.c")
        finally:
            os.chdir(here)
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
        library = cache / f"casadi_moons_{digest}.so"
        if not library.exists():
            partial = library.with_suffix(".tmp")
            subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(partial), str(source)],
                           check=True)
            partial.rename(library)
    return ca.external("loss_and_grad", str(library))


def make_casadi_jit(seed: int):
    return make_casadi(seed, jit=True)


def _torch_layout(seed: int):
    """The arenagrad model's initial parameters as per-layer (W, b) arrays."""
    flat, layers, k = _initial_parameters(seed), [], 0
    for nin, nout in _mlp_shapes():
        W, b = [], []
        for _ in range(nout):
            W.append(flat[k:k + nin])
            b.append(flat[k + nin])
            k += nin + 1
        layers.append((W, b))
    return layers


def make_jax(seed: int):
    """jax.jit of value_and_grad plus the SGD update, float64, one thread."""
    os.environ.setdefault(
        "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    )
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    X, y = moons()
    Xj, yj = jnp.array(X, dtype=jnp.float64), jnp.array(y, dtype=jnp.float64)
    params = [(jnp.array(W, dtype=jnp.float64), jnp.array(b, dtype=jnp.float64))
              for W, b in _torch_layout(seed)]

    def loss_fn(params, X, y):
        h = X
        for depth, (W, b) in enumerate(params):
            h = h @ W.T + b
            if depth < len(params) - 1:
                h = jax.nn.relu(h)
        data_loss = jnp.mean(jax.nn.relu(1 - y * h[:, 0]))
        return data_loss + ALPHA * sum(jnp.sum(W * W) + jnp.sum(b * b) for W, b in params)

    @jax.jit
    def train(params, X, y):
        value, grads = jax.value_and_grad(loss_fn)(params, X, y)
        return value, jax.tree_util.tree_map(lambda p, g: p - LR * g, params, grads)

    state = {"params": params}

    def loss():
        return loss_fn(state["params"], Xj, yj)

    def step():
        value, state["params"] = train(state["params"], Xj, yj)
        value.block_until_ready()

    return loss, step


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
    "compiled-mg": make_compiled_micrograd_way,
    "replay": make_replay,
    "casadi": make_casadi,
    "casadi-jit": make_casadi_jit,
    "jax": make_jax,
}


# ---- workloads: each takes (engine, quick) and returns a dict of figures


FLOOR_SOURCE = Path(__file__).resolve().with_name("floor.cpp")


def floor_step(quick: bool) -> dict:
    """The hand-written C++ step (floor.cpp), built here with g++ -O2."""
    import subprocess
    import tempfile

    X, y = moons()
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(tmp) / "floor"
        subprocess.run(["g++", "-O2", "-std=c++17", "-o", str(exe), str(FLOOR_SOURCE)],
                       check=True)
        lines = [str(len(X))] + [f"{r[0]!r} {r[1]!r} {t!r}" for r, t in zip(X, y)]
        lines += [repr(p) for p in _initial_parameters(1)]
        lines += [repr(LR), repr(ALPHA), "3" if quick else "9"]
        out = subprocess.run([str(exe)], input="\n".join(lines), capture_output=True,
                             text=True, check=True)
    figures = json.loads(out.stdout)
    # The same arithmetic in the same order: the first loss matches arenagrad's.
    figures["matches_arenagrad"] = figures["first_loss"] == _fused_loss(
        _arenagrad_model(1), X, y).data
    return figures


def step_time(engine: str, quick: bool) -> dict:
    if engine == "floor":
        return floor_step(quick)
    if engine.startswith("casadi"):
        import time as clock

        start = clock.perf_counter()
        loss, step = ENGINES[engine](seed=1)
        built = clock.perf_counter() - start
        repeats = 3 if quick else 9
        return {"seconds": median_time(step, 50, repeats, warmup=2), "build_seconds": built}
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
