"""nn: activations, strict flags and sizes, errors in the user's terms, cached parameters."""

from __future__ import annotations

import math
import pickle
import random

import numpy as np
import pytest
from arenagrad import Value
from arenagrad.nn import ACTIVATIONS, MLP, Layer, Module, Neuron

# What each named activation computes, written from its definition.
FORMULAS = {
    "relu": lambda z: max(z, 0.0),
    "tanh": math.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
    "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
    "silu": lambda z: z / (1.0 + math.exp(-z)),
    "gelu": lambda z: 0.5 * z * (1.0 + math.erf(z / math.sqrt(2.0))),
    "linear": lambda z: z,
}
# gelu is either the erf form or its tanh approximation (within 1e-3 of it).
TOLERANCE = {"gelu": 2e-3}


def linear_neuron_output(neuron: Neuron, x: list[float]) -> float:
    w = [p.data for p in neuron.weights]
    return sum((wi * xi for wi, xi in zip(w, x)), neuron.bias.data)


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("x", [[0.7, -0.4], [-1.3, 0.2], [2.0, 1.5]])
def test_every_registered_activation_computes_its_formula(name, x):
    # Fails (AttributeError) if Value lacks the method the registry names.
    random.seed(5)
    neuron = Neuron(2, activation=name)
    neuron.bias.data = 0.1
    z = linear_neuron_output(neuron, x)
    out = neuron(x)
    assert out.data == pytest.approx(FORMULAS[name](z), abs=TOLERANCE.get(name, 1e-12))
    if name != "linear":
        # The same thing as calling the Value method of that name on the sum.
        assert out.data == getattr(Value(z), name)().data
    label = repr(neuron).split("Non-Linearity=")[1].rstrip(")")
    assert label and label != "ReLU" or name == "relu"


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_every_registered_activation_has_finite_difference_gradients(name):
    random.seed(6)
    neuron = Neuron(2, activation=name)
    neuron.bias.data = 0.3
    x = [0.9, -0.35]
    neuron(x).backward()
    h = 1e-6
    for p in neuron.parameters():
        analytic = p.grad
        saved = p.data
        p.data = saved + h
        up = neuron(x).data
        p.data = saved - h
        down = neuron(x).data
        p.data = saved
        assert analytic == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-8)


def test_lecture_tanh_network_and_output_activation():
    random.seed(0)
    model = MLP(3, [4, 4, 1], activation="tanh")
    assert [n.activation for n in model.layers[0].neurons] == ["tanh"] * 4
    assert model.layers[-1].neurons[0].activation == "linear"
    squashed = MLP(3, [4, 1], activation="relu", output_activation="sigmoid")
    assert 0.0 < squashed([1.0, -2.0, 0.5]).data < 1.0
    # Hidden tanh outputs lie in (-1, 1): check through one hidden layer.
    hidden = Layer(3, 4, activation="tanh")
    assert all(-1 < v.data < 1 for v in hidden([5.0, -7.0, 3.0]))


def test_callable_activation_is_applied():
    def cube(v: Value) -> Value:
        return v**3

    neuron = Neuron(1, activation=cube)
    neuron.weights[0].data = 2.0
    out = neuron([1.5])
    assert out.data == 27.0
    out.backward()
    assert neuron.weights[0].grad == 3 * 3.0**2 * 1.5
    assert repr(neuron) == "Neuron 0(Number=1, Non-Linearity=cube)"


def test_defaults_keep_the_seed_meaning():
    assert Neuron(2).activation == "relu" and Neuron(2).is_nonlinear is True
    assert Neuron(2, is_nonlinear=False).activation == "linear"
    assert Neuron(2, nonlin=False).is_nonlinear is False
    assert Neuron(2, activation="linear").is_nonlinear is False
    assert Neuron(2, activation="tanh").is_nonlinear is True


@pytest.mark.parametrize(
    "kwargs",
    [{"nonlin": "tanh"}, {"is_nonlinear": "yes"}, {"is_nonlinear": 0}, {"nonlin": 1}],
)
def test_non_bool_flags_are_type_errors(kwargs):
    with pytest.raises(TypeError, match="True or False"):
        Neuron(2, **kwargs)


def test_linear_flag_and_a_nonlinear_activation_conflict():
    with pytest.raises(ValueError, match="linear"):
        Neuron(2, is_nonlinear=False, activation="tanh")


@pytest.mark.parametrize("bad", ["swish", "ReLU", ""])
def test_unknown_activation_names_list_the_choices(bad):
    with pytest.raises(ValueError, match="'relu'"):
        MLP(2, [3, 1], activation=bad)


def test_non_callable_activation_is_a_type_error():
    with pytest.raises(TypeError, match="activation"):
        Neuron(2, activation=3)


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: MLP(2, []), ValueError),
        (lambda: MLP(2, [16, 0, 1]), ValueError),
        (lambda: MLP(2, [16, -1]), ValueError),
        (lambda: MLP(0, [1]), ValueError),
        (lambda: MLP(2, [2.5]), TypeError),
        (lambda: MLP(2, [True]), TypeError),
        (lambda: Layer(2, 0), ValueError),
        (lambda: Neuron(0), ValueError),
        (lambda: Neuron("2"), TypeError),
    ],
)
def test_sizes_below_one_or_not_ints_are_rejected(make, error):
    with pytest.raises(error):
        make()


def test_mlp_with_a_single_size_says_a_list_is_needed():
    with pytest.raises(TypeError, match="list of layer sizes"):
        MLP(2, 16)


def test_reprs_name_the_activation_in_the_seed_format():
    assert repr(Neuron(2, name=1, activation="tanh")) == (
        "Neuron 1(Number=2, Non-Linearity=Tanh)"
    )
    text = repr(MLP(2, [2, 1], activation="sigmoid", output_activation="tanh"))
    assert text == (
        "MLP of \n"
        " - Layer 0 \n"
        " - Neuron 0(Number=2, Non-Linearity=Sigmoid)\n"
        " - Neuron 1(Number=2, Non-Linearity=Sigmoid)\n"
        "\n"
        " - Layer 1 \n"
        " - Neuron 0(Number=2, Non-Linearity=Tanh)\n"
    )


def test_models_with_named_activations_pickle():
    random.seed(2)
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid")
    copy = pickle.loads(pickle.dumps(model))
    assert copy([0.2, -0.4]).data == model([0.2, -0.4]).data
    assert repr(copy) == repr(model)


# ----------------------------------------------------------------- input errors


def test_wrong_input_count_says_what_the_model_expects():
    model = MLP(2, [3, 1])
    with pytest.raises(ValueError, match="MLP expects 2 inputs, got 3"):
        model([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Neuron expects 2 inputs, got 1"):
        Neuron(2)([1.0])
    with pytest.raises(ValueError, match="Layer expects 3 inputs, got 2"):
        Layer(3, 2)([1.0, 2.0])


@pytest.mark.parametrize(
    "batch",
    [[[1.0, 2.0]] * 5, [[1.0, 2.0], [3.0, 4.0]], np.zeros((4, 2)), [(1.0, 2.0)] * 3],
    ids=["five-rows", "two-rows", "numpy-2d", "tuples"],
)
def test_a_whole_batch_says_a_model_takes_one_sample(batch):
    with pytest.raises(TypeError, match="one sample") as info:
        MLP(2, [3, 1])(batch)
    assert "[model(x) for x in X]" in str(info.value)


@pytest.mark.parametrize("x", [1.0, Value(1.0), "ab"])
def test_non_sequence_input_is_a_type_error_in_model_terms(x):
    with pytest.raises(TypeError, match="MLP takes one sample"):
        MLP(2, [1])(x)


def test_errors_inside_a_sample_keep_the_original_message():
    with pytest.raises(TypeError) as info:
        MLP(2, [1])([1.0, "x"])
    assert "one sample" not in str(info.value)


def test_messages_never_name_the_extension_module():
    for call in (lambda: MLP(2, [1])([1.0]), lambda: MLP(2, [1])([[1.0, 2.0]])):
        with pytest.raises((TypeError, ValueError)) as info:
            call()
        assert "_core" not in str(info.value)


# ----------------------------------------------------------------- parameter cache


def test_parameters_returns_a_fresh_list_in_named_order():
    model = MLP(2, [3, 1])
    first = model.parameters()
    first.clear()  # the caller's copy: the cache is untouched
    again = model.parameters()
    assert again == [p for _, p in model.named_parameters()]
    assert len(again) == 13 and again is not model.parameters()


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.layers.append(Layer(1, 2)),
        lambda m: m.layers.pop(),
        lambda m: m.layers[0].neurons.__setitem__(0, Neuron(2)),
        lambda m: m.layers[0].neurons.extend([Neuron(2)]),
        lambda m: setattr(m.layers[0].neurons[1], "bias", Value(5.0)),
        lambda m: setattr(m.layers[0].neurons[1], "weights", (Value(1.0), Value(2.0))),
        lambda m: setattr(m.layers[1], "neurons", [Neuron(3)]),
        lambda m: m.layers[1].neurons.insert(0, Neuron(3)),
        lambda m: m.layers.reverse(),
        lambda m: m.layers[0].neurons.__delitem__(0),
        lambda m: m.layers[0].neurons.remove(m.layers[0].neurons[2]),
    ],
)
def test_parameter_cache_follows_structure_changes(change):
    model = MLP(2, [3, 1])
    model.parameters()  # fill the cache
    change(model)
    expected = [p for _, p in model.named_parameters()]
    assert model.parameters() == expected
    # zero_grad reaches the new parameters too.
    for p in expected:
        p.grad = 1.0
    model.zero_grad()
    assert all(p.grad == 0.0 for p in expected)


def test_assigned_lists_are_tracked_after_assignment():
    layer = Layer(2, 1)
    layer.parameters()
    layer.neurons = [Neuron(2)]
    layer.parameters()
    layer.neurons.append(Neuron(2))
    assert len(layer.parameters()) == 6


def test_weights_are_a_tuple_that_cannot_change_behind_the_cache():
    neuron = Neuron(2)
    with pytest.raises(TypeError):
        neuron.weights[0] = Value(1.0)  # type: ignore[index]


def test_subclass_defining_only_named_parameters_gets_cached_parameters():
    class Pair(Module):
        def __init__(self) -> None:
            self.a, self.b = Value(1.0), Value(2.0)

        def named_parameters(self):
            yield "a", self.a
            yield "b", self.b

    pair = Pair()
    assert pair.parameters() == [pair.a, pair.b]
    pair.b = Value(3.0)
    assert pair.parameters()[1].data == 3.0


def test_pickled_model_has_a_working_cache():
    model = MLP(2, [2, 1])
    model.parameters()
    copy = pickle.loads(pickle.dumps(model))
    assert copy.parameters() == [p for _, p in copy.named_parameters()]
    copy.layers[0].neurons.append(Neuron(2))
    assert len(copy.parameters()) == len(model.parameters()) + 3


def test_deepcopy_gets_its_own_parameters():
    import copy

    model = MLP(2, [2, 1])
    model.parameters()
    twin = copy.deepcopy(model)
    assert twin.state_dict() == model.state_dict()
    assert not set(twin.parameters()) & set(model.parameters())
    twin.layers[0].neurons.pop()
    assert len(model.parameters()) == 9 and len(twin.parameters()) == 6
