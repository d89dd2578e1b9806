"""Random expression DAGs for differential testing of arenagrad against plain floats.

A graph is a small program: some input leaves, then steps that each apply one op to
earlier nodes (so subexpressions are shared freely, and an op may use one node
twice, as in ``a*a``). The same program runs on Python floats (the reference) and on
arenagrad Values (the system under test) through one interpreter, so the two can
never drift apart structurally.

Generation is driven by a ``Chooser``: hypothesis drives it in the fuzz tests and a
seeded ``random.Random`` drives it in the thread tests. Ops are only chosen where
their operands keep them well inside their domain (no log near 0, no division by a
value near 0, no relu near its kink), so finite differences are a fair reference.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Optional, Sequence

import arenagrad

# Keep every intermediate value in a range where float64 finite differences are
# accurate: big enough margins to domain edges, small enough magnitudes.
MAX_MAGNITUDE = 1e3
DOMAIN_MARGIN = 0.2  # |denominator|, log argument and pow base stay above this
RELU_MARGIN = 0.05  # relu inputs stay this far from the kink at 0
INTEGER_EXPONENTS = (0.0, 1.0, 2.0, 3.0, -1.0, -2.0)
FRACTIONAL_EXPONENTS = (0.5, 1.5, -0.5, 2.5)
CONSTANT_BASES = (0.5, 2.0, 3.0, math.e)
CONSTANTS = (-2.0, -0.5, 0.25, 1.0, 3.0)

# Operators by name; every other op is drawn from the table (arenagrad.ops()): its
# Value methods (unary, with their default constant) and module functions (binary).
_TABLE = {op["python"]: op for op in arenagrad.ops() if op["kind"] in ("method", "function")}
BINARY_OPS = ("add", "sub", "mul", "div")
UNARY_OPS = ("neg",) + tuple(n for n, op in _TABLE.items() if op["arity"] == 1)
FUNCTION_OPS = tuple(n for n, op in _TABLE.items() if op["kind"] == "function")
CLAMP_BOUNDS = (-1.0, 1.0)
ALL_OPS = BINARY_OPS + UNARY_OPS + FUNCTION_OPS + ("clamp", "pow_const", "pow_value", "rpow")
# Ops with a kink at 0 (their input's sign is part of the kink signature) and the
# growth bound for the rest: inputs stay below 6 in magnitude, as for exp.
KINK_AT_ZERO = ("relu", "abs", "leaky_relu", "elu")


@dataclass(frozen=True)
class Step:
    """One node of the program: ``op`` applied to earlier nodes ``a`` (and ``b``).

    For binary ops, ``b`` is None when the other operand is the number ``const``,
    which sits on the left when ``const_left`` is set (``2 - x`` rather than ``x - 2``).
    ``pow_const`` uses ``const`` as the exponent and ``rpow`` as the base.
    """

    op: str
    a: int
    b: Optional[int] = None
    const: float = 0.0
    const_left: bool = False


@dataclass
class Graph:
    leaves: list[float]
    steps: list[Step] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.leaves) + len(self.steps)

    def describe(self) -> str:
        lines = [f"x{i} = {x!r}" for i, x in enumerate(self.leaves)]
        names = [f"x{i}" for i in range(len(self.leaves))]
        for step in self.steps:
            names.append(f"n{len(names)}")
            lines.append(f"{names[-1]} = {render(step, names)}")
        return "\n".join(lines)


def render(step: Step, names: Sequence[str]) -> str:
    a = names[step.a]
    if step.op in UNARY_OPS:
        return f"{step.op}({a})"
    if step.op in FUNCTION_OPS:
        return f"{step.op}({a}, {names[step.b]})"
    if step.op == "clamp":
        return f"clamp({a}, {CLAMP_BOUNDS[0]!r}, {CLAMP_BOUNDS[1]!r})"
    if step.op == "pow_const":
        return f"{a} ** {step.const!r}"
    if step.op == "rpow":
        return f"{step.const!r} ** {a}"
    symbol = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow_value": "**"}[step.op]
    if step.b is not None:
        return f"{a} {symbol} {names[step.b]}"
    if step.const_left:
        return f"{step.const!r} {symbol} {a}"
    return f"{a} {symbol} {step.const!r}"


# --- the interpreter, shared by floats and Values -----------------------------------


def _float_unary(op: str, x: float) -> float:
    if op == "neg":
        return -x
    if op == "relu":
        return 0.0 if x <= 0.0 else x
    if op == "sigmoid":  # written on the side where exp cannot overflow
        if x >= 0.0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)
    if op == "abs":
        return abs(x)
    name = op[3:] if op.startswith("arc") else op  # numpy's spellings of math's names
    if hasattr(math, name):
        return getattr(math, name)(x)
    if op in _TABLE:  # no math counterpart (softplus, gelu, ...): the op's own forward
        return getattr(arenagrad.Value(x), op)().data
    raise AssertionError(f"fuzz_dags has no float reference for {op!r}")


def _apply(step: Step, nodes: list, is_float: bool):
    x = nodes[step.a]
    if step.op in UNARY_OPS:
        if is_float:
            return _float_unary(step.op, x)
        return -x if step.op == "neg" else getattr(x, step.op)()
    if step.op in FUNCTION_OPS:
        y = nodes[step.b]
        if is_float:
            if step.op == "atan2":
                return math.atan2(x, y)
            return max(x, y) if step.op == "maximum" else min(x, y)
        # A reference backend (test_torch_reference) brings its own functions.
        return getattr(getattr(x, "FUNCTIONS", arenagrad), step.op)(x, y)
    if step.op == "clamp":
        lo, hi = CLAMP_BOUNDS
        return min(max(x, lo), hi) if is_float else x.clamp(lo, hi)
    if step.op == "pow_const":
        return x**step.const
    if step.op == "rpow":
        return step.const**x
    if step.b is not None:
        left, right = x, nodes[step.b]
    elif step.const_left:
        left, right = step.const, x
    else:
        left, right = x, step.const
    if step.op == "add":
        return left + right
    if step.op == "sub":
        return left - right
    if step.op == "mul":
        return left * right
    if step.op == "div":
        return left / right
    return left**right  # pow_value


def run(graph: Graph, leaves: Sequence, relu_inputs: Optional[list] = None) -> list:
    """Every node of ``graph`` evaluated over ``leaves`` (floats or Values).

    ``relu_inputs``, when given, collects which side of its kink each kinked op's
    input is on (relu, abs, ..., min/max, clamp), so a caller can tell whether a
    perturbation crossed one.
    """
    is_float = not leaves or isinstance(leaves[0], float)
    nodes = list(leaves)
    for step in graph.steps:
        if relu_inputs is not None:
            x = nodes[step.a]
            if step.op in KINK_AT_ZERO:
                relu_inputs.append(x > 0.0)
            elif step.op in ("maximum", "minimum"):
                relu_inputs.append(x > nodes[step.b])
            elif step.op == "clamp":
                relu_inputs.append((x > CLAMP_BOUNDS[0], x > CLAMP_BOUNDS[1]))
        nodes.append(_apply(step, nodes, is_float))
    return nodes


def output(graph: Graph, leaves: Sequence):
    return run(graph, leaves)[-1]


# --- generation ---------------------------------------------------------------------


class Chooser:
    """The random decisions a generator makes; subclasses decide where they come from."""

    def integer(self, lo: int, hi: int) -> int:  # inclusive
        raise NotImplementedError

    def real(self, lo: float, hi: float) -> float:
        raise NotImplementedError

    def pick(self, options: Sequence):
        return options[self.integer(0, len(options) - 1)]

    def coin(self, percent: int) -> bool:
        return self.integer(0, 99) < percent


class RandomChooser(Chooser):
    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def integer(self, lo: int, hi: int) -> int:
        return self._rng.randint(lo, hi)

    def real(self, lo: float, hi: float) -> float:
        return self._rng.uniform(lo, hi)


def _in_range(value: float) -> bool:
    return math.isfinite(value) and abs(value) <= MAX_MAGNITUDE


def _candidate(op: str, chooser: Chooser, values: list[float]) -> Optional[Step]:
    """A step for ``op`` over valid operands, or None if this draw found none."""
    a = _pick_operand(chooser, values)
    va = values[a]
    if op in BINARY_OPS:
        if chooser.coin(20):
            b = a  # the same node on both sides: a+a, a*a, a/a
        elif chooser.coin(25):
            return _constant_step(op, a, chooser, va)
        else:
            b = _pick_operand(chooser, values)
        if op == "div" and abs(values[b]) < DOMAIN_MARGIN:
            return None
        return Step(op, a, b)
    if op == "relu":
        return Step(op, a) if abs(va) > RELU_MARGIN else None
    if op == "exp":
        return Step(op, a) if va < 6.0 else None
    if op == "log":
        return Step(op, a) if va > DOMAIN_MARGIN else None
    if op in _TABLE and op in UNARY_OPS:
        (lo, hi), _ = _TABLE[op]["domain"]
        inside = lo + DOMAIN_MARGIN < va < hi - DOMAIN_MARGIN and abs(va) < 6.0
        return Step(op, a) if inside and abs(va) > RELU_MARGIN else None
    if op in UNARY_OPS:
        return Step(op, a)
    if op in FUNCTION_OPS:
        b = _pick_operand(chooser, values)
        if abs(va - values[b]) < RELU_MARGIN or abs(values[b]) < DOMAIN_MARGIN:
            return None  # min/max's kink at a == b; atan2's pole at the origin
        if op == "atan2" and abs(va) < RELU_MARGIN and values[b] < 0.0:
            return None  # atan2's branch cut: y = 0 with x < 0 jumps from pi to -pi
        return Step(op, a, b)
    if op == "clamp":
        near = min(abs(va - bound) for bound in CLAMP_BOUNDS)
        return Step(op, a) if near > RELU_MARGIN else None
    if op == "pow_const":
        if va > DOMAIN_MARGIN:
            k = chooser.pick(INTEGER_EXPONENTS + FRACTIONAL_EXPONENTS)
        elif abs(va) > DOMAIN_MARGIN:
            k = chooser.pick(INTEGER_EXPONENTS)  # a negative base: integers only
        else:
            return None
        return Step(op, a, const=k)
    if op == "rpow":
        return Step(op, a, const=chooser.pick(CONSTANT_BASES)) if abs(va) < 8 else None
    # pow_value: a positive base to a moderate Value exponent, possibly a ** a
    b = a if chooser.coin(20) else _pick_operand(chooser, values)
    if va > DOMAIN_MARGIN and abs(values[b]) < 4.0:
        return Step(op, a, b)
    return None


def _constant_step(op: str, a: int, chooser: Chooser, va: float) -> Optional[Step]:
    const = chooser.pick(CONSTANTS)
    left = chooser.coin(50)
    if op == "div" and left and abs(va) < DOMAIN_MARGIN:
        return None
    return Step(op, a, None, const, left)


def _pick_operand(chooser: Chooser, values: list[float]) -> int:
    # Favour recent nodes so graphs grow deep, yet reach back to share old ones.
    n = len(values)
    if chooser.coin(60):
        return chooser.integer(max(0, n - 3), n - 1)
    return chooser.integer(0, n - 1)


def generate(chooser: Chooser, max_leaves: int = 4, max_steps: int = 14) -> Graph:
    """A random valid graph; its last node is the output."""
    n_leaves = chooser.integer(1, max_leaves)
    graph = Graph([round(chooser.real(-3.0, 3.0), 6) for _ in range(n_leaves)])
    values = list(graph.leaves)
    target = chooser.integer(1, max_steps)
    attempts = 0
    while len(graph.steps) < target and attempts < 4 * max_steps:
        attempts += 1
        step = _candidate(chooser.pick(ALL_OPS), chooser, values)
        if step is None:
            continue
        value = _apply(step, values, is_float=True)
        if not _in_range(value):
            continue
        graph.steps.append(step)
        values.append(value)
    if not graph.steps:  # always exercise at least one op
        graph.steps.append(Step("mul", 0, 0))
    return graph


# --- finite differences -------------------------------------------------------------


def finite_difference(
    graph: Graph, point: Sequence[float], leaf: int, relative_step: float = 1e-4
) -> Optional[float]:
    """d output / d leaf by a five-point central stencil (error O(h^4)).

    Returns None when every step size tried changes which side of a relu kink some
    input is on, where no finite difference is a fair reference.
    """
    base_kinks: list = []
    run(graph, list(point), base_kinks)
    h = relative_step * max(1.0, abs(point[leaf]))
    for _ in range(4):
        samples = []
        for offset in (-2 * h, -h, h, 2 * h):
            shifted = list(point)
            shifted[leaf] += offset
            kinks: list = []
            samples.append(run(graph, shifted, kinks)[-1])
            if kinks != base_kinks:
                break
        else:
            f_m2, f_m1, f_p1, f_p2 = samples
            return (f_m2 - 8.0 * f_m1 + 8.0 * f_p1 - f_p2) / (12.0 * h)
        h /= 100.0
    return None



# --- Python-defined ops mixed in (issue 9) --------------------------------------------


def _python_defined(step: Step, nodes: list):
    """``step`` rebuilt as an op defined in Python, micrograd style.

    The forward value and the local derivatives come from the built-in op applied to
    fresh leaves holding the operands' data; the node itself is
    ``Value(data, _children, _op)`` with a ``_backward`` closure, so backward() has
    to run Python rules between built-in ones.
    """
    from arenagrad import Value

    operands = [nodes[step.a]] + ([nodes[step.b]] if step.b not in (None, step.a) else [])
    scratch = list(nodes)
    fresh = [Value(x.data) for x in operands]
    scratch[step.a] = fresh[0]
    if len(fresh) == 2:
        scratch[step.b] = fresh[1]
    result = _apply(step, scratch, is_float=False)
    result.backward()
    partials = [x.grad for x in fresh]
    out = Value(result.data, operands, f"py:{step.op}")

    def rule():
        for child, slope in zip(operands, partials):
            child.grad += slope * out.grad

    out._backward = rule
    return out


def run_mixed(graph: Graph, leaves: Sequence, python_steps: set) -> list:
    """Like run() over Values, with the steps in ``python_steps`` Python-defined."""
    nodes = list(leaves)
    for k, step in enumerate(graph.steps):
        if k in python_steps:
            nodes.append(_python_defined(step, nodes))
        else:
            nodes.append(_apply(step, nodes, is_float=False))
    return nodes
