"""Command line: ``arenagrad`` / ``python -m arenagrad``.

arenagrad              print the version and run micrograd's README example
arenagrad --version    print the version
arenagrad demo ...     train an MLP on the moons data set (see --help)
arenagrad tutorial     replay the seed tutorial's snippets
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from ._core import Value, __version__


def readme_example() -> tuple[Value, Value, Value]:
    """micrograd's README expression; returns (g, a, b) after g.backward()."""
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    # Hand back the leaves too, so their gradients can be printed.
    return g, a, b


def print_readme_example() -> None:
    g, a, b = readme_example()
    print(f"arenagrad {__version__}")
    print("micrograd's README example:")
    print(f"  g.data = {g.data:.4f}  (the outcome of the forward pass)")
    print(f"  a.grad = {a.grad:.4f}  (dg/da)")
    print(f"  b.grad = {b.grad:.4f}  (dg/db)")
    print("try: python -m arenagrad demo    |    python -m arenagrad tutorial")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _hidden_sizes(text: str) -> tuple[int, ...]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("give hidden layer sizes like 16,16")
    return tuple(_positive_int(p) for p in parts)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arenagrad",
        description="Scalar autodiff with micrograd's API and an arena-allocated "
        "C++ core. With no command: print the version and micrograd's README example.",
    )
    parser.add_argument(
        "--version", action="version", version=f"arenagrad {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="{demo,tutorial}")

    demo = commands.add_parser(
        "demo",
        help="train an MLP on the moons data set and plot it",
        description="Train MLP(2, [16, 16, 1]) on 100 moons points (micrograd's "
        "demo) and write loss.png, decision_boundary.png and graph.svg.",
    )
    demo.add_argument(
        "--steps", type=_positive_int, default=100, help="training steps (default 100)"
    )
    demo.add_argument(
        "--seed",
        type=int,
        default=1337,
        help="seed for the data and the weights (default 1337)",
    )
    demo.add_argument(
        "--hidden",
        type=_hidden_sizes,
        default=(16, 16),
        help="hidden layer sizes, comma separated (default 16,16)",
    )
    from .demo import LOSSES, OPTIMIZERS  # the demo's one list of choices

    demo.add_argument(
        "--optimizer",
        choices=tuple(OPTIMIZERS),
        default="sgd",
        help="sgd (default): lr falling linearly from 1.0 to 0.1 (from 0.05 with "
        "--loss mse); adam: lr falling from 0.05 to 0.005",
    )
    demo.add_argument(
        "--loss",
        choices=tuple(LOSSES),
        default="hinge",
        help="data loss (default hinge); an L2 penalty of 1e-4 is added",
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("arenagrad-demo"),
        help="directory for the pictures (default ./arenagrad-demo)",
    )
    demo.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar; a plain line every tenth of the run",
    )
    demo.add_argument(
        "--no-compile",
        action="store_true",
        help="rebuild the graph every step instead of replaying the traced loss in C++",
    )

    tutorial = commands.add_parser(
        "tutorial",
        help="replay the seed tutorial's snippets with arenagrad",
        description="Run the seed tutorial's snippets in order and print their output.",
    )
    tutorial.add_argument("--stepwise", action="store_true",
                          help="define each op in Python first, as the tutorial does")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from .demo import DemoConfig, run

        config = DemoConfig(
            steps=args.steps,
            seed=args.seed,
            hidden=args.hidden,
            optimizer=args.optimizer,
            loss=args.loss,
            out=args.out,
            quiet=args.quiet,
            compile=not args.no_compile,
        )
        return run(config)
    if args.command == "tutorial":
        from .tutorial import main as tutorial_main
        from .tutorial_stepwise import main as stepwise_main

        stepwise_main() if args.stepwise else tutorial_main()
        return 0
    print_readme_example()
    return 0
