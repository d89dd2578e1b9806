"""``MLP.to_torch()`` and ``MLP.from_torch(seq)``: the way on to PyTorch and back.

An MLP becomes a ``torch.nn.Sequential`` of float64 ``Linear`` layers (row ``j``
of a layer's weight is neuron ``j``'s weights) each followed by its activation
module (none for linear), so the same inputs give the same outputs. torch is
imported only here, when one of these is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .nn import MLP

# Our activation name -> the torch.nn class name computing the same function.
_TORCH_MODULES = {
    "relu": "ReLU",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "leaky_relu": "LeakyReLU",  # slope 0.01 in both
    "gelu": "GELU",  # in whichever form Value.gelu computes (_gelu_form)
    "silu": "SiLU",
}
_FROM_TORCH = {torch_name: ours for ours, torch_name in _TORCH_MODULES.items()}


def _gelu_form() -> str:
    """torch's name for the GELU that Value.gelu computes: "none" (the erf form)
    or "tanh" (its tanh approximation), told apart at 1.0 where they differ by 2e-4."""
    import math

    from ._core import Value

    exact = 0.5 * (1.0 + math.erf(1.0 / math.sqrt(2.0)))
    return "none" if abs(Value(1.0).gelu().data - exact) < 1e-9 else "tanh"


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:
        raise ImportError(
            "converting to or from PyTorch needs torch: pip install torch"
        ) from exc
    return torch


def _layer_activation(layer: Any) -> str:
    names = {n.activation for n in layer.neurons}
    if len(names) != 1 or not all(isinstance(n, str) for n in names):
        raise ValueError(
            f"layer {layer.name} cannot be converted: its neurons need one named "
            f"activation, not {sorted(map(str, names))}"
        )
    return names.pop()


def to_torch(model: MLP) -> Any:
    torch = _torch()
    modules = []
    for layer in model.layers:
        activation = _layer_activation(layer)
        weights = [[w.data for w in n.weights] for n in layer.neurons]
        linear = torch.nn.Linear(len(weights[0]), len(weights), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(weights, dtype=torch.float64))
            linear.bias.copy_(
                torch.tensor([n.bias.data for n in layer.neurons], dtype=torch.float64)
            )
        modules.append(linear)
        if activation == "gelu":
            modules.append(torch.nn.GELU(approximate=_gelu_form()))
        elif activation != "linear":
            modules.append(getattr(torch.nn, _TORCH_MODULES[activation])())
    return torch.nn.Sequential(*modules)


def _activation_of(module: Any, torch: Any) -> str:
    kind = type(module).__name__
    if isinstance(module, torch.nn.Identity):
        return "linear"
    if kind not in _FROM_TORCH or type(module).__module__.split(".")[0] != "torch":
        raise ValueError(f"cannot convert torch module {module!r}: supported are Linear, "
                         f"Identity and {', '.join(_FROM_TORCH)}")
    if kind == "LeakyReLU" and module.negative_slope != 0.01:
        raise ValueError("only LeakyReLU(negative_slope=0.01) has an arenagrad twin")
    if kind == "GELU" and module.approximate != _gelu_form():
        raise ValueError(f"only GELU(approximate={_gelu_form()!r}) has an arenagrad twin")
    return _FROM_TORCH[kind]


def from_torch(cls: type[MLP], seq: Any) -> MLP:
    torch = _torch()
    if not isinstance(seq, torch.nn.Sequential):
        raise TypeError(f"from_torch needs a torch.nn.Sequential, not {type(seq).__name__!r}")
    linears: list[Any] = []
    activations: list[str] = []
    for module in seq:
        if isinstance(module, torch.nn.Linear):
            linears.append(module)
            activations.append("linear")
        elif not linears:
            raise ValueError("from_torch needs the Sequential to start with a Linear layer")
        elif activations[-1] != "linear":
            raise ValueError(f"two activations in a row before {module!r}")
        else:
            activations[-1] = _activation_of(module, torch)
    if not linears:
        raise ValueError("from_torch needs at least one Linear layer")
    for before, after in zip(linears, linears[1:]):
        if before.out_features != after.in_features:
            raise ValueError(f"{before} feeds {after}: sizes do not match")
    model = cls(linears[0].in_features, [lin.out_features for lin in linears])
    for layer, linear, activation in zip(model.layers, linears, activations):
        weight = linear.weight.detach().double().tolist()
        bias = linear.bias.detach().double().tolist() if linear.bias is not None else None
        for j, neuron in enumerate(layer.neurons):
            for w, value in zip(neuron.weights, weight[j]):
                w.data = value
            neuron.bias.data = bias[j] if bias is not None else 0.0
            neuron.set_activation(activation)
    return model
