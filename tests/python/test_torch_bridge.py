"""MLP.to_torch / MLP.from_torch (optional: the torch tests skip when torch is absent)."""

from __future__ import annotations

import random
import sys

import pytest
from arenagrad.nn import ACTIVATIONS, MLP, Neuron


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def test_missing_torch_is_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes import fail
    model = MLP(2, [2, 1])
    with pytest.raises(ImportError, match="pip install torch"):
        model.to_torch()
    with pytest.raises(ImportError, match="pip install torch"):
        MLP.from_torch(object())


POINTS = [[0.3, -1.2, 0.5], [-2.0, 0.7, 1.1], [1.5, 1.5, -0.4]]


@pytest.mark.parametrize("activation", [a for a in ACTIVATIONS if a != "linear"])
def test_to_torch_gives_the_same_outputs_and_gradients(torch, activation):
    random.seed(3)
    model = MLP(3, [4, 5, 2], activation=activation, output_activation="tanh")
    seq = model.to_torch()
    assert [type(m).__name__ for m in seq][1::2][-1] == "Tanh"
    for x in POINTS:
        ours = model(x)
        theirs = seq(torch.tensor(x, dtype=torch.float64))
        assert [v.data for v in ours] == pytest.approx(theirs.tolist(), rel=1e-12, abs=1e-15)
    model.zero_grad()
    sum(v for x in POINTS for v in model(x)).backward()
    seq(torch.tensor(POINTS, dtype=torch.float64)).sum().backward()
    linears = [m for m in seq if isinstance(m, torch.nn.Linear)]
    expected = [w.grad for layer in model.layers for n in layer.neurons for w in n.weights]
    got = [g for lin in linears for g in lin.weight.grad.flatten().tolist()]
    assert got == pytest.approx(expected, rel=1e-10, abs=1e-14)
    assert any(g != 0.0 for g in expected)


def test_to_torch_copies_exact_weights_and_linear_output(torch):
    random.seed(1)
    model = MLP(2, [3, 1])
    seq = model.to_torch()
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear"]
    assert seq[0].weight.dtype == torch.float64
    assert seq[0].weight.tolist() == [[w.data for w in n.weights] for n in model.layers[0].neurons]
    assert seq[2].bias.tolist() == [model.layers[1].neurons[0].bias.data]


def test_round_trip_from_torch_restores_the_model(torch):
    random.seed(4)
    model = MLP(3, [4, 1], activation="sigmoid")
    back = MLP.from_torch(model.to_torch())
    assert back.state_dict() == model.state_dict()
    assert repr(back) == repr(model)
    assert back(POINTS[1]).data == model(POINTS[1]).data


def test_from_torch_reads_a_torch_made_network(torch):
    torch.manual_seed(0)
    seq = torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2, bias=False)
    )
    model = MLP.from_torch(seq)
    assert [n.activation for n in model.layers[0].neurons] == ["tanh"] * 3
    assert all(n.bias.data == 0.0 for n in model.layers[1].neurons)
    x = [0.25, -0.75]
    expected = seq(torch.tensor(x)).tolist()  # float32 network: float32 tolerance
    assert [v.data for v in model(x)] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize(
    "build",
    [
        lambda nn: nn.Sequential(nn.Tanh()),
        lambda nn: nn.Sequential(nn.Linear(2, 2), nn.Softmax(dim=0)),
        lambda nn: nn.Sequential(nn.Linear(2, 2), nn.LeakyReLU(0.2)),
        lambda nn: nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.ReLU()),
        lambda nn: nn.Sequential(nn.Linear(2, 3), nn.Linear(2, 1)),
        lambda nn: nn.Sequential(),
    ],
    ids=["no-linear-first", "softmax", "leaky-slope", "two-activations", "sizes", "empty"],
)
def test_from_torch_rejects_what_it_cannot_represent(torch, build):
    with pytest.raises(ValueError):
        MLP.from_torch(build(torch.nn))


def test_from_torch_needs_a_sequential_and_custom_activations_do_not_convert(torch):
    with pytest.raises(TypeError, match="Sequential"):
        MLP.from_torch(torch.nn.Linear(2, 1))
    model = MLP(2, [1])
    model.layers[0].neurons[0] = Neuron(2, activation=lambda v: v * 2)
    with pytest.raises(ValueError, match="named activation"):
        model.to_torch()


def test_gelu_round_trips_in_the_form_value_computes(torch):
    random.seed(8)
    model = MLP(2, [3, 1], activation="gelu")
    seq = model.to_torch()
    x = [0.8, -1.3]
    assert seq(torch.tensor(x, dtype=torch.float64)).item() == pytest.approx(
        model(x).data, rel=1e-12
    )
    assert MLP.from_torch(seq).state_dict() == model.state_dict()
