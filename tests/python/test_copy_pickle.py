"""Every type, every way of copying: copy.copy, copy.deepcopy, pickle protocols 0-5.

Each either round-trips (the copy reads the same: data, grad, label, instance
attributes, a model's state, an optimizer's settings and parameters) or raises
TypeError; nothing aborts the interpreter (issue 13, defects 6 and 7: a
CompiledValue's copy used to call std::terminate, protocol 0 of a Value too). All
cases run in child interpreters (tests/python/child_cases.py), a crash failing
only its own case.
"""

from __future__ import annotations

from child_cases import run_cases

SETUP = """
import copy, pickle
import arenagrad
from arenagrad import Value, nn, optim
from arg_kinds import SubValue

def leaf():
    v = Value(1.5)
    v.grad, v.label = 0.25, "leaf"
    return v

def sub():
    s = SubValue(2.5)
    s.note = "kept"
    return s

def interior():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    c.label = "c"
    c.backward()
    return c

def compiled_value():
    return arenagrad.compile(lambda x: x * 3.0)(Value(2.0))

def compiled_function():
    f = arenagrad.compile(lambda x: x * 3.0)
    f(Value(1.0))
    return f

def mlp():
    import random
    random.seed(1)
    return nn.MLP(3, [4, 1])

def sgd():
    return optim.SGD(mlp().parameters(), lr=0.1, momentum=0.9)

def adam():
    return optim.Adam(mlp().parameters(), lr=0.01)

MAKERS = {"Value": leaf, "Value subclass": sub, "interior Value": interior,
          "CompiledValue": compiled_value, "CompiledFunction": compiled_function,
          "Neuron": lambda: nn.Neuron(3), "Layer": lambda: nn.Layer(3, 2), "MLP": mlp,
          "SGD": sgd, "Adam": adam}

def describe(o):
    if isinstance(o, Value):
        # A CompiledValue copies as a plain Value (its program stays behind).
        name = "Value" if isinstance(o, arenagrad.CompiledValue) else type(o).__name__
        return (name, o.data, o.grad, o.label, dict(getattr(o, "__dict__", {})))
    if isinstance(o, nn.Module):
        return (type(o).__name__, sorted(o.state_dict().items()))
    if isinstance(o, optim.Optimizer):
        settings = {k: v for k, v in vars(o).items() if k != "params"}
        return (type(o).__name__, repr(settings), [(p.data, p.grad) for p in o.params])
    if callable(o):
        return ("callable", o(Value(2.0)).data)
    raise AssertionError(type(o))

def copy_of(o, how):
    if how == "copy.copy":
        return copy.copy(o)
    if how == "copy.deepcopy":
        return copy.deepcopy(o)
    return pickle.loads(pickle.dumps(o, protocol=int(how[-1])))

def round_trip(kind, how):
    original = MAKERS[kind]()
    try:
        duplicate = copy_of(original, how)
    except TypeError:
        return "TypeError"
    before, after = describe(original), describe(duplicate)
    assert after == before, (before, after)
    if isinstance(original, nn.Module) and how != "copy.copy":
        # A deep copy owns new parameters: training it leaves the original alone.
        for p in duplicate.parameters():
            p.data += 1.0
        assert describe(original) == before
    return "round-trip"
"""

KINDS = ["Value", "Value subclass", "interior Value", "CompiledValue", "CompiledFunction",
         "Neuron", "Layer", "MLP", "SGD", "Adam"]
HOWS = ["copy.copy", "copy.deepcopy", *[f"pickle protocol {p}" for p in range(6)]]


def test_every_type_copies_and_pickles_or_raises_type_error() -> None:
    cases = {f"{kind} / {how}": f"result = round_trip({kind!r}, {how!r})"
             for kind in KINDS for how in HOWS}
    outcomes = run_cases(SETUP, cases)
    bad = {case: got for case, got in outcomes.items()
           if got not in (("ok", "'round-trip'"), ("ok", "'TypeError'"))}
    assert not bad, "\n".join(f"{case}: {got}" for case, got in bad.items())
    # Plain Values and models are meant to survive every protocol, not just refuse.
    for kind in ("Value", "MLP"):
        for how in HOWS:
            assert outcomes[f"{kind} / {how}"] == ("ok", "'round-trip'"), (kind, how)
