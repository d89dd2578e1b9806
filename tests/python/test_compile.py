"""arenagrad.compile: replayed programs agree with the dynamic graph they were traced
from, on data and on every gradient, and behave like Values."""

from __future__ import annotations

import gc
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
        assert isinstance(compiled, CompiledValue)  # the first call (which traces) too
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


# ---- arguments: one flattener for tracing and replay (issue 12, issue 13)

ALL_REAL_DTYPES = [
    "f8", ">f8", "<f8", "f4", ">f4", "f2", ">f2", "i1", "i2", ">i2", "i4", ">i4",
    "i8", ">i8", "u1", "u2", ">u2", "u4", ">u4", "u8", ">u8", "?", np.longdouble,
]


@pytest.mark.parametrize("dtype", ALL_REAL_DTYPES, ids=str)
def test_arrays_of_every_real_dtype_and_byte_order_replay_their_values(dtype):
    # Defect 2: ">f8" fell into the unsigned-integer branch on replay.
    f = arenagrad.compile(lambda x: x[0] * 3.0 + x[1])
    a = np.array([1, 0], dtype=dtype)
    first, second = f(a), f(a)
    assert first.data == second.data == 3.0
    b = np.array([0, 1], dtype=dtype)
    assert f(b).data == 1.0


def test_every_buffer_and_sequence_kind_gives_the_plain_python_result():
    import array

    f = arenagrad.compile(lambda x: arenagrad.vsum([v * (i + 1.0) for i, v in enumerate(x)]))
    expected = 1.0 * 1 + 2.0 * 2 + 3.0 * 3
    kinds = [
        [1.0, 2.0, 3.0],
        (1.0, 2.0, 3),
        [Value(1.0), 2.0, np.float32(3.0)],
        np.array([1.0, 2.0, 3.0]),
        np.array([1.0, 9.0, 2.0, 9.0, 3.0])[::2],  # non-contiguous
        np.array([1, 2, 3], dtype=">i8"),
        array.array("d", [1.0, 2.0, 3.0]),
        array.array("h", [1, 2, 3]),
        memoryview(array.array("f", [1.0, 2.0, 3.0])),
        memoryview(np.array([1.0, 9.0, 2.0, 9.0, 3.0]))[::2],
    ]
    for kind in kinds:
        assert f(kind).data == expected, kind
        assert f(kind).data == expected, kind  # the replay reads it the same way


def test_numpy_arrays_are_traced_as_object_arrays_of_their_shape():
    seen = []

    def fn(X):
        seen.append((type(X), X.shape))
        return X[1, 0] * 2.0

    f = arenagrad.compile(fn)
    assert f(np.arange(4.0).reshape(2, 2)).data == 4.0
    assert f(np.arange(4.0).reshape(2, 2).T).data == 2.0  # strides followed, C order
    assert seen == [(np.ndarray, (2, 2))]


def test_zero_d_arrays_and_numpy_scalars_are_scalars():
    # Defect 18: float16 and longdouble scalars were rejected though Value() takes them.
    f = arenagrad.compile(lambda x: x * 2.0)
    for x in (np.float16(1.5), np.longdouble(1.5), np.float32(1.5), np.int8(1), np.array(1.5),
              np.array(1.5, dtype=">f4"), np.bool_(True)):
        assert f(x).data == 2.0 * float(x), x
        assert f(x).data == 2.0 * Value(x).data
    assert f.trace_count == 1


@pytest.mark.parametrize("bad", [b"12", "12", bytearray(b"12"), [1.0, "x"], {1.0}, 1j,
                                 np.array([1j, 2j]), None])
def test_unsupported_arguments_are_a_type_error_at_the_call(bad):
    f = arenagrad.compile(lambda x: x * 2.0)
    with pytest.raises(TypeError, match="compiled function arguments"):
        f(bad)
    assert f.trace_count == 0


def test_a_float_that_empties_its_list_is_an_error_not_a_use_after_free():
    # Defect 9: the core read items of a list a __float__ had just cleared.
    shared = []

    class Hostile:
        def __float__(self):
            shared.clear()
            return 1.0

    shared.extend([Hostile(), Value(2.0), 3.0])
    f = arenagrad.compile(lambda xs: arenagrad.vsum(xs))
    with pytest.raises(RuntimeError, match="changed size"):
        f(shared)
    assert f([1.0, 2.0, 3.0]).data == 6.0


# ---- results, aliasing, nesting, re-entrancy, threads (issue 13)


def test_an_argument_aliased_with_a_parameter_when_traced():
    # Defect 3: traced as f(w), later calls treated w as the argument.
    w = Value(2.0)
    f = arenagrad.compile(lambda x: x * w)
    assert f(w).data == 4.0
    y = Value(3.0)
    r = f(y)
    r.backward()
    assert (r.data, y.grad, w.grad) == (6.0, 2.0, 3.0)
    w.grad = 0.0
    f(w).backward()  # d(w*w)/dw
    assert w.grad == 4.0


def test_a_compiled_function_calling_a_traced_one_records_its_graph():
    # Defect 4: the inner result was frozen as a constant.
    f = arenagrad.compile(lambda x: x * 3)
    f(1.0)
    g = arenagrad.compile(lambda x: f(x) * 2)
    assert (g(1.0).data, g(5.0).data) == (6.0, 30.0)
    x = Value(5.0)
    g(x).backward()
    assert x.grad == 6.0
    assert f(2.0).data == 6.0 and isinstance(f(2.0), CompiledValue)


def test_a_compiled_function_that_calls_itself():
    # Defect 14: an internal RuntimeError from shared scratch.
    @arenagrad.compile
    def total(xs):
        if len(xs) == 1:
            return xs[0] * 1.0
        return total(xs[1:]) + xs[0]

    assert total([1.0, 2.0, 3.0]).data == 6.0
    assert total([4.0, 2.0, 3.0]).data == 9.0
    assert total.trace_count == 1


class _Yielding:
    """A number whose __float__ lets other threads run (it releases the GIL)."""

    def __init__(self, x):
        self.x = x

    def __float__(self):
        import time

        time.sleep(0)
        return float(self.x)


def test_threads_sharing_one_compiled_function_get_their_own_results():
    # Defect 5: per-object scratch mixed the threads' arguments when a conversion
    # released the GIL mid-flattening.
    import threading

    w = Value(1.5)
    f = arenagrad.compile(lambda xs: arenagrad.vsum([w * x for x in xs]))
    f([1.0, 2.0, 3.0])
    errors = []

    def work(seed):
        try:
            for k in range(100):
                xs = [_Yielding(seed), float(k), _Yielding(1.0)]
                expected = 1.5 * (seed + k + 1.0)
                out = f(xs)
                if out.data != expected:
                    errors.append((seed, k, out.data, expected))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert f.trace_count == 1


def test_first_call_returns_the_same_kind_of_result_as_later_calls():
    w = Value(2.0)
    f = arenagrad.compile(lambda x: (w * x, w + x))
    first = f(1.0)
    assert type(first) is tuple and all(type(v) is CompiledValue for v in first)
    first[0].backward()
    assert w.grad == 1.0
    later = f(3.0)
    assert type(later) is tuple and [v.data for v in later] == [6.0, 5.0]


def test_a_compiled_function_in_a_reference_cycle_is_collected():
    # Defect 10: trainer -> step -> fn -> trainer was never freed.
    import gc

    class Trainer:
        def __init__(self):
            self.w = Value(1.0)
            self.step = arenagrad.compile(self.loss)

        def loss(self, x):
            return self.w * x

    gc.collect()
    before = arenagrad.arena_stats()["live"]
    for _ in range(50):
        Trainer().step(1.0)
    gc.collect()
    assert arenagrad.arena_stats()["live"] == before


def test_copies_and_pickles_of_a_compiled_value_are_plain_values():
    # Defect 6: copy.copy/deepcopy/pickle.loads aborted the process.
    script = (
        "import copy, pickle, arenagrad\n"
        "w = arenagrad.Value(2.0)\n"
        "f = arenagrad.compile(lambda x: w * x)\n"
        "r = f(3.0); r.backward(); r.label = 'loss'\n"
        "out = [copy.copy(r), copy.deepcopy(r)]\n"
        "out += [pickle.loads(pickle.dumps(r, p)) for p in range(6)]\n"
        "out += pickle.loads(pickle.dumps([r, r], 4))\n"
        "print(sorted({(type(v).__name__, v.data, v.grad, v.label) for v in out}))\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "[('Value', 6.0, 1.0, 'loss')]"


@pytest.mark.parametrize(
    "make",
    ["a = []; a.append(a)", "a = [1.0]\nfor _ in range(100000): a = [a]",
     "a = (1.0,)\nfor _ in range(100000): a = (a,)"],
)
def test_self_referencing_or_deep_arguments_raise_recursion_error(make):
    # Defect 8: the C++ flattener recursed until the stack overflowed.
    script = (
        "import arenagrad\n"
        f"{make}\n"
        "try:\n"
        "    arenagrad.compile(lambda x: x)(a)\n"
        "except RecursionError:\n"
        "    print('RecursionError')\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert (child.returncode, child.stdout.strip()) == (0, "RecursionError"), child.stderr


def test_python_defined_ops_are_refused_by_name():
    # A node outside the op table (a Python-defined op, issue 9) is a TypeError
    # naming its _op: its forward ran in Python and cannot be replayed.
    node = Value(1.0, _children=(Value(2.0),), _op="mine")  # micrograd's signature
    assert node._op == "mine"
    f = arenagrad.compile(lambda x: node * x)
    with pytest.raises(TypeError, match="'mine'"):
        f(1.0)


def test_a_graph_built_on_a_result_leads_back_to_that_very_object():
    # One object per node holds for replay results too: the lecture's trace() keys
    # nodes by id(), and a result used again must not appear as a stranger.
    f = arenagrad.compile(lambda v: v * 2.0 + 1.0)
    gc.collect()
    base = arenagrad.arena_stats()["live"]
    y = f(Value(1.0))
    z = y * 3.0
    w = y * y
    assert z._prev[0] is y and w._prev[0] is y and w._prev[1] is y
    z.backward()
    assert y.grad == 3.0
    del y
    kept = z._prev[0]  # the node outlives its first object: a new one stands in
    assert isinstance(kept, Value) and z._prev[0] is kept and kept.data == 3.0
    del z, w, kept
    gc.collect()
    assert arenagrad.arena_stats()["live"] == base


def test_backward_stops_at_a_result_and_its_own_backward_sweeps_the_program():
    w = Value(0.5)
    f = arenagrad.compile(lambda v: v * w)
    y = f(Value(2.0))
    z = y * 3.0
    z.backward()  # the dynamic graph: y is a leaf of it
    assert (y.grad, w.grad) == (3.0, 0.0)
    y._backward()  # what a hand-written micrograd loop over _prev calls next
    assert w.grad == 6.0
