"""The demo's pictures: loss curves, the decision boundary, one neuron's graph.

matplotlib and graphviz are imported inside the functions, only when drawing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from ._core import Value
from .mode import no_grad
from .nn import MLP, Neuron

if TYPE_CHECKING:
    from .demo import TrainResult

INSTALL_HINT = 'pip install "arenagrad[demo]"'
DOT_HINT = "install Graphviz for it: apt install graphviz, brew install graphviz or graphviz.org"


def _figure(size: tuple[float, float], panels: int = 1) -> tuple[Any, Any]:
    # Object-oriented matplotlib on the Agg canvas: no pyplot, nothing on screen.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=100)
    FigureCanvasAgg(fig)
    return fig, fig.subplots(1, panels)


def plot_loss(result: TrainResult, path: Path) -> None:
    fig, (ax_loss, ax_acc) = _figure((8, 3.5), panels=2)
    steps = range(1, len(result.losses) + 1)
    ax_loss.plot(steps, result.losses, color="tab:blue")
    ax_loss.set(title="loss", xlabel="step", yscale="log")
    ax_acc.plot(steps, [100 * a for a in result.accuracies], color="tab:green")
    ax_acc.set(title="training accuracy (%)", xlabel="step", ylim=(0, 102))
    ax_loss.grid(alpha=0.3)
    ax_acc.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)


@no_grad()  # 3,600 forward passes for the picture: no graph needed
def plot_decision_boundary(result: TrainResult, path: Path, cells: int = 60) -> None:
    xs, ys = [p[0] for p in result.X], [p[1] for p in result.X]
    x_lo, x_hi, y_lo, y_hi = min(xs) - 0.5, max(xs) + 0.5, min(ys) - 0.5, max(ys) + 0.5
    grid_x = [x_lo + (x_hi - x_lo) * i / (cells - 1) for i in range(cells)]
    grid_y = [y_lo + (y_hi - y_lo) * j / (cells - 1) for j in range(cells)]
    scores = [[result.model([gx, gy]).data for gx in grid_x] for gy in grid_y]
    fig, ax = _figure((6, 5))
    ax.contourf(grid_x, grid_y, scores, levels=[-1e300, 0, 1e300], colors=["#f4c7c3", "#c6dbef"])
    ax.contour(grid_x, grid_y, scores, levels=[0], colors="k", linewidths=1)
    colors = ["tab:red" if y < 0 else "tab:blue" for y in result.labels]
    ax.scatter(xs, ys, c=colors, s=25, edgecolors="k", linewidths=0.5)
    ax.set(title="decision boundary (score = 0)", xlabel="x0", ylabel="x1",
           xlim=(x_lo, x_hi), ylim=(y_lo, y_hi))
    fig.tight_layout()
    fig.savefig(path)


def neuron_graph(model: MLP, X: list[list[float]]) -> Value:
    """A first-layer neuron on a point that activates it (so its gradients are not
    a dead ReLU's zeros), its nodes labelled, back-propagated."""
    with no_grad():
        first = model.layers[0].neurons
        trained, x = next(((n, x) for x in X for n in first if n._affine(x).data > 0),
                          (first[0], X[0]))
    neuron = Neuron(len(x), activation=trained.activation)
    neuron.load_state_dict(trained.state_dict())
    inputs = [Value(xi) for xi in x]
    for i, (w, xi) in enumerate(zip(neuron.weights, inputs)):
        w.label, xi.label = f"w{i}", f"x{i}"
    neuron.bias.label = "b"
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
