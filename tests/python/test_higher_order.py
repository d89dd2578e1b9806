"""grad(create_graph=True) and the helpers built on it, against finite differences.

Every op is found generically: from ``arenagrad.ops()`` when the package has it,
otherwise by probing ``Value``'s zero-argument methods and its operators, so an op
added to the table is checked here without editing this file.
"""

from __future__ import annotations

import math
import operator
import random
from dataclasses import dataclass
from typing import Callable, Optional

import arenagrad
import pytest
from arenagrad import Value, grad, hessian, hvp, jacobian
from fuzz_dags import RandomChooser, generate, output, run

# --- the op table, as Python sees it -------------------------------------------------

BINARY = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}
BINARY_NAMES = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "truediv": operator.truediv,
    "pow": operator.pow,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}
# Table ops Python cannot spell: they only appear inside derivatives (relu's slope) or
# are leaves. The C++ suite (tests/cpp/test_grad.cpp) covers them from the table.
INTERNAL = {"step", "leaf"}
EXPONENTS = (2.0, 3.0, 0.5, -1.5, -2.0, 1.0, 0.0)


@dataclass(frozen=True)
class OpCase:
    name: str
    arity: int
    apply: Callable[[Value, Value, float], Value]  # (a, b, k); b or k unused by some


def _entry_field(entry: object, *names: str) -> object:
    for n in names:
        if isinstance(entry, dict) and n in entry:
            return entry[n]
        if hasattr(entry, n):
            return getattr(entry, n)
    return None


def _from_ops_table() -> list[OpCase]:
    cases = []
    for entry in arenagrad.ops():  # type: ignore[attr-defined]
        name = str(_entry_field(entry, "name") or entry)
        kind = str(_entry_field(entry, "kind") or "")
        # Helper ops (relu's step, abs's sign, ...) have no Python spelling, and
        # clamp's bounds are numbers, not operands: tests/cpp/test_grad.cpp checks
        # those through the table directly.
        if name.lower() in INTERNAL or kind.startswith("helper") or name == "Clamp":
            continue
        python_name = _entry_field(entry, "python")
        if kind == "function" and python_name:
            f = getattr(arenagrad, str(python_name))
            cases.append(OpCase(name, 2, lambda a, b, k, f=f: f(a, b)))
            continue
        arity = int(_entry_field(entry, "arity") or 1)
        symbol = _entry_field(entry, "symbol")
        constant = bool(_entry_field(entry, "constant", "has_constant", "k"))
        if python_name and kind == "method" and hasattr(Value, str(python_name)):
            name_for_method = str(python_name)
        else:
            name_for_method = name
        cases.append(OpCase(name, arity, _applier(name_for_method, symbol, arity, constant)))
    return cases


def _applier(name: str, symbol: object, arity: int, constant: bool) -> Callable:
    lowered = name.lower()
    if arity == 2 and symbol in BINARY:
        return lambda a, b, k, f=BINARY[symbol]: f(a, b)
    if arity == 2 and lowered in BINARY_NAMES:
        return lambda a, b, k, f=BINARY_NAMES[lowered]: f(a, b)
    if arity == 2 and symbol == "**":
        return lambda a, b, k: a**b
    if arity == 1 and symbol == "**" or lowered in ("powconst", "pow_const"):
        return lambda a, b, k: a**k
    if lowered in ("neg", "negate") or symbol == "neg":
        return lambda a, b, k: -a
    method = getattr(Value, lowered, None) or getattr(Value, name, None)
    if method is None:
        return _unreachable(name)
    if arity == 2:
        return lambda a, b, k, m=method: m(a, b)
    if constant:
        return lambda a, b, k, m=method: m(a, k)
    return lambda a, b, k, m=method: m(a)


def _unreachable(name: str) -> Callable:
    def apply(a: Value, b: Value, k: float) -> Value:
        raise LookupError(
            f"op {name!r} of arenagrad.ops() has no Python spelling this test knows"
        )

    return apply


def _probed() -> list[OpCase]:
    cases = [OpCase(s, 2, lambda a, b, k, f=f: f(a, b)) for s, f in BINARY.items()]
    cases.append(OpCase("** (Value exponent)", 2, lambda a, b, k: a**b))
    cases.append(OpCase("** (constant)", 1, lambda a, b, k: a**k))
    cases.append(OpCase("neg", 1, lambda a, b, k: -a))
    for name in sorted(dir(Value)):
        if name.startswith("_") or name in ("backward",):
            continue
        method = getattr(Value, name)
        if not callable(method):
            continue
        try:
            result = method(Value(0.5))
        except Exception:  # noqa: BLE001 - not a zero-argument op
            continue
        if isinstance(result, Value) and result._prev:
            cases.append(OpCase(name, 1, lambda a, b, k, m=method: m(a)))
    return cases


OPS = _from_ops_table() if hasattr(arenagrad, "ops") else _probed()
NON_LEAF_OPS = [c for c in OPS if c.arity >= 1]


# --- derivatives and their finite differences ----------------------------------------


def derivatives(case: OpCase, a: float, b: float, k: float, order: int) -> list[float]:
    """Every derivative of ``order`` of op(a, b), create_graph for all but the last sweep."""
    va, vb = Value(a), Value(b)
    xs = [va, vb] if case.arity == 2 else [va]
    level = [case.apply(va, vb, k)]
    for d in range(1, order + 1):
        level = [g for f in level for g in grad(f, xs, create_graph=d < order)]
    return [v.data for v in level]


def differences(
    case: OpCase, a: float, b: float, k: float, order: int, h: float
) -> list[float]:
    """Central differences of the derivatives of ``order - 1``, laid out as above."""
    n = case.arity if case.arity == 2 else 1
    columns = []
    for i in range(n):
        step = h * max(1.0, abs(a if i == 0 else b))
        up = derivatives(case, a + step * (i == 0), b + step * (i == 1), k, order - 1)
        down = derivatives(case, a - step * (i == 0), b - step * (i == 1), k, order - 1)
        columns.append([(u - d) / (2 * step) for u, d in zip(up, down)])
    return [columns[i][j] for j in range(len(columns[0])) for i in range(n)]


def gap(x: list[float], y: list[float]) -> float:
    return max(abs(p - q) / max(1.0, abs(q)) for p, q in zip(x, y))


def fair_point(case: OpCase, a: float, b: float, k: float, order: int) -> bool:
    """op and its derivatives exist, are finite and smooth around (a, b): the domain
    and the kinks are found from the op itself, not from a list."""
    try:
        for da in (-4e-4, 0.0, 4e-4):
            for db in (-4e-4, 0.0, 4e-4):
                if not all(
                    map(math.isfinite, derivatives(case, a + da, b + db, k, order))
                ):
                    return False
        coarse = differences(case, a, b, k, order, 2e-4)
        fine = differences(case, a, b, k, order, 1e-4)
    except (ValueError, ZeroDivisionError, OverflowError):
        return False
    return gap(fine, coarse) < 1e-5


@pytest.mark.parametrize("order", [2, 3])
@pytest.mark.parametrize("case", NON_LEAF_OPS, ids=lambda c: c.name)
def test_every_op_against_finite_differences_of_the_order_below(
    case: OpCase, order: int
):
    rng = random.Random(f"{case.name}/{order}")
    checked = 0
    for attempt in range(300):
        if checked == 5:
            break
        a, b = rng.uniform(-3, 3), rng.uniform(-3, 3)
        k = EXPONENTS[attempt % len(EXPONENTS)]
        if not fair_point(case, a, b, k, order):
            continue
        analytic = derivatives(case, a, b, k, order)
        numeric = differences(case, a, b, k, order, 1e-5)
        assert gap(analytic, numeric) < 1e-5, (
            case.name,
            order,
            a,
            b,
            k,
            analytic,
            numeric,
        )
        checked += 1
    assert checked >= 3, f"{case.name}: too few points found in its domain"


def test_the_op_list_is_not_empty_and_covers_the_basics():
    names = {c.name for c in OPS}
    assert len(NON_LEAF_OPS) >= 10, names


# --- grad's contract -----------------------------------------------------------------


def tangled(x: Value, y: Value) -> Value:
    s = (x * y).tanh()
    t = s * s + x / y
    return (t.exp() + s.sigmoid() * x * x).log() + (t - y).relu() + y**3 * s


def test_plain_grad_equals_backward_exactly():
    for seed in range(20):
        rng = random.Random(seed)
        x, y = Value(rng.uniform(-2, 2)), Value(rng.uniform(0.5, 2))
        out = tangled(x, y)
        gx, gy = grad(out, [x, y])
        out.backward()
        assert (gx.data, gy.data) == (x.grad, y.grad)
        hx, hy = grad(out, [x, y], create_graph=True)
        assert (hx.data, hy.data) == (x.grad, y.grad)


def test_grad_reads_and_writes_no_grad_field():
    x, y = Value(0.4), Value(1.3)
    out = tangled(x, y)
    x.grad, y.grad, out.grad = 3.0, -2.0, 7.0
    first = grad(out, [x, y], create_graph=True)
    grad(first, [x, y], grad_outputs=[1.0, 2.0])
    grad(out, (v for v in [x, y]))
    assert (x.grad, y.grad, out.grad) == (3.0, -2.0, 7.0)
    assert all(c.grad == 0.0 for c in out._prev)


def test_results_and_defaults():
    x, y, z = Value(2.0), Value(3.0), Value(5.0)
    out = x * y
    gx, gz, gout = grad(out, [x, z, out])
    assert (gx.data, gz.data, gout.data) == (3.0, 0.0, 1.0)
    assert gx._prev == () and gx is not x
    (g,) = grad([out, x * x], [x], grad_outputs=[2.0, Value(0.5)])
    assert g.data == 2.0 * 3.0 + 0.5 * 4.0
    (dx,) = grad(x**3, [x], create_graph=True)
    assert dx.data == 12.0 and dx._prev  # a node, leading back to x
    assert grad(out, []) == []


def test_backward_on_an_expression_of_derivatives_fills_leaf_grads():
    x, y = Value(0.7), Value(-0.3)
    f = x * x * y + (x * y).tanh()
    gx, gy = grad(f, [x, y], create_graph=True)
    penalty = gx * gx + gy * gy
    penalty.backward()
    rows = hessian(lambda a, b: a * a * b + (a * b).tanh(), [0.7, -0.3])
    expected = [
        2 * (gx.data * rows[0][0] + gy.data * rows[1][0]),
        2 * (gx.data * rows[0][1] + gy.data * rows[1][1]),
    ]
    assert x.grad == pytest.approx(expected[0], rel=1e-12)
    assert y.grad == pytest.approx(expected[1], rel=1e-12)


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda x: grad(x, 3.0), TypeError),
        (lambda x: grad(x, [x, 2.0]), TypeError),
        (lambda x: grad("x", [x]), TypeError),
        (lambda x: grad([x, 1], [x]), TypeError),
        (lambda x: grad([], [x]), ValueError),
        (lambda x: grad(x, [x], grad_outputs=[1.0, 2.0]), ValueError),
        (lambda x: grad(x, [x], grad_outputs=["1"]), TypeError),
        (lambda x: grad(x, [x], create_graph="yes"), TypeError),
        (lambda x: hvp(lambda a: a * a, [1.0], [1.0, 2.0]), ValueError),
        (lambda x: hessian(lambda a: [a, a], [1.0]), TypeError),
        (lambda x: jacobian(lambda a: a, ["1"]), TypeError),
    ],
)
def test_bad_arguments_raise_clear_errors(call, error):
    x = Value(1.5)
    with pytest.raises(error):
        call(x)
    assert x.data == 1.5 and x.grad == 0.0


def test_a_single_value_seed_and_input_are_accepted():
    x = Value(2.0)
    (g,) = grad(x * x, x, grad_outputs=3.0)
    assert g.data == 12.0


def test_derivative_nodes_take_ieee_values_where_python_would_raise():
    x = Value(0.0)
    (g,) = grad(x**0.5, [x], create_graph=True)  # 0.5 * 0 ** -0.5
    assert g.data == math.inf
    with pytest.raises(ZeroDivisionError):
        x**-0.5  # ordinary ops still raise afterwards


def test_long_chain_second_derivative():
    def first(x0: float, create_graph: bool) -> tuple[Value, Value]:
        x = Value(x0)
        y = x
        for _ in range(100_000):
            y = y.tanh()
        return x, grad(y, [x], create_graph=create_graph)[0]

    x, g = first(0.8, True)
    (second,) = grad(g, [x])
    h = 1e-4
    numeric = (first(0.8 + h, False)[1].data - first(0.8 - h, False)[1].data) / (2 * h)
    assert second.data != 0.0
    assert second.data == pytest.approx(numeric, rel=1e-5)


def test_memory_is_released():
    x, y = Value(0.3), Value(1.1)
    before = arenagrad.arena_stats()["live"]
    first = grad(tangled(x, y), [x, y], create_graph=True)
    hessian_row = grad(first[0], [x, y], create_graph=True)
    assert arenagrad.arena_stats()["live"] > before
    del first, hessian_row
    assert arenagrad.arena_stats()["live"] == before


# --- helpers -------------------------------------------------------------------------


def rosenbrock(x: Value, y: Value) -> Value:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def test_hessian_jacobian_hvp_of_rosenbrock():
    x, y = -1.2, 1.0
    expected = [[2 - 400 * (y - 3 * x * x), -400 * x], [-400 * x, 200.0]]
    for row, want in zip(hessian(rosenbrock, [x, y]), expected):
        assert row == pytest.approx(want, rel=1e-12)
    [[gx, gy]] = jacobian(rosenbrock, [x, y])
    assert gx == pytest.approx(-2 * (1 - x) - 400 * x * (y - x * x), rel=1e-12)
    assert gy == pytest.approx(200 * (y - x * x), rel=1e-12)
    h = hessian(rosenbrock, [x, y])
    assert hvp(rosenbrock, [x, y], [0.3, -2.0]) == pytest.approx(
        [h[0][0] * 0.3 - 2.0 * h[0][1], h[1][0] * 0.3 - 2.0 * h[1][1]], rel=1e-12
    )
    assert jacobian(lambda a, b: [a * b, a + b, a], [2.0, 5.0]) == [
        [5, 2],
        [1, 1],
        [1, 0],
    ]


def _fd_of_grad(graph, point: list[float], i: int, h: float) -> Optional[list[float]]:
    """Central differences of grad along leaf i, or None across a relu kink."""
    kinks: list = []
    run(graph, list(point), kinks)
    rows = []
    for sign in (1, -1):
        shifted = list(point)
        shifted[i] += sign * h
        moved: list = []
        run(graph, shifted, moved)
        if moved != kinks:
            return None
        leaves = [Value(p) for p in shifted]
        rows.append([g.data for g in grad(output(graph, leaves), leaves)])
    return [(u - d) / (2 * h) for u, d in zip(*rows)]


def test_hessian_of_random_dags_matches_finite_differences_of_grad():
    compared = 0
    for seed in range(150):
        graph = generate(RandomChooser(seed))
        point = list(graph.leaves)
        n = len(point)
        h_rows = hessian(lambda *xs: output(graph, list(xs)), point)
        for i in range(n):
            step = 1e-5 * max(1.0, abs(point[i]))
            column = _fd_of_grad(graph, point, i, step)
            if column is None:
                continue
            for j in range(n):
                assert h_rows[j][i] == pytest.approx(column[j], rel=1e-4, abs=1e-4), (
                    graph.describe(),
                    i,
                    j,
                )
            compared += 1
    assert compared >= 200


def test_hvp_of_random_dags_matches_hessian_times_v():
    for seed in range(60):
        graph = generate(RandomChooser(1000 + seed))
        point = list(graph.leaves)
        rng = random.Random(seed)
        v = [rng.uniform(-1, 1) for _ in point]
        h = hessian(lambda *xs: output(graph, list(xs)), point)
        expected = [sum(row[j] * v[j] for j in range(len(v))) for row in h]
        got = hvp(lambda *xs: output(graph, list(xs)), point, v)
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_newton_minimises_rosenbrock_in_under_30_steps():
    from arenagrad.optim import Newton

    x, y = Value(-1.2), Value(1.0)
    opt = Newton([x, y])
    for _ in range(29):
        opt.step(lambda: rosenbrock(x, y))
        if (x.data, y.data) == pytest.approx((1.0, 1.0), abs=1e-12):
            break
    assert (x.data, y.data) == pytest.approx((1.0, 1.0), abs=1e-12)
    assert opt.step_count < 30
    assert (x.grad, y.grad) == (0.0, 0.0)  # no .grad used


def test_newton_refuses_a_missing_closure_and_a_singular_hessian():
    from arenagrad.optim import Newton

    x = Value(1.0)
    opt = Newton([x])
    with pytest.raises(TypeError):
        opt.step()
    with pytest.raises(ValueError, match="singular"):
        opt.step(lambda: x * 2.0)  # linear: zero curvature
    assert x.data == 1.0
    Newton([x], damping=1.0).step(lambda: x * 2.0)
    assert x.data == -1.0


# --- replay: a function calling grad(create_graph=True) compiles ---------------------


def _penalised_loss(
    weights: list[Value], X: list[list[Value]], y: list[float]
) -> Value:
    """Squared error of a tiny tanh model plus a gradient penalty on its inputs."""
    total = Value(0.0)
    for row, target in zip(X, y):
        score = (weights[0] * row[0] + weights[1] * row[1] + weights[2]).tanh()
        slopes = grad(score, row, create_graph=True)
        total = total + (score - target) ** 2 + 0.1 * sum(s * s for s in slopes)
    return total


def test_compiled_gradient_penalty_is_bit_identical_to_the_dynamic_graph():
    rng = random.Random(7)
    weights = [Value(rng.uniform(-1, 1)) for _ in range(3)]
    y = [1.0, -1.0, 1.0]
    step = arenagrad.compile(lambda X: _penalised_loss(weights, X, y))
    for call in range(4):
        X = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in y]
        compiled = step(X)
        for w in weights:
            w.grad = 0.0
        compiled.backward()
        replayed = [w.grad for w in weights]
        for w in weights:
            w.grad = 0.0
        dynamic = _penalised_loss(weights, [[Value(a) for a in row] for row in X], y)
        dynamic.backward()
        assert compiled.data == dynamic.data, call
        assert replayed == [w.grad for w in weights], call
        for w in weights:
            w.data -= 0.1 * w.grad
    assert step.trace_count == 1


def _newton_step(x: Value, y: Value) -> tuple[Value, Value]:
    """One Newton step on Rosenbrock as graph ops: (x, y) - H^-1 g, H 2 x 2."""
    gx, gy = grad(rosenbrock(x, y), [x, y], create_graph=True)
    hxx, hxy = grad(gx, [x, y], create_graph=True)
    hyx, hyy = grad(gy, [x, y], create_graph=True)
    det = hxx * hyy - hxy * hyx
    return x - (hyy * gx - hxy * gy) / det, y - (hxx * gy - hyx * gx) / det


def test_compiled_newton_step_is_bit_identical_to_the_dynamic_graph():
    step = arenagrad.compile(_newton_step)
    for x0, y0 in [(-1.2, 1.0), (0.5, 0.2), (2.0, -1.0)]:
        cx, cy = step(x0, y0)
        assert step.trace_count == 1
        x, y = Value(x0), Value(y0)
        dx, dy = _newton_step(x, y)
        assert (cx.data, cy.data) == (dx.data, dy.data)
        # The step's own derivative (third derivatives of Rosenbrock) replays too.
        args = (Value(x0), Value(y0))
        compiled_x, _ = step(*args)
        compiled_x.backward()
        dx.backward()
        assert (args[0].grad, args[1].grad) == (x.grad, y.grad)
    assert (cx.data, cy.data) != (-1.2, 1.0)


def _root_plus_slope(x: Value) -> Value:
    root = x**0.5
    (slope,) = grad(root, [x], create_graph=True)  # 0.5 * x ** -0.5
    return root + slope


def test_a_derivative_that_is_infinite_replays_as_inf_as_it_was_built():
    # The derivative nodes are built with faults off (0 ** -0.5 is inf, not an
    # error), and a replay keeps that, while the function's own ops still raise.
    step = arenagrad.compile(_root_plus_slope)
    for x0 in (0.0, 4.0, 0.0, 0.25):
        assert step(Value(x0)).data == _root_plus_slope(Value(x0)).data
    assert step(Value(0.0)).data == math.inf and step.trace_count == 1
    with pytest.raises(ValueError):
        step(Value(-1.0))  # the forward's (-1) ** 0.5, as the dynamic graph raises
    with pytest.raises(ValueError):
        _root_plus_slope(Value(-1.0))


def test_readme_section_runs_and_prints_what_it_says(capsys):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Derivatives of derivatives", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    claimed = [line.split("# ", 1)[1] for line in code.splitlines() if "print(" in line]
    assert printed[0] == claimed[0] and printed[2] == claimed[2] == "1.0 1.0"
    assert printed[1] == claimed[1].split(", without")[0]


def test_a_value_seed_is_differentiable_under_create_graph():
    x, s = Value(0.8), Value(2.5)
    f = x.tanh() * x
    (g,) = grad(f, [x], grad_outputs=[s], create_graph=True)  # s * f'(x)
    (plain,) = grad(f, [x])
    assert g.data == pytest.approx(2.5 * plain.data, rel=1e-15)
    (by_seed,) = grad(g, [s])
    assert by_seed.data == plain.data


def test_helpers_take_values_or_numbers_and_leave_grads_alone():
    a, b = Value(-1.2), Value(1.0)
    from_values = hessian(rosenbrock, [a, b])
    assert from_values == hessian(rosenbrock, [-1.2, 1])
    assert jacobian(rosenbrock, (a, b)) == jacobian(rosenbrock, [-1.2, 1.0])
    assert hvp(rosenbrock, [a, b], (1, 0)) == from_values[0]
    assert (a.grad, b.grad, a.data, b.data) == (0.0, 0.0, -1.2, 1.0)


def test_grad_equals_backward_exactly_on_random_dags():
    for seed in range(300):
        graph = generate(RandomChooser(5000 + seed))
        leaves = [Value(x) for x in graph.leaves]
        out = output(graph, leaves)
        plain = [g.data for g in grad(out, leaves)]
        graphed = [g.data for g in grad(out, leaves, create_graph=True)]
        out.backward()
        backward = [leaf.grad for leaf in leaves]
        assert plain == backward, graph.describe()
        # create_graph evaluates ops.def's g columns, which are written with ops and
        # may round differently from the numeric column (log10's 1 / (a ln 10)).
        assert graphed == pytest.approx(backward, rel=1e-12, abs=1e-300), graph.describe()


def test_the_exponents_slope_at_base_zero_is_zero_in_graph_form_too():
    # d(a ** b)/db = a ** b * ln a is 0 where a ** b is 0; as nodes, 0 * ln 0
    # would have been nan.
    for b0 in (2.0, 0.5, 3.0):
        a, b = Value(0.0), Value(b0)
        y = a**b
        plain = [g.data for g in grad(y, [a, b])]
        built = grad(y, [a, b], create_graph=True)
        assert [g.data for g in built] == plain and plain[1] == 0.0
        # And its own slope in b: the mask is a step, so d/db (out ln a) = 0 here.
        assert grad(built[1], [b])[0].data == 0.0
    a, b = Value(2.0), Value(3.0)
    (slope,) = grad(a**b, [b], create_graph=True)
    (curvature,) = grad(slope, [b])
    assert curvature.data == pytest.approx(8.0 * math.log(2.0) ** 2, rel=1e-15)
