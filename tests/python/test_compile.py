"""arenagrad.compile: replayed programs agree with the dynamic graph they were traced
from, on data and on every gradient, and behave like Values."""

from __future__ import annotations

import math
import random
import subprocess
import sys

import arenagrad
import numpy as np
import pytest
from arenagrad import CompiledValue, Value


def rel_close(a: float, b: float, tol: float = 1e-12) -> bool:
    return a == b or abs(a - b) <= tol * max(abs(a), abs(b))


# ---- the moons demo loss: hinge + 1e-4 L2 over MLP(2, [16, 16, 1])


def _moons_setup(seed: int):
    from arenagrad import data, losses, nn

    X, labels = data.make_moons(40, noise=0.1, seed=2)
    targets = [float(y) for y in labels]
    random.seed(seed)
    model = nn.MLP(2, [16, 16, 1])

    def loss_fn(points):
        scores = [model(x) for x in points]
        return losses.hinge(scores, targets) + losses.l2(model.parameters(), 1e-4)

    return model, X, loss_fn


def test_replay_matches_dynamic_training_on_moons():
    model, X, loss_fn = _moons_setup(seed=11)
    twin, _, twin_loss_fn = _moons_setup(seed=11)
    step = arenagrad.compile(loss_fn)
    for k in range(5):
        compiled = step(X)
        plain = twin_loss_fn(X)
        assert isinstance(compiled, Value)
        assert isinstance(compiled, CompiledValue) == (k > 0)  # first call traces
        # The program applies the same operations in the same order: bit-identical
        # (the requirement is 1e-12 relative; equality is what the design gives).
        assert compiled.data == plain.data
        model.zero_grad()
        twin.zero_grad()
        compiled.backward()
        plain.backward()
        params, twin_params = model.parameters(), twin.parameters()
        for p, q in zip(params, twin_params):
            assert p.grad == q.grad, (k, p.grad, q.grad)
        assert any(p.grad != 0.0 for p in params)
        for p, q in zip(params, twin_params):
            p.data -= 0.1 * p.grad
            q.data -= 0.1 * q.grad
    assert step.trace_count == 1
    stats = step.program_stats
    assert stats["parameters"] == len(model.parameters())
    assert stats["arguments"] == 2 * len(X)


def test_replay_with_different_inputs_and_fused_model():
    model, X, loss_fn = _moons_setup(seed=5)
    step = arenagrad.compile(loss_fn)
    step(X)
    shifted = [[x + 0.3, y - 0.2] for x, y in X]
    compiled = step(shifted)
    plain = loss_fn(shifted)
    assert isinstance(compiled, CompiledValue)
    assert rel_close(compiled.data, plain.data)
    model.zero_grad()
    plain.backward()
    expected = [p.grad for p in model.parameters()]
    model.zero_grad()
    compiled.backward()
    assert all(rel_close(p.grad, e) for p, e in zip(model.parameters(), expected))


# ---- Value semantics of the result


def _square_plus(w):
    def f(x, y):
        return (w * x + y) * (w * x + y)

    return f


def test_result_is_a_value_with_dynamic_backward_semantics():
    w = Value(1.5)
    f = arenagrad.compile(_square_plus(w))
    f(Value(0.0), 0.0)  # trace
    x = Value(2.0)
    out = f(x, 1.0)
    assert isinstance(out, Value) and isinstance(out, CompiledValue)
    assert out.data == (1.5 * 2.0 + 1.0) ** 2
    out.backward()
    assert out.grad == 1.0
    assert w.grad == 2 * 4.0 * 2.0 and x.grad == 2 * 4.0 * 1.5
    out.backward()  # leaves accumulate, exactly
    assert w.grad == 2 * 16.0 and x.grad == 2 * 12.0
    # Usable as an operand (a leaf there), and in comparisons by identity.
    assert (out + 1.0).data == out.data + 1.0
    assert out == out and hash(out) == hash(out)


def test_argument_values_get_gradients_and_numbers_do_not_break():
    w = Value(-0.5)
    f = arenagrad.compile(lambda xs: arenagrad.vsum([w * x for x in xs]).tanh())
    f([1.0, 2.0, 3.0])
    xs = [Value(0.1), 0.2, Value(0.3)]
    out = f(xs)
    out.backward()
    expected_inner = -0.5 * (0.1 + 0.2 + 0.3)
    slope = 1 - math.tanh(expected_inner) ** 2
    assert rel_close(w.grad, slope * 0.6)
    assert rel_close(xs[0].grad, slope * -0.5) and rel_close(xs[2].grad, slope * -0.5)


def test_older_result_differentiates_correctly_after_newer_calls():
    w = Value(2.0)
    f = arenagrad.compile(lambda x: (w * x).exp())
    f(0.0)
    first = f(0.5)
    second = f(-1.0)
    first.backward()
    assert rel_close(w.grad, 0.5 * math.exp(1.0))
    w.grad = 0.0
    second.backward()
    assert rel_close(w.grad, -1.0 * math.exp(-2.0))


def test_parameters_are_read_live_and_constants_frozen():
    w = Value(3.0)
    f = arenagrad.compile(lambda x: w * x + 2.0)
    f(1.0)
    w.data = 5.0
    assert f(1.0).data == 7.0
    assert f.program_stats["constants"] == 1 and f.program_stats["parameters"] == 1


def test_relu_branch_is_re_decided_on_replay():
    w = Value(1.0)
    f = arenagrad.compile(lambda x: (w * x).relu())
    f(1.0)
    neg = f(-2.0)
    assert neg.data == 0.0
    neg.backward()
    assert w.grad == 0.0
    f(3.0).backward()
    assert w.grad == 3.0


def test_changed_structure_retraces():
    w = Value(1.0)
    f = arenagrad.compile(lambda xs: arenagrad.vsum([w * x for x in xs]))
    assert f([1.0, 2.0]).data == 3.0
    assert f([1.0, 2.0, 3.0]).data == 6.0
    assert f.trace_count == 2
    assert isinstance(f([4.0, 5.0]), CompiledValue)  # the first program is still kept
    assert f([4.0, 5.0]).data == 9.0
    assert f((1.0, 1.0)).data == 2.0  # a tuple is another structure
    assert f.trace_count == 3
    f.clear()
    assert f.trace_count == 0


def test_aliased_arguments_retrace_when_they_stop_being_aliased():
    f = arenagrad.compile(lambda a, b: a * b)
    x = Value(3.0)
    f(x, x)  # traced with one leaf in both positions
    same = f(x, x)
    same.backward()
    assert x.grad == 6.0
    y, z = Value(2.0), Value(5.0)
    apart = f(y, z)
    assert apart.data == 10.0
    apart.backward()
    assert y.grad == 5.0 and z.grad == 2.0


def test_numpy_arguments():
    w = Value(0.5)
    f = arenagrad.compile(lambda X: arenagrad.vsum([w * x for row in X for x in row]))
    X = np.arange(6.0).reshape(3, 2)
    f(X)
    out = f(X * 2)
    assert out.data == 0.5 * 2 * 15.0
    out.backward()
    assert w.grad == 30.0
    assert f(np.arange(6).reshape(3, 2)).data == 7.5  # integer arrays convert
    assert f(np.ones((2, 3))).data == 3.0  # new shape, new trace


def test_forward_fault_raises_like_the_dynamic_graph():
    f = arenagrad.compile(lambda x: (x * 1.0).log())
    f(2.0)
    with pytest.raises(ValueError) as replayed:
        f(-1.0)
    with pytest.raises(ValueError) as dynamic:
        (Value(-1.0) * 1.0).log()
    assert str(replayed.value) == str(dynamic.value)
    g = arenagrad.compile(lambda x: 1.0 / x)
    g(1.0)
    with pytest.raises(ZeroDivisionError):
        g(0.0)
    assert g(4.0).data == 0.25  # still usable after a fault


def test_bad_uses_are_reported():
    f = arenagrad.compile(lambda x: x.data)
    with pytest.raises(TypeError, match="must return a Value"):
        f(1.0)
    g = arenagrad.compile(lambda x: x * 2.0)
    with pytest.raises(TypeError, match="positional"):
        g(x=1.0)
    with pytest.raises(TypeError, match="compiled function arguments"):
        g("text")
    with pytest.raises(ValueError, match="leaf Values"):
        g(Value(1.0) * 2.0)
    with pytest.raises(TypeError, match="callable"):
        arenagrad.compile(3)


def test_compiled_function_wraps_its_function():
    def my_loss(x):
        """Docs."""
        return x * 2.0

    f = arenagrad.compile(my_loss)
    assert f.__name__ == "my_loss" and f.__doc__ == "Docs." and f.__wrapped__ is my_loss


def test_replay_keeps_memory_flat():
    w = Value(0.3)
    f = arenagrad.compile(lambda xs: arenagrad.vsum([(w * x).tanh() for x in xs]))
    f([0.1] * 50)
    f([0.2] * 50).backward()
    before = arenagrad.arena_stats()["live"]
    for k in range(200):
        out = f([0.01 * k] * 50)
        out.backward()
    del out
    assert arenagrad.arena_stats()["live"] == before


def test_program_releases_parameters_when_dropped():
    before = arenagrad.arena_stats()["live"]
    w = Value(2.0)
    f = arenagrad.compile(lambda x: w * x)
    f(1.0)
    f(2.0)
    del w, f
    assert arenagrad.arena_stats()["live"] == before


# ---- several outputs


def test_tuple_of_outputs_each_differentiable():
    w = Value(0.5)

    def loss_and_scores(xs):
        scores = [w * x for x in xs]
        return (arenagrad.vsum([s * s for s in scores]), *scores)

    f = arenagrad.compile(loss_and_scores)
    f([1.0, 2.0])
    loss, s0, s1 = f([3.0, -1.0])
    assert type(loss) is CompiledValue and (s0.data, s1.data) == (1.5, -0.5)
    assert loss.data == 1.5**2 + 0.5**2
    s1.backward()  # only s1's graph: d(w * -1)/dw
    assert w.grad == -1.0
    w.grad = 0.0
    loss.backward()
    assert w.grad == 2 * 1.5 * 3.0 + 2 * -0.5 * -1.0


def test_list_result_stays_a_list_and_unreached_infinities_do_not_leak():
    w = Value(2.0)
    # The second output's log has an infinite slope at 0; differentiating the
    # first output must not sweep through it (0 * inf would be nan).
    f = arenagrad.compile(lambda x: [w * x, (w * x * 0.0 + 1.0).log() + w])
    f(1.0)
    out = f(0.0)
    assert isinstance(out, list) and len(out) == 2
    out[0].backward()
    assert w.grad == 0.0
    out[1].backward()
    assert w.grad == 1.0


def test_result_containers_must_hold_values():
    f = arenagrad.compile(lambda x: (x * 2.0, 3.0))
    with pytest.raises(TypeError, match="tuple/list of Values"):
        f(1.0)
    g = arenagrad.compile(lambda x: ())
    with pytest.raises(TypeError, match="at least one Value"):
        g(1.0)


def test_demo_compiled_step_matches_the_dynamic_step():
    import dataclasses

    from arenagrad import demo

    config = demo.DemoConfig(steps=4, points=30, hidden=(8, 8), quiet=True)
    plain = demo.train(dataclasses.replace(config, compile=False))
    compiled = demo.train(config)
    assert compiled.losses == plain.losses
    assert compiled.accuracies == plain.accuracies
    assert compiled.model.state_dict() == plain.model.state_dict()


UNINITIALISED_COMPILED_USES = [
    "arenagrad.CompiledValue.__new__(arenagrad.CompiledValue).backward()",
    "arenagrad.CompiledValue.__new__(arenagrad.CompiledValue)._backward()",
    "arenagrad.CompiledValue.backward(arenagrad.Value(1.0))",
    "F.__new__(F)(1.0)",
    "F.__new__(F).clear()",
    "F.__new__(F).trace_count",
    "F.__new__(F).program_stats",
]


@pytest.mark.parametrize("use", UNINITIALISED_COMPILED_USES)
def test_uninitialised_compiled_objects_raise_instead_of_crashing(use):
    # In a child process, so a regression fails this test instead of the run.
    script = (
        "import arenagrad\n"
        "F = arenagrad._core._CompiledFunction\n"
        "try:\n"
        f"    {use}\n"
        "except TypeError:\n"
        "    print('TypeError')\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert (child.returncode, child.stdout.strip()) == (0, "TypeError"), child.stderr
