"""The moons demo: train a small MLP on two interleaved half circles.

This is micrograd's demo notebook as a command (``python -m arenagrad demo``):
an ``MLP(2, [16, 16, 1])`` on 100 noisy moons points, max-margin (hinge) loss
plus a 1e-4 L2 penalty, plain SGD with the learning rate falling linearly from
1.0 to 0.1. It prints progress, the final accuracy and the wall time, and
writes ``loss.png``, ``decision_boundary.png`` and (when Graphviz works)
``graph.svg`` of one neuron.

matplotlib and tqdm are optional dependencies (``pip install "arenagrad[demo]"``)
and are imported only when the demo runs.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import losses
from ._core import Value
from .data import make_moons, to_binary01
from .nn import MLP, Neuron
from .optim import SGD, Adam, Optimizer

INSTALL_HINT = 'pip install "arenagrad[demo]"'
LOSS_NAMES = ("hinge", "bce", "mse")
OPTIMIZER_NAMES = ("sgd", "adam")


@dataclass
class DemoConfig:
    steps: int = 100
    seed: int = 1337
    hidden: tuple[int, ...] = (16, 16)
    optimizer: str = "sgd"
    loss: str = "hinge"
    out: Path = Path("arenagrad-demo")
    quiet: bool = False
    points: int = 100
    noise: float = 0.1
    alpha: float = 1e-4  # L2 strength, as in micrograd's demo
    compile: bool = True  # replay the traced loss in C++ (arenagrad.compile)


@dataclass
class TrainResult:
    model: MLP
    X: list[list[float]]
    labels: list[int]
    losses: list[float] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)
    seconds: float = 0.0


# SGD's starting rate per loss: micrograd's 1.0 suits the hinge and BCE losses,
# whose gradients are bounded; MSE's grow with the error and diverge at 1.0.
SGD_BASE_RATES = {"hinge": 1.0, "bce": 1.0, "mse": 0.05}
ADAM_BASE_RATE = 0.05


def make_optimizer(
    name: str, params: list[Value], steps: int, loss: str = "hinge"
) -> Optimizer:
    """SGD or Adam, the rate falling linearly to a tenth (micrograd's schedule)."""

    def decay(k: int) -> float:
        return 1.0 - 0.9 * k / steps

    if name == "sgd":
        base = SGD_BASE_RATES[loss]
        return SGD(params, lr=lambda k: base * decay(k))
    if name == "adam":
        return Adam(params, lr=lambda k: ADAM_BASE_RATE * decay(k))
    raise ValueError(f"optimizer must be one of {OPTIMIZER_NAMES}, got {name!r}")


def targets_for(loss_name: str, labels: list[int]) -> list[float]:
    """Labels in the form each loss expects (-1/+1, or 0/1 for BCE)."""
    if loss_name == "bce":
        return to_binary01(labels)
    return [float(y) for y in labels]


def compute_loss(
    model: MLP, X: list[list[float]], targets: list[float], loss_name: str, alpha: float
) -> tuple[Value, list[Value]]:
    """Forward pass over the whole set: (data loss + L2 penalty, scores)."""
    scores = [model(x) for x in X]
    if loss_name == "hinge":
        data_loss = losses.hinge(scores, targets)
    elif loss_name == "bce":
        data_loss = losses.bce_with_logits(scores, targets)
    elif loss_name == "mse":
        data_loss = losses.mse(scores, targets)
    else:
        raise ValueError(f"loss must be one of {LOSS_NAMES}, got {loss_name!r}")
    return data_loss + losses.l2(model.parameters(), alpha), scores


def train_step(
    model: MLP,
    optimizer: Optimizer,
    X: list[list[float]],
    targets: list[float],
    config: DemoConfig,
) -> tuple[float, float]:
    """One full-batch step; returns (loss, accuracy) measured before the update.

    Kept separate so an alternative step (a recorded, replayed graph, say) can
    be passed to ``train`` instead.
    """
    loss, scores = compute_loss(model, X, targets, config.loss, config.alpha)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.data, losses.accuracy(scores, targets)


class CompiledTrainStep:
    """``train_step`` with the loss traced once and replayed in C++ afterwards.

    The compiled function takes the points and returns the loss and the scores;
    the model, targets and loss choice are fixed when it is traced (once per
    model). Losses, gradients and updates are bit-identical to ``train_step``.
    """

    def __init__(self) -> None:
        self.model: MLP | None = None
        self.compiled: Callable | None = None

    def __call__(
        self,
        model: MLP,
        optimizer: Optimizer,
        X: list[list[float]],
        targets: list[float],
        config: DemoConfig,
    ) -> tuple[float, float]:
        from .compiled import compile as compile_loss

        if model is not self.model:

            def loss_and_scores(points: list[list[float]]) -> tuple[Value, ...]:
                loss, scores = compute_loss(
                    model, points, targets, config.loss, config.alpha
                )
                return (loss, *scores)

            self.model, self.compiled = model, compile_loss(loss_and_scores)
        loss, *scores = self.compiled(X)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.data, losses.accuracy(scores, targets)


StepFunction = Callable[[MLP, Optimizer, list, list, DemoConfig], "tuple[float, float]"]
ProgressCallback = Callable[[int, float, float], None]


def train(
    config: DemoConfig,
    on_step: ProgressCallback | None = None,
    step_fn: StepFunction = train_step,
) -> TrainResult:
    """Build data, model and optimizer from ``config`` and run the steps."""
    # The model's weights come from the global generator, as in micrograd.
    random.seed(config.seed)
    X, labels = make_moons(config.points, config.noise, seed=config.seed)
    targets = targets_for(config.loss, labels)
    model = MLP(2, [*config.hidden, 1])
    optimizer = make_optimizer(
        config.optimizer, model.parameters(), config.steps, config.loss
    )
    result = TrainResult(model=model, X=X, labels=labels)
    start = time.perf_counter()
    for k in range(config.steps):
        loss, acc = step_fn(model, optimizer, X, targets, config)
        result.losses.append(loss)
        result.accuracies.append(acc)
        if on_step is not None:
            on_step(k, loss, acc)
    result.seconds = time.perf_counter() - start
    return result


def final_accuracy(model: MLP, X: list[list[float]], labels: list[int]) -> float:
    """Accuracy of the trained model (after the last update)."""
    return losses.accuracy([model(x) for x in X], labels)


# ----------------------------------------------------------------- reporting


class _PlainProgress:
    """One line per step, or every tenth of the run when quiet."""

    def __init__(self, steps: int, every: int = 1):
        self.steps = steps
        self.every = max(1, every)

    def __call__(self, k: int, loss: float, acc: float) -> None:
        if (k + 1) % self.every == 0 or k == self.steps - 1:
            print(f"step {k + 1:4d}/{self.steps}  loss {loss:.4f}  accuracy {acc:.1%}")

    def close(self) -> None:
        pass


class _BarProgress:
    def __init__(self, steps: int, tqdm_class: type, stream):
        self.bar = tqdm_class(total=steps, desc="training", unit="step", file=stream)

    def __call__(self, k: int, loss: float, acc: float) -> None:
        self.bar.set_postfix(loss=f"{loss:.4f}", accuracy=f"{acc:.1%}", refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _make_progress(config: DemoConfig, stream=None):
    """A progress bar on a terminal, plain lines otherwise."""
    stream = sys.stderr if stream is None else stream  # where tqdm draws
    if config.quiet:
        return _PlainProgress(config.steps, every=config.steps // 10)
    if not stream.isatty():
        return _PlainProgress(config.steps)
    try:
        from tqdm import tqdm
    except ImportError:
        print(f"(no progress bar: tqdm is not installed; {INSTALL_HINT})")
        return _PlainProgress(config.steps)
    return _BarProgress(config.steps, tqdm, stream)


# ----------------------------------------------------------------- pictures


def _new_figure(size: tuple[float, float]):
    # Object-oriented matplotlib on the Agg canvas: no pyplot, no global
    # backend switch, nothing opened on screen.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=100)
    FigureCanvasAgg(fig)
    return fig


def plot_loss(result: TrainResult, path: Path) -> None:
    fig = _new_figure((8, 3.5))
    ax_loss, ax_acc = fig.subplots(1, 2)
    steps = range(1, len(result.losses) + 1)
    ax_loss.plot(steps, result.losses, color="tab:blue")
    ax_loss.set(title="loss", xlabel="step", yscale="log")
    ax_acc.plot(steps, [100 * a for a in result.accuracies], color="tab:green")
    ax_acc.set(title="training accuracy (%)", xlabel="step", ylim=(0, 102))
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)


def plot_decision_boundary(result: TrainResult, path: Path, cells: int = 60) -> None:
    xs = [p[0] for p in result.X]
    ys = [p[1] for p in result.X]
    x_lo, x_hi = min(xs) - 0.5, max(xs) + 0.5
    y_lo, y_hi = min(ys) - 0.5, max(ys) + 0.5
    grid_x = [x_lo + (x_hi - x_lo) * i / (cells - 1) for i in range(cells)]
    grid_y = [y_lo + (y_hi - y_lo) * j / (cells - 1) for j in range(cells)]
    scores = [[result.model([gx, gy]).data for gx in grid_x] for gy in grid_y]

    fig = _new_figure((6, 5))
    ax = fig.subplots()
    ax.contourf(
        grid_x, grid_y, scores, levels=[-1e300, 0, 1e300], colors=["#f4c7c3", "#c6dbef"]
    )
    ax.contour(grid_x, grid_y, scores, levels=[0], colors="k", linewidths=1)
    colors = ["tab:red" if y < 0 else "tab:blue" for y in result.labels]
    ax.scatter(xs, ys, c=colors, s=25, edgecolors="k", linewidths=0.5)
    ax.set(
        title="decision boundary (score = 0)",
        xlabel="x0",
        ylabel="x1",
        xlim=(x_lo, x_hi),
        ylim=(y_lo, y_hi),
    )
    fig.tight_layout()
    fig.savefig(path)


def neuron_graph(model: MLP, x: list[float]) -> Value:
    """One first-layer neuron on one input, with labelled nodes, back-propagated."""
    trained = model.layers[0].neurons[0]
    neuron = Neuron(len(x), name=0)
    neuron.load_state_dict(trained.state_dict())
    for i, w in enumerate(neuron.weights):
        w.label = f"w{i}"
    neuron.bias.label = "b"
    inputs = []
    for i, xi in enumerate(x):
        v = Value(xi)
        v.label = f"x{i}"
        inputs.append(v)
    out = neuron(inputs)
    out.label = "out"
    out.backward()
    return out


def write_graph(model: MLP, x: list[float], path: Path) -> str | None:
    """Write graph.svg; return a note explaining why not, or None on success."""
    from .viz import draw_dot

    try:
        source = draw_dot(neuron_graph(model, x), format="svg")
        path.write_bytes(source.pipe(format="svg"))
    except (ImportError, RuntimeError) as exc:
        return f"skipped {path.name}: {exc}"
    except (subprocess.CalledProcessError, OSError) as exc:  # dot itself failed
        return f"skipped {path.name}: Graphviz failed ({exc})"
    return None


# ----------------------------------------------------------------- entry point


def matplotlib_missing() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return True
    return False


def run(config: DemoConfig, step_fn: StepFunction = train_step) -> int:
    """Run the demo end to end; returns a process exit code."""
    started = time.perf_counter()
    if matplotlib_missing():
        print(
            f"error: the demo draws its plots with matplotlib, which is not "
            f"installed. Install the demo extras: {INSTALL_HINT}",
            file=sys.stderr,
        )
        return 1
    hidden = ", ".join(map(str, config.hidden))
    print(
        f"training MLP(2, [{hidden}, 1]) on {config.points} moons points: "
        f"{config.loss} loss + L2 {config.alpha:g}, {config.optimizer}, "
        f"{config.steps} steps, seed {config.seed}"
    )
    progress = _make_progress(config)
    try:
        if config.compile and step_fn is train_step:
            step_fn = CompiledTrainStep()
        result = train(config, on_step=progress, step_fn=step_fn)
    except OverflowError as exc:
        print(
            f"error: training diverged ({exc}); try fewer steps, another "
            "--loss or --optimizer adam",
            file=sys.stderr,
        )
        return 1
    finally:
        progress.close()

    accuracy = final_accuracy(result.model, result.X, result.labels)
    correct = round(accuracy * len(result.labels))
    per_step = 1000 * result.seconds / max(1, config.steps)
    print(f"final accuracy: {accuracy:.1%} ({correct}/{len(result.labels)})")
    print(f"final loss: {result.losses[-1]:.4f} (before the last update)")
    print(
        f"training wall time: {result.seconds:.2f} s for {config.steps} steps "
        f"({per_step:.1f} ms/step)"
    )

    config.out.mkdir(parents=True, exist_ok=True)
    plot_loss(result, config.out / "loss.png")
    print(f"wrote {config.out / 'loss.png'}")
    plot_decision_boundary(result, config.out / "decision_boundary.png")
    print(f"wrote {config.out / 'decision_boundary.png'}")
    note = write_graph(result.model, result.X[0], config.out / "graph.svg")
    print(note if note else f"wrote {config.out / 'graph.svg'}")
    print(f"done in {time.perf_counter() - started:.2f} s (including plots)")
    return 0
