"""Mini-batch training of micrograd's moons MLP with arenagrad.compile.

    python examples/minibatch_compile.py [--epochs N] [--batch-size B]

The compiled step takes the batch's points *and* labels as arguments: anything
that changes between calls must be an argument, or the first trace freezes it.
Each epoch visits the data in a new shuffled order (data.batches).
"""

from __future__ import annotations

import argparse
import random

import arenagrad
from arenagrad import Value
from arenagrad.data import batches, make_moons
from arenagrad.losses import accuracy, hinge, l2
from arenagrad.nn import MLP
from arenagrad.optim import SGD


def main() -> None:
    parser = argparse.ArgumentParser(description="mini-batch training under compile")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=20)
    args = parser.parse_args()

    random.seed(1337)
    X, y = make_moons(100, noise=0.1, seed=1337)
    model = MLP(2, [16, 16, 1])
    opt = SGD(model.parameters(), lr=0.5)

    def batch_loss(points: list[list[float]], labels: list[Value]) -> Value:
        scores = [model(x) for x in points]
        return hinge(scores, labels) + l2(model.parameters(), 1e-4)

    step = arenagrad.compile(batch_loss)
    for epoch in range(args.epochs):
        total = 0.0
        for xb, yb in batches(X, y, args.batch_size, seed=epoch):
            loss = step(xb, yb)  # the batch is an argument: replayed, not frozen
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.data
        print(f"epoch {epoch} mean batch loss {total * args.batch_size / len(X):.4f}")
    with arenagrad.no_grad():  # evaluation records no graph
        final = accuracy([model(x) for x in X], y)
    print(f"final accuracy {final:.1%} ({step.trace_count} program traced)")


if __name__ == "__main__":
    main()
