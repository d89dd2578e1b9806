"""micrograd's moons demo, written out as a plain training loop.

    python examples/moons_demo.py [--steps N]

(``python -m arenagrad demo`` does the same with a progress bar and plots.)
"""

import argparse
import random

import arenagrad
from arenagrad import losses
from arenagrad.data import make_moons
from arenagrad.nn import MLP
from arenagrad.optim import SGD


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1337)
    args = parser.parse_args()

    random.seed(args.seed)  # weights come from the global generator
    X, y = make_moons(100, noise=0.1, seed=args.seed)  # y is -1 or +1
    model = MLP(2, [16, 16, 1])
    print(f"{len(model.parameters())} parameters")

    # Learning rate falls linearly from 1.0 towards 0.1, as in micrograd's demo.
    optimizer = SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / args.steps)
    for k in range(args.steps):
        scores = [model(x) for x in X]
        loss = losses.hinge(scores, y) + losses.l2(model.parameters(), alpha=1e-4)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if k % 10 == 0 or k == args.steps - 1:
            print(
                f"step {k} loss {loss.data:.4f}, "
                f"accuracy {losses.accuracy(scores, y):.0%}"
            )

    with arenagrad.no_grad():  # evaluation only: no graph recorded
        final = losses.accuracy([model(x) for x in X], y)
    print(f"final accuracy {final:.0%}")


if __name__ == "__main__":
    main()
