"""The moons demo (``python -m arenagrad demo``): micrograd's demo notebook as a command.

An ``MLP(2, [16, 16, 1])`` on 100 noisy moons points, hinge loss plus a 1e-4 L2
penalty, SGD with the rate falling linearly to a tenth. Prints progress, accuracy
and wall time; writes ``loss.png``, ``decision_boundary.png`` and ``graph.svg``.
matplotlib, tqdm and graphviz come with ``pip install "arenagrad[demo]"``.
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
from .demo_pictures import (
    INSTALL_HINT,
    neuron_graph,
    plot_decision_boundary,
    plot_loss,
    write_graph,
)
from .mode import no_grad
from .nn import MLP
from .optim import SGD, Adam, Optimizer


class LossChoice(NamedTuple):
    fn: Callable[..., Value]  # (scores, targets) -> loss
    targets: Callable[[list[int]], list[float]]  # from the -1/+1 labels
    sgd_rate: float  # SGD's starting rate


def _floats(labels: list[int]) -> list[float]:
    return [float(y) for y in labels]


# The one list of choices, shared with the CLI. MSE's gradients grow with the
# error and diverge at micrograd's rate of 1.0; hinge and BCE's are bounded.
LOSSES = {
    "hinge": LossChoice(losses.hinge, _floats, 1.0),
    "bce": LossChoice(losses.bce_with_logits, to_binary01, 1.0),
    "mse": LossChoice(losses.mse, _floats, 0.05),
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


def train(config: DemoConfig, on_step: Optional[Callable[..., None]] = None) -> TrainResult:
    """Data, model and optimizer from ``config``, then the steps; compiled or not,
    losses, gradients and updates are bit-identical."""
    random.seed(config.seed)  # the weights come from the global generator
    X, labels = make_moons(config.points, config.noise, seed=config.seed)
    choice = LOSSES[config.loss]
    targets = choice.targets(labels)
    model = MLP(2, [*config.hidden, 1])
    decay = lambda k: 1.0 - 0.9 * k / config.steps  # noqa: E731
    optimizer = OPTIMIZERS[config.optimizer](model.parameters(), choice, decay)

    def loss_and_scores(points: list[list[float]], ys: list[float]) -> tuple:
        # The data are arguments, so a compiled replay sees them: nothing is frozen.
        scores = [model(x) for x in points]
        return (choice.fn(scores, ys) + losses.l2(model.parameters(), config.alpha), *scores)

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
    """Accuracy after the last update; builds no graph."""
    return losses.accuracy([model(x) for x in X], labels)


class _PlainProgress:
    """One line per step, or every ``every`` steps."""

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
        self.close = self.bar.close

    def __call__(self, k: int, loss: float, acc: float) -> None:
        self.bar.set_postfix(loss=f"{loss:.4f}", accuracy=f"{acc:.1%}", refresh=False)
        self.bar.update(1)


def _make_progress(config: DemoConfig, stream: Any = None) -> Any:
    """A tqdm bar on a terminal; plain lines otherwise (a tenth of them when quiet)."""
    stream = sys.stderr if stream is None else stream  # where tqdm draws
    if config.quiet or not stream.isatty():
        return _PlainProgress(config.steps, config.steps // 10 if config.quiet else 1)
    try:
        from tqdm import tqdm
    except ImportError:
        print(f"(no progress bar: tqdm is not installed; {INSTALL_HINT})")
        return _PlainProgress(config.steps)
    return _BarProgress(config.steps, tqdm, stream)


def _out_problem(out: Path) -> Optional[str]:
    """Why the pictures cannot be written to ``out`` (checked before training)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=out).close()
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
    print(f"training MLP(2, [{', '.join(map(str, config.hidden))}, 1]) on {config.points} "
          f"moons points: {config.loss} loss + L2 {config.alpha:g}, {config.optimizer}, "
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
    print(f"final accuracy: {accuracy:.1%} ({round(accuracy * len(result.X))}/{len(result.X)})")
    print(f"final loss: {result.losses[-1]:.4f} (before the last update)")
    print(f"training wall time: {result.seconds:.2f} s for {config.steps} steps "
          f"({1000 * result.seconds / config.steps:.1f} ms/step)")
    plot_loss(result, config.out / "loss.png")
    plot_decision_boundary(result, config.out / "decision_boundary.png")
    print(f"wrote {config.out / 'loss.png'} and {config.out / 'decision_boundary.png'}")
    note = write_graph(result.model, result.X, config.out / "graph.svg")
    print(note or f"wrote {config.out / 'graph.svg'}")
    print(f"done in {time.perf_counter() - started:.2f} s (including plots)")
    return 0


__all__ = ["LOSSES", "OPTIMIZERS", "DemoConfig", "TrainResult", "final_accuracy",
           "neuron_graph", "run", "train", "write_graph"]
