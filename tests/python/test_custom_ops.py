"""Ops defined in Python, micrograd style: Value(data, _children, _op) + _backward.

Issue 9 items 1-3: the constructor, assignable rules run by backward() in reverse
topological order, one Python object per node, and the cyclic GC seeing the
closures' cycles. Gradients are checked against central finite differences.
"""

from __future__ import annotations

import gc
import math
import subprocess
import sys
import textwrap

import arenagrad
import pytest
from arenagrad import Value
from conftest import assert_close, numeric_gradient

# --- ops written the way learners write them (our own versions, not micrograd's)


def py_mul(x: Value, y: Value) -> Value:
    out = Value(x.data * y.data, (x, y), "*")

    def rule():
        x.grad += y.data * out.grad
        y.grad += x.data * out.grad

    out._backward = rule
    return out


def py_tanh(x: Value) -> Value:
    t = math.tanh(x.data)
    out = Value(t, (x,), "tanh")

    def rule():
        x.grad += (1.0 - t * t) * out.grad

    out._backward = rule
    return out


def py_sum3(x: Value, y: Value, z: Value) -> Value:
    """Three children: n-ary nodes keep their operands in order."""
    out = Value(x.data + 2.0 * y.data + 3.0 * z.data, (x, y, z), "sum3")

    def rule():
        x.grad += out.grad
        y.grad += 2.0 * out.grad
        z.grad += 3.0 * out.grad

    out._backward = rule
    return out


def live() -> int:
    return arenagrad.arena_stats()["live"]


# --- constructor


def test_constructor_takes_micrographs_signature_positionally_and_by_keyword():
    a = Value(2.0, label="a")
    b = Value(data=3.0, _children=(), _op="", label="b")
    c = Value(a.data + b.data, (a, b), "+")
    d = Value(data=1.0, _children=[c, a], _op="f")
    assert (a.label, b.label, a._prev, a._op) == ("a", "b", (), "")
    assert c._prev == (a, b) and c._op == "+" and c.data == 5.0
    assert d._prev[0] is c and d._prev[1] is a and d._op == "f"


def test_constructor_rejects_non_values_as_children():
    with pytest.raises(TypeError, match="_children must be Values, got 'float'"):
        Value(1.0, (Value(1.0), 2.0))
    with pytest.raises(TypeError, match="iterable of Values"):
        Value(1.0, 5)
    with pytest.raises(TypeError, match="_op must be a str"):
        Value(1.0, (Value(1.0),), 3)


def test_children_from_a_generator_stay_alive():
    base = live()
    out = Value(1.0, (Value(float(i)) for i in range(3)), "g")
    gc.collect()
    assert [c.data for c in out._prev] == [0.0, 1.0, 2.0]
    assert live() == base + 4


# --- rules


def test_default_rule_does_nothing_and_a_builtin_rule_is_fixed():
    a = Value(2.0)
    out = Value(4.0, (a,), "sq")
    out.grad = 1.0
    out._backward()  # micrograd's `lambda: None`
    assert a.grad == 0.0
    c = a + 1.0
    with pytest.raises(AttributeError, match="op table"):
        c._backward = lambda: None
    with pytest.raises(TypeError, match="function of no arguments"):
        out._backward = 3


def test_builtin_nodes_backward_is_their_local_rule():
    a, b = Value(2.0), Value(5.0)
    c = a * b
    c.grad = 3.0
    c._backward()
    assert (a.grad, b.grad) == (15.0, 6.0)


def test_python_rules_run_in_reverse_topological_order_in_mixed_graphs():
    def f(x, y, z, mul, tanh, sum3):
        # built-in over Python over built-in, with a shared node
        s = x * y + 1.0
        p = mul(s, z)
        q = tanh(p * 0.3)
        return sum3(q, s, p).relu() + mul(q, q) - y.exp()

    xs = [0.7, -1.3, 0.4]
    leaves = [Value(v) for v in xs]
    root = f(*leaves, py_mul, py_tanh, py_sum3)

    def plain(point):
        x, y, z = point
        s = x * y + 1.0
        p = s * z
        q = math.tanh(p * 0.3)
        return max(0.0, q + 2 * s + 3 * p) + q * q - math.exp(y)

    assert_close(root.data, plain(xs), 1e-12)
    root.backward()
    for leaf, expected in zip(leaves, numeric_gradient(plain, xs)):
        assert_close(leaf.grad, expected)
    # a second pass doubles the leaves, as with built-in ops
    first = [leaf.grad for leaf in leaves]
    root.backward()
    assert [leaf.grad for leaf in leaves] == [2 * g for g in first]


def test_each_rule_runs_once_per_pass():
    calls = []
    a = Value(1.0)
    out = Value(1.0, (a,), "id")
    out._backward = lambda: calls.append(1)
    root = out * out + out
    root.backward()
    assert len(calls) == 1


def test_exception_in_a_rule_propagates_and_the_engine_stays_usable():
    a = Value(3.0)
    bad = Value(3.0, (a,), "bad")

    def rule():
        raise KeyError("boom")

    bad._backward = rule
    with pytest.raises(KeyError, match="boom"):
        (bad * 2.0).backward()
    good = py_mul(a, a) + 1.0
    good.backward()
    assert a.grad == 6.0


def test_backward_inside_a_rule_is_refused_cleanly():
    a = Value(2.0)
    out = Value(2.0, (a,), "nested")
    out._backward = lambda: (a * 3.0).backward()
    with pytest.raises(RuntimeError, match="inside a Python-defined _backward"):
        out.backward()
    (a * 3.0).backward()
    assert a.grad == 3.0


def test_a_rule_may_build_new_values_while_backward_runs():
    a = Value(1.5)
    out = Value(a.data, (a,), "grow")
    junk = []

    def rule():
        junk.extend(Value(float(i)) * 2.0 for i in range(2000))  # the arena grows
        a.grad += out.grad

    out._backward = rule
    (out * 4.0).backward()
    assert a.grad == 4.0


def test_deep_chain_of_python_ops_back_propagates_and_frees():
    gc.collect()
    base = live()
    x = Value(0.5)
    y = x
    for _ in range(100_000):
        y = py_mul(y, Value(1.0))
    y.backward()
    assert x.grad == 1.0
    del y
    gc.collect()
    assert live() == base + 1


# --- one object per node


def test_prev_returns_the_operands_themselves():
    a, b = Value(2.0), Value(3.0)
    c = a + b
    assert c._prev[0] is a and c._prev[1] is b
    assert c._prev[0] is c._prev[0]
    d = c * c
    assert d._prev[0] is c and d._prev[1] is c
    e = a + 2.0
    assert e._prev[1] is e._prev[1]  # the constant leaf keeps one object too


def test_id_keyed_walk_of_a_10000_node_graph():
    xs = [Value(float(i % 7)) for i in range(100)]
    nodes = list(xs)
    acc = xs[0]
    for i in range(1, 10_000 - 100):
        acc = acc + xs[i % 100] if i % 3 else py_mul(acc, xs[i % 100])
        nodes.append(acc)
    seen = {}
    stack = [acc]
    edges = 0
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen[id(n)] = n
        for child in n._prev:
            edges += 1
            stack.append(child)
    assert set(seen) == {id(n) for n in nodes}
    assert edges == 2 * (len(nodes) - 100)


# --- the cyclic GC


def test_dropped_graphs_of_python_ops_are_collected():
    gc.collect()
    base = live()
    a = Value(0.3)
    y = a
    for _ in range(50):
        y = py_tanh(py_mul(y, a))
    y.relu().backward()
    assert gc.is_tracked(y)
    fresh = Value(1.0)
    assert not gc.is_tracked(fresh) and not gc.is_tracked(fresh * 2.0 + fresh)
    del fresh
    del y
    gc.collect()
    assert live() == base + 1


def test_one_collection_frees_chains_alternating_python_and_builtin_ops():
    gc.collect()
    base = live()
    xs = [Value(float(i % 5) / 5) for i in range(20)]
    acc = xs[0]
    for i in range(1, 600):
        acc = acc + xs[i % 20] if i % 3 else py_mul(acc, xs[i % 20])
        if i % 7 == 0:
            acc = py_tanh((acc * 0.01).relu() + 0.5)
    acc.backward()
    del acc
    gc.collect()
    assert live() == base + 20


def test_builtin_parent_keeps_a_python_op_alive():
    a = Value(2.0)
    c = py_mul(a, a).relu()
    gc.collect()
    c.backward()
    assert a.grad == 4.0


def test_training_loop_of_python_ops_runs_at_flat_memory():
    code = textwrap.dedent(
        """
        import gc, math, random, resource
        import arenagrad
        from arenagrad import Value

        def mul(x, y):
            out = Value(x.data * y.data, (x, y), '*')
            def rule():
                x.grad += y.data * out.grad
                y.grad += x.data * out.grad
            out._backward = rule
            return out

        def add(x, y):
            out = Value(x.data + y.data, (x, y), '+')
            def rule():
                x.grad += out.grad
                y.grad += out.grad
            out._backward = rule
            return out

        def tanh(x):
            t = math.tanh(x.data)
            out = Value(t, (x,), 'tanh')
            def rule():
                x.grad += (1 - t * t) * out.grad
            out._backward = rule
            return out

        random.seed(0)
        w = [Value(random.uniform(-1, 1)) for _ in range(3)]
        data = [([1.0, -0.5], 1.0), ([0.2, 0.8], -1.0)]
        rss = {}
        for step in range(10_000):
            loss = Value(0.0)
            for x, y in data:
                pred = tanh(add(add(mul(w[0], Value(x[0])), mul(w[1], Value(x[1]))), w[2]))
                err = add(pred, Value(-y))
                loss = add(loss, mul(err, err))
            for p in w:
                p.grad = 0.0
            loss.backward()
            for p in w:
                p.data -= 0.05 * p.grad
            if step in (1000, 9999):
                gc.collect()
                rss[step] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                             arenagrad.arena_stats()['live'])
        print(rss[1000][0], rss[9999][0], rss[1000][1], rss[9999][1], loss.data)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=600, check=True).stdout.split()
    rss_early, rss_late, live_early, live_late = map(int, out[:4])
    assert live_early == live_late
    assert rss_late - rss_early < 2048  # KiB: flat, not growing with steps
    assert float(out[4]) < 1.0


# --- copy, pickle, re-initialisation, messages (issue 13 defects 7, 17, 18)


class Tagged(Value):
    pass


@pytest.mark.parametrize("protocol", range(6))
def test_pickle_every_protocol_round_trips(protocol):
    import pickle

    v = Value(1.5, label="w")
    v.grad = -2.0
    w = pickle.loads(pickle.dumps(v, protocol=protocol))
    assert (w.data, w.grad, w.label) == (1.5, -2.0, "w")
    t = Tagged(2.5)
    t.note = {"k": [1, 2]}
    u = pickle.loads(pickle.dumps(t, protocol=protocol))
    assert type(u) is Tagged and u.data == 2.5 and u.note == {"k": [1, 2]}


def test_copies_keep_subclass_attributes_and_python_ops_copy_as_leaves():
    import copy

    t = Tagged(2.0)
    t.note = [1]
    d = copy.deepcopy(t)
    assert type(d) is Tagged and d.note == [1] and d.note is not t.note
    assert copy.copy(t).note is t.note
    out = py_mul(t, Value(3.0))
    assert copy.deepcopy(out)._prev == () and copy.deepcopy(out).data == 6.0


def test_init_and_setstate_on_a_live_value_raise():
    v = Value(1.0)
    with pytest.raises(TypeError, match="re-initialise"):
        v.__init__(5.0)
    with pytest.raises(TypeError, match="live Value"):
        v.__setstate__((5.0, 0.0, ""))
    assert v.data == 1.0


def test_old_pickle_state_still_loads_into_a_fresh_object():
    v = Value.__new__(Value)
    v.__setstate__((4.0, 1.0, "x"))
    assert (v.data, v.grad, v.label) == (4.0, 1.0, "x")


def test_value_mixed_with_another_pybind11_base():
    class Both(arenagrad._core._CompiledFunction, Value):
        pass

    try:
        b = Both.__new__(Both)
    except TypeError:
        return  # refusing the layout is a clean outcome too
    Value.__init__(b, 3.0)
    assert b.data == 3.0 and (b * 2.0).data == 6.0 and b._prev == ()


def test_messages_and_reprs_name_arenagrad_value():
    with pytest.raises(TypeError) as info:
        Value(1.0) + "x"
    assert "'arenagrad.Value'" in str(info.value)
    assert repr(Value) == "<class 'arenagrad.Value'>"
    with pytest.raises(TypeError) as info:
        Value(1.0).relu(3)
    assert "_core" not in str(info.value)


def test_backward_with_an_argument_says_what_it_accepts():
    with pytest.raises(TypeError, match=r"takes no arguments \(got 1\).*\(k \* value\)"):
        Value(1.0).backward(2.0)


def test_help_and_inspect_show_readable_signatures():
    import inspect
    import pydoc

    assert str(inspect.signature(Value)) == "(data, _children=(), _op='', label='')"
    assert str(inspect.signature(Value.backward)) == "()"
    assert str(inspect.signature(Value.__add__)) == "(other, /)"
    assert str(inspect.signature(Value.__pow__)) == "(exponent, modulo=None, /)"
    assert str(inspect.signature(Value(1.0).tanh)) == "()"
    text = pydoc.render_doc(Value)
    assert "arenagrad.Value" in text or "class Value" in text
    assert "arg0" not in text and "object) -> object" not in text


# --- compile() refuses a graph with a Python-defined op


def test_compile_refuses_python_defined_ops():
    f = arenagrad.compile(lambda x: py_mul(x, x) + 1.0)
    with pytest.raises(TypeError, match="sq|\\*|Python-defined"):
        f(Value(2.0))
