"""The moons demo: train a small MLP on two interleaved half circles.

micrograd's demo notebook as a command (``python -m arenagrad demo``): an
``MLP(2, [16, 16, 1])`` on 100 noisy moons points, max-margin (hinge) loss plus
a 1e-4 L2 penalty, SGD with the rate falling linearly to a tenth. It prints
progress, the final accuracy and the wall time, and writes ``loss.png``,
``decision_boundary.png`` and ``graph.svg`` (one neuron, drawn by Graphviz).

matplotlib, tqdm and graphviz come with ``pip install "arenagrad[demo]"`` and
are imported only when the demo runs.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, NamedTuple, Optional

from . import losses
from ._core import Value
from .compiled import compile as compile_step
from .data import make_moons, to_binary01
from .mode import no_grad
from .nn import MLP, Neuron
from .optim import SGD, Adam, Optimizer

INSTALL_HINT = 'pip install "arenagrad[demo]"'
DOT_HINT = "install Graphviz for graph.svg: apt install graphviz, brew install graphviz or graphviz.org"


class LossChoice(NamedTuple):
    fn: Callable[..., Any]  # (scores, targets) -> Value
    targets: Callable[[list[int]], list[float]]  # from -1/+1 labels
    sgd_rate: float  # SGD's starting rate


# The one list of choices, shared with the CLI. MSE's gradients grow with the
# error and diverge at micrograd's rate of 1.0; hinge and BCE's are bounded.
LOSSES = {
    "hinge": LossChoice(losses.hinge, lambda y: [float(v) for v in y], 1.0),
    "bce": LossChoice(losses.bce_with_logits, to_binary01, 1.0),
    "mse": LossChoice(losses.mse, lambda y: [float(v) for v in y], 0.05),
}
OPTIMIZERS: dict[str, Callable[[list, LossChoice, Callable[[int], float]], Optimizer]] = {
    "sgd": lambda params, loss, decay: SGD(params, lr=lambda k: loss.sgd_rate * decay(k)),
    "adam": lambda params, loss, decay: Adam(params, lr=lambda k: 0.05 * decay(k)),
}


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
    compile: bool = True  # replay the traced step in C++ (arenagrad.compile)


@dataclass
class TrainResult:
    model: MLP
    X: list[list[float]]
    labels: list[int]
    losses: list[float] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)
    seconds: float = 0.0


def train(
    config: DemoConfig, on_step: Optional[Callable[[int, float, float], None]] = None
) -> TrainResult:
    """Build data, model and optimizer from ``config`` and run the steps.

    With ``config.compile`` the step is traced once and replayed in C++; losses,
    gradients and updates are bit-identical either way.
    """
    random.seed(config.seed)  # the weights come from the global generator
    X, labels = make_moons(config.points, config.noise, seed=config.seed)
    choice = LOSSES[config.loss]
    targets = choice.targets(labels)
    model = MLP(2, [*config.hidden, 1])
    optimizer = OPTIMIZERS[config.optimizer](
        model.parameters(), choice, lambda k: 1.0 - 0.9 * k / config.steps
    )

    def loss_and_scores(points: list[list[float]], ys: list[float]) -> tuple:
        # The data are arguments, so a compiled replay sees them (nothing frozen).
        scores = [model(x) for x in points]
        loss = choice.fn(scores, ys) + losses.l2(model.parameters(), config.alpha)
        return (loss, *scores)

    step = compile_step(loss_and_scores) if config.compile else loss_and_scores
    result = TrainResult(model=model, X=X, labels=labels)
    start = time.perf_counter()
    for k in range(config.steps):
        loss, *scores = step(X, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        result.losses.append(loss.data)
        result.accuracies.append(losses.accuracy(scores, targets))
        if on_step is not None:
            on_step(k, result.losses[-1], result.accuracies[-1])
    result.seconds = time.perf_counter() - start
    return result


@no_grad()
def final_accuracy(model: MLP, X: list[list[float]], labels: list[int]) -> float:
    """Accuracy of the trained model (after the last update); builds no graph."""
    return losses.accuracy([model(x) for x in X], labels)


# ----------------------------------------------------------------- progress


class _PlainProgress:
    """One line per step, or every tenth of the run when quiet."""

    def __init__(self, steps: int, every: int = 1):
        self.steps, self.every = steps, max(1, every)

    def __call__(self, k: int, loss: float, acc: float) -> None:
        if (k + 1) % self.every == 0 or k == self.steps - 1:
            print(f"step {k + 1:4d}/{self.steps}  loss {loss:.4f}  accuracy {acc:.1%}")

    def close(self) -> None:
        pass


class _BarProgress:
    def __init__(self, steps: int, tqdm_class: type, stream: Any):
        self.bar = tqdm_class(total=steps, desc="training", unit="step", file=stream)

    def __call__(self, k: int, loss: float, acc: float) -> None:
        self.bar.set_postfix(loss=f"{loss:.4f}", accuracy=f"{acc:.1%}", refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _make_progress(config: DemoConfig, stream: Any = None) -> Any:
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


def _new_figure(size: tuple[float, float]) -> Any:
    # Object-oriented matplotlib on the Agg canvas: no pyplot, nothing on screen.
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


@no_grad()  # 3,600 forward passes for the picture: no graph needed
def plot_decision_boundary(result: TrainResult, path: Path, cells: int = 60) -> None:
    xs, ys = [p[0] for p in result.X], [p[1] for p in result.X]
    x_lo, x_hi, y_lo, y_hi = min(xs) - 0.5, max(xs) + 0.5, min(ys) - 0.5, max(ys) + 0.5
    grid_x = [x_lo + (x_hi - x_lo) * i / (cells - 1) for i in range(cells)]
    grid_y = [y_lo + (y_hi - y_lo) * j / (cells - 1) for j in range(cells)]
    scores = [[result.model([gx, gy]).data for gx in grid_x] for gy in grid_y]
    fig = _new_figure((6, 5))
    ax = fig.subplots()
    ax.contourf(grid_x, grid_y, scores, levels=[-1e300, 0, 1e300], colors=["#f4c7c3", "#c6dbef"])
    ax.contour(grid_x, grid_y, scores, levels=[0], colors="k", linewidths=1)
    colors = ["tab:red" if y < 0 else "tab:blue" for y in result.labels]
    ax.scatter(xs, ys, c=colors, s=25, edgecolors="k", linewidths=0.5)
    ax.set(title="decision boundary (score = 0)", xlabel="x0", ylabel="x1",
           xlim=(x_lo, x_hi), ylim=(y_lo, y_hi))
    fig.tight_layout()
    fig.savefig(path)


def neuron_graph(model: MLP, X: list[list[float]]) -> Any:
    """A first-layer neuron on a point that activates it (so its weights get
    non-zero gradients, not a dead ReLU's zeros), labelled and back-propagated."""
    with no_grad():
        trained, x = next(
            ((n, x) for x in X for n in model.layers[0].neurons if n._affine(x).data > 0),
            (model.layers[0].neurons[0], X[0]),
        )
    neuron = Neuron(len(x), name=0, activation=trained.activation)
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


def write_graph(model: MLP, X: list[list[float]], path: Path) -> Optional[str]:
    """Write graph.svg; return a one-line note saying why not, or None."""
    try:
        import graphviz

        from .viz import draw_dot
    except ImportError:
        return f"skipped {path.name}: the graphviz package is missing; {INSTALL_HINT}"
    try:
        path.write_bytes(draw_dot(neuron_graph(model, X)).pipe(format="svg"))
    except graphviz.ExecutableNotFound:
        return f"skipped {path.name}: Graphviz's `dot` was not found; {DOT_HINT}"
    except (graphviz.CalledProcessError, OSError) as exc:
        return f"skipped {path.name}: Graphviz failed ({exc})"
    return None


# ----------------------------------------------------------------- entry point


def _out_problem(out: Path) -> Optional[str]:
    """Why pictures cannot be written to ``out``, or None: checked before training."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        return f"cannot write to --out {out}: {exc.strerror or exc}"
    return None


def run(config: DemoConfig) -> int:
    """Run the demo end to end; returns a process exit code."""
    started = time.perf_counter()
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("error: the demo draws its plots with matplotlib, which is not installed. "
              f"Install the demo extras: {INSTALL_HINT}", file=sys.stderr)
        return 1
    problem = _out_problem(config.out)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    hidden = ", ".join(map(str, config.hidden))
    print(f"training MLP(2, [{hidden}, 1]) on {config.points} moons points: "
          f"{config.loss} loss + L2 {config.alpha:g}, {config.optimizer}, "
          f"{config.steps} steps, seed {config.seed}")
    progress = _make_progress(config)
    try:
        result = train(config, on_step=progress)
    except OverflowError as exc:
        print(f"error: training diverged ({exc}); try fewer steps, another --loss "
              "or --optimizer adam", file=sys.stderr)
        return 1
    finally:
        progress.close()

    accuracy = final_accuracy(result.model, result.X, result.labels)
    correct = round(accuracy * len(result.labels))
    per_step = 1000 * result.seconds / max(1, config.steps)
    print(f"final accuracy: {accuracy:.1%} ({correct}/{len(result.labels)})")
    print(f"final loss: {result.losses[-1]:.4f} (before the last update)")
    print(f"training wall time: {result.seconds:.2f} s for {config.steps} steps "
          f"({per_step:.1f} ms/step)")
    plot_loss(result, config.out / "loss.png")
    print(f"wrote {config.out / 'loss.png'}")
    plot_decision_boundary(result, config.out / "decision_boundary.png")
    print(f"wrote {config.out / 'decision_boundary.png'}")
    note = write_graph(result.model, result.X, config.out / "graph.svg")
    print(note if note else f"wrote {config.out / 'graph.svg'}")
    print(f"done in {time.perf_counter() - started:.2f} s (including plots)")
    return 0
