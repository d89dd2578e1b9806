"""arenagrad.nn: the seed tutorial's Module / Neuron / Layer / MLP."""

from __future__ import annotations

import json
import random
import textwrap

import numpy as np
import pytest
from arenagrad import Value
from arenagrad.nn import MLP, Layer, Module, Neuron


def test_neuron_draws_weights_in_order_from_global_random():
    random.seed(7)
    expected = [random.uniform(-1, 1) for _ in range(3)]
    random.seed(7)
    neuron = Neuron(3, name=4)
    assert [w.data for w in neuron.weights] == expected
    assert neuron.bias.data == 0.0
    assert neuron.is_nonlinear is True
    assert neuron.name == 4


def test_neuron_defaults_and_keywords():
    neuron = Neuron(2)
    assert neuron.name == 0
    assert len(neuron.parameters()) == 3
    assert Neuron(number_inputs=2, name=1, is_nonlinear=False).is_nonlinear is False
    # micrograd's keyword for the same switch
    assert Neuron(2, nonlin=False).is_nonlinear is False


def test_neuron_output_matches_seed_formula_bit_for_bit():
    random.seed(3)
    neuron = Neuron(3, name=0, is_nonlinear=False)
    neuron.bias.data = 0.25
    x = [0.1, -2.5, 3.75]
    out = neuron(x)
    w = [p.data for p in neuron.weights]
    expected = ((0.25 + w[0] * x[0]) + w[1] * x[1]) + w[2] * x[2]
    assert out.data == expected


def test_neuron_relu_only_when_nonlinear():
    neuron = Neuron(1, is_nonlinear=True)
    neuron.weights[0].data = -1.0
    assert neuron([2.0]).data == 0.0
    linear = Neuron(1, is_nonlinear=False)
    linear.weights[0].data = -1.0
    assert linear([2.0]).data == -2.0


def test_neuron_call_goes_through_affine(monkeypatch):
    # The fused-op swap point: __call__ must build its sum with _affine.
    neuron = Neuron(2, is_nonlinear=False)
    monkeypatch.setattr(neuron, "_affine", lambda x: Value(42.0))
    assert neuron([1.0, 2.0]).data == 42.0


def test_neuron_gradients_flow_to_weights_and_bias():
    neuron = Neuron(2, is_nonlinear=False)
    out = neuron([2.0, -3.0])
    out.backward()
    assert [w.grad for w in neuron.weights] == [2.0, -3.0]
    assert neuron.bias.grad == 1.0


@pytest.mark.parametrize(
    "row",
    [
        [0.5, -1.25],
        [Value(0.5), Value(-1.25)],
        np.array([0.5, -1.25], dtype=np.float64),
        np.array([0.5, -1.25], dtype=np.float32),  # both exactly representable
    ],
    ids=["floats", "values", "float64-row", "float32-row"],
)
def test_inputs_may_be_floats_values_or_numpy_rows(row):
    random.seed(11)
    model = MLP(2, [4, 1])
    random.seed(11)
    reference = MLP(2, [4, 1])
    out = model(row)
    assert isinstance(out, Value)
    assert out.data == reference([0.5, -1.25]).data


def test_float32_input_keeps_its_float32_value():
    neuron = Neuron(1, is_nonlinear=False)
    neuron.weights[0].data = 1.0
    x = np.float32(0.1)
    assert neuron([x]).data == float(x)


def test_layer_outputs_list_or_single_value():
    layer = Layer(2, 3, name=1)
    out = layer([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3
    assert [n.name for n in layer.neurons] == [0, 1, 2]
    assert layer.number_outputs == 3 and layer.name == 1
    single = Layer(2, 1)
    assert isinstance(single([1.0, 2.0]), Value)
    assert len(layer.parameters()) == 9


def test_layer_passes_kwargs_to_neurons():
    layer = Layer(2, 2, name=0, is_nonlinear=False)
    assert all(not n.is_nonlinear for n in layer.neurons)


def test_mlp_structure_positional_form():
    model = MLP(2, [16, 16, 1])
    assert [len(layer.neurons) for layer in model.layers] == [16, 16, 1]
    assert [layer.name for layer in model.layers] == [0, 1, 2]
    assert [layer.neurons[0].is_nonlinear for layer in model.layers] == [
        True,
        True,
        False,
    ]
    assert len(model.parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1)
    assert isinstance(model([0.3, -0.2]), Value)


def test_mlp_last_layer_is_linear_so_outputs_can_be_negative():
    random.seed(0)
    model = MLP(2, [3, 1])
    out_layer = model.layers[-1].neurons[0]
    for w in out_layer.weights:
        w.data = 0.0
    out_layer.bias.data = -5.0
    assert model([1.0, 1.0]).data == -5.0


def test_reprs_match_seed_fstrings():
    assert repr(Neuron(2, name=1)) == "Neuron 1(Number=2, Non-Linearity=ReLU)"
    assert str(Neuron(3, name=0, is_nonlinear=False)) == (
        "Neuron 0(Number=3, Non-Linearity=None)"
    )
    assert repr(Layer(2, 3, name=1)) == (
        "Layer 1 \n"
        " - Neuron 0(Number=2, Non-Linearity=ReLU)\n"
        " - Neuron 1(Number=2, Non-Linearity=ReLU)\n"
        " - Neuron 2(Number=2, Non-Linearity=ReLU)\n"
    )
    assert repr(MLP(2, [3, 1])) == (
        "MLP of \n"
        " - Layer 0 \n"
        " - Neuron 0(Number=2, Non-Linearity=ReLU)\n"
        " - Neuron 1(Number=2, Non-Linearity=ReLU)\n"
        " - Neuron 2(Number=2, Non-Linearity=ReLU)\n"
        "\n"
        " - Layer 1 \n"
        " - Neuron 0(Number=3, Non-Linearity=None)\n"
    )


def test_zero_grad_sets_float_zero():
    model = MLP(2, [3, 1])
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    for p in model.parameters():
        assert p.grad == 0.0 and type(p.grad) is float


def test_base_module_has_no_parameters():
    assert Module().parameters() == []
    assert Module().state_dict() == {}


# ----------------------------------------------------------------- state dicts


def test_state_dict_names_and_plain_floats():
    model = MLP(2, [2, 1])
    state = model.state_dict()
    assert list(state)[:4] == [
        "layers.0.neurons.0.weights.0",
        "layers.0.neurons.0.weights.1",
        "layers.0.neurons.0.bias",
        "layers.0.neurons.1.weights.0",
    ]
    assert list(state)[-1] == "layers.1.neurons.0.bias"
    assert len(state) == len(model.parameters())
    assert all(type(v) is float for v in state.values())
    assert [state[k] for k in state] == [p.data for p in model.parameters()]
    assert Neuron(2).state_dict().keys() == {"weights.0", "weights.1", "bias"}
    assert "neurons.1.bias" in Layer(2, 2).state_dict()


def test_state_dict_json_round_trip_is_exact():
    random.seed(1)
    source = MLP(3, [4, 2])
    for p in source.parameters():
        p.data = random.gauss(0, 1) / 3  # values with long decimal expansions
    target = MLP(3, [4, 2])
    params_before = target.parameters()
    target.load_state_dict(json.loads(json.dumps(source.state_dict())))
    assert target.state_dict() == source.state_dict()
    # Loaded in place: the same parameter objects (optimizers keep working).
    assert all(a is b for a, b in zip(params_before, target.parameters()))
    x = [0.3, -1.1, 2.0]
    assert [v.data for v in target(x)] == [v.data for v in source(x)]


def test_load_state_dict_missing_key_names_it():
    model = MLP(2, [2, 1])
    state = model.state_dict()
    del state["layers.1.neurons.0.bias"]
    with pytest.raises(KeyError, match="layers.1.neurons.0.bias"):
        model.load_state_dict(state)


def test_load_state_dict_unexpected_key_names_it():
    model = MLP(2, [2, 1])
    state = model.state_dict()
    state["layers.2.neurons.0.bias"] = 1.0
    with pytest.raises(ValueError, match="layers.2.neurons.0.bias"):
        model.load_state_dict(state)


@pytest.mark.parametrize("bad", ["1.0", None, True, [1.0], Value(1.0)])
def test_load_state_dict_rejects_non_numbers_and_changes_nothing(bad):
    model = MLP(2, [2, 1])
    before = model.state_dict()
    state = {k: 9.0 for k in before}
    state["layers.1.neurons.0.bias"] = bad
    with pytest.raises(TypeError, match="layers.1.neurons.0.bias"):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_load_state_dict_accepts_ints_and_numpy_floats():
    model = Neuron(2)
    model.load_state_dict({"weights.0": 1, "weights.1": np.float32(0.5), "bias": -2})
    assert model.state_dict() == {"weights.0": 1.0, "weights.1": 0.5, "bias": -2.0}


def test_load_state_dict_needs_a_mapping():
    with pytest.raises(TypeError):
        Neuron(1).load_state_dict([("weights.0", 1.0), ("bias", 0.0)])


# ----------------------------------------------------------------- seed code

# The seed tutorial's training code, as printed there (class definitions
# replaced by imports). Only the line breaks the web page collapsed are restored.
SEED_TRAINING_CODE = textwrap.dedent(
    """
    import math
    import random
    from typing import List, Tuple, Union

    from arenagrad.nn import Module, Neuron, Layer, MLP

    # Build a dataset
    xs = [
        [0.5, 0.5, 0.70],
        [0.4, -0.1, 0.5],
        [-0.2, -0.75, 1.0],
    ]
    ys = [0.0, 1.0, 0.0]

    # Build an MLP
    mlp = MLP(number_inputs=3, list_number_outputs=[3, 3, 1])

    def forward(mlp: "MLP", xs: List[List[float]]) -> List["Value"]:
        # Get the predictions upon forwarding the input data through
        # the mlp
        ypred = [mlp(x) for x in xs]
        return ypred

    def compute_loss(ys: List[int], ypred: List["Value"]) -> "Value":
        # Obtain the L2 distance of the prediction and ground truths
        loss = sum(
            [(ygt - yout)**2 for ygt, yout in zip(ys, ypred)]
        )
        return loss

    def update_mlp(mlp: "MLP"):
        # Iterate over all the layers of the MLP
        for layer in mlp.layers:
            # Iterate over all the neurons of each layer
            for neuron in layer.neurons:
                # Iterate over all the weights of each neuron
                for weight in neuron.weights:
                    # Update the data of the weight with the
                    # gradient information.
                    weight.data -= (1e-2 * weight.grad)
                # Update the data of the bias with the
                # gradient information.
                neuron.bias.data -= (1e-2 * neuron.bias.grad)

    # Define the epochs for which we want to run the training process.
    epochs = 50
    # Define a loss list to help log the loss.
    loss_list = []
    # Iterate each epoch and train the model.
    for idx in range(epochs):
        # Step 1: Forward the inputs to the mlp and get the predictions
        ypred = forward(mlp, xs)
        # Step 2: Compute Loss between the predictions and the ground truths
        loss = compute_loss(ys, ypred)
        # Step 3: Ground the gradients. These accumulate which is not desired.
        mlp.zero_grad()
        # Step 4: Backpropagate the gradients through the entire architecture
        loss.backward()
        # Step 5: Update the mlp
        update_mlp(mlp)
        # Step 6: Log the loss
        loss_list.append(loss.data)
        print(f"Epoch {idx}: Loss {loss.data: 0.2f}")

    # Inference
    pred = mlp(xs[0])
    ygt = ys[0]
    print(f"Prediction => {pred.data: 0.2f}")
    print(f"Ground Truth => {ygt: 0.2f}")
    """
)

SEED_PRINTING_CODE = textwrap.dedent(
    """
    from arenagrad.nn import Neuron, Layer, MLP

    x = [2.0, 3.0]
    neuron = Neuron(number_inputs=2, name=1)
    print(neuron)
    out = neuron(x)
    print(f"Output => {out}")

    x = [2.0, 3.0]
    layer = Layer(number_inputs=2, number_outputs=3, name=1)
    print(layer)
    out = layer(x)
    print(f"Output => {out}")

    x = [2.0, 3.0]
    mlp = MLP(number_inputs=2, list_number_outputs=[3, 3, 1])
    print(mlp)
    out = mlp(x)
    print(f"Output => {out}")
    """
)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_seed_training_loop_runs_verbatim_and_loss_falls(seed, capsys):
    random.seed(seed)
    namespace: dict = {}
    exec(compile(SEED_TRAINING_CODE, "<seed tutorial>", "exec"), namespace)  # noqa: S102
    losses = namespace["loss_list"]
    assert len(losses) == 50
    # Plain gradient descent on a tiny net: not monotone, but clearly lower.
    assert losses[-1] < 0.75 * losses[0]
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"Epoch 0: Loss {losses[0]: 0.2f}"
    assert printed[49].startswith("Epoch 49: Loss ")
    assert printed[-1] == "Ground Truth =>  0.00"


def test_seed_printing_snippets_run_verbatim(capsys):
    random.seed(0)
    exec(compile(SEED_PRINTING_CODE, "<seed tutorial>", "exec"), {})  # noqa: S102
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Neuron 1(Number=2, Non-Linearity=ReLU)"
    assert lines[1].startswith("Output => Value(data=")
    assert lines[2:6] == [
        "Layer 1 ",
        " - Neuron 0(Number=2, Non-Linearity=ReLU)",
        " - Neuron 1(Number=2, Non-Linearity=ReLU)",
        " - Neuron 2(Number=2, Non-Linearity=ReLU)",
    ]
    assert lines[7].startswith("Output => [Value(data=")
    assert lines[8:10] == ["MLP of ", " - Layer 0 "]
    assert " - Neuron 0(Number=3, Non-Linearity=None)" in lines
