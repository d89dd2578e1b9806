"""Newton's method on Rosenbrock's function with exact Hessians, and a curvature check.

    python examples/newton_rosenbrock.py

arenagrad.grad(..., create_graph=True) returns the gradient as graph nodes, so it can
be differentiated again: optim.Newton uses that for the Hessian at every step.
"""

from __future__ import annotations

from arenagrad import Value, grad, hessian, hvp
from arenagrad.optim import Newton


def rosenbrock(x: Value, y: Value) -> Value:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def main() -> None:
    x, y = Value(-1.2), Value(1.0)
    opt = Newton([x, y])
    for step in range(30):
        loss = opt.step(lambda: rosenbrock(x, y))
        print(f"step {step}: loss {loss.data:.3e} at ({x.data:.12f}, {y.data:.12f})")
        if abs(x.data - 1.0) < 1e-12 and abs(y.data - 1.0) < 1e-12:
            break
    print(f"minimum at ({x.data:.12f}, {y.data:.12f}) after {opt.step_count} steps")

    # Curvature of y = x^3 - 2x at x = 1.5: y'' = 6x, from two reverse sweeps.
    t = Value(1.5)
    (slope,) = grad(t**3 - 2 * t, [t], create_graph=True)
    (curvature,) = grad(slope, [t])
    print(f"slope {slope.data}, curvature {curvature.data}")
    print("hessian at the start:", hessian(rosenbrock, [-1.2, 1.0]))
    print("hvp with (1, 0):", hvp(rosenbrock, [-1.2, 1.0], [1.0, 0.0]))


if __name__ == "__main__":
    main()
