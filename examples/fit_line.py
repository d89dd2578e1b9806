"""Fit a straight line y = w*x + b to noisy points with Adam.

    python examples/fit_line.py [--steps N]

The smallest possible optimisation problem: two parameters, a mean squared
error, and an optimizer; the fit should land close to w = 2, b = -1.
"""

import argparse
import random

from arenagrad import Value
from arenagrad.losses import mse
from arenagrad.optim import Adam


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()

    rng = random.Random(0)
    xs = [i / 10 for i in range(-20, 21)]
    ys = [2.0 * x - 1.0 + rng.gauss(0, 0.1) for x in xs]

    w, b = Value(0.0), Value(0.0)
    optimizer = Adam([w, b], lr=0.1)
    for step in range(args.steps):
        loss = mse([w * x + b for x in xs], ys)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 50 == 0:
            print(
                f"step {step:3d}  loss {loss.data:.5f}  w {w.data:.4f}  b {b.data:.4f}"
            )
    print(f"fitted w = {w.data:.4f}, b = {b.data:.4f} (true 2, -1)")


if __name__ == "__main__":
    main()
