"""Trace a small expression and draw its computation graph.

    python examples/draw_graph.py [--out graph.svg]

Prints the DOT text (``arenagrad.viz.to_dot`` needs nothing extra) and, when
the graphviz package and Graphviz's ``dot`` program are installed, writes an
SVG picture (default: graph.svg).
"""

import argparse

from arenagrad import Value
from arenagrad.viz import draw_dot, to_dot


def build() -> Value:
    # One ReLU neuron with two inputs: relu(x1*w1 + x2*w2 + b).
    names = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.5}
    v = {}
    for name, data in names.items():
        v[name] = Value(data)
        v[name].label = name
    n = v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]
    n.label = "n"
    out = n.relu()
    out.label = "out"
    out.backward()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="graph.svg", help="SVG file to write")
    path = parser.parse_args().out
    out = build()
    print(to_dot(out))
    try:
        picture = draw_dot(out, format="svg")
    except (ImportError, RuntimeError) as exc:
        print(f"not drawing {path}: {exc}")
        return
    with open(path, "wb") as f:
        f.write(picture.pipe(format="svg"))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
