"""Neurons, layers and multilayer perceptrons built from scalar ``Value`` nodes.

The classes follow the seed tutorial's definitions (names, attributes, printed
forms) so its training loop runs unchanged, and also accept micrograd's
positional form ``MLP(2, [16, 16, 1])``.

Weights are drawn with ``random.uniform(-1, 1)`` one after another, in the
order the tutorial draws them, so ``random.seed(k)`` reproduces its networks.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Union

from ._core import Value, dot, zero_grads

Scalar = Union[Value, float]


class Module:
    """Base class: a module owns a list of parameters (leaf ``Value`` nodes)."""

    def zero_grad(self) -> None:
        # Leaves accumulate gradients across backward() calls; clear them.
        zero_grads(self.parameters())

    def parameters(self) -> list[Value]:
        return [p for _, p in self.named_parameters()]

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """Yield ``(dotted_name, parameter)`` pairs in ``parameters()`` order."""
        return iter(())

    def state_dict(self) -> dict[str, float]:
        """Parameter values as plain floats keyed by stable dotted names.

        The result is JSON-serialisable; ``json`` writes floats with ``repr``,
        so a JSON round trip restores every value bit for bit.
        """
        return {name: float(p.data) for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Copy values from ``state`` into the parameters, strictly.

        Raises KeyError for missing names, ValueError for unexpected names and
        TypeError for values that are not real numbers. Nothing is changed
        unless the whole mapping is valid.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"state must be a mapping, not {type(state).__name__!r}")
        params = dict(self.named_parameters())
        missing = [name for name in params if name not in state]
        if missing:
            raise KeyError(f"missing keys in state dict: {', '.join(missing)}")
        unexpected = [name for name in state if name not in params]
        if unexpected:
            names = ", ".join(map(str, unexpected))
            raise ValueError(f"unexpected keys in state dict: {names}")
        converted = []
        for name, p in params.items():
            value = state[name]
            # bool is an int subclass but never a meaningful weight.
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(
                    f"state dict entry {name!r} must be a real number, "
                    f"not {type(value).__name__!r}"
                )
            # Converted here, before any parameter changes: float(10**400) raises.
            converted.append((p, float(value)))
        for p, number in converted:
            p.data = number


def _prefixed(
    prefix: str, items: Iterator[tuple[str, Value]]
) -> Iterator[tuple[str, Value]]:
    for name, p in items:
        yield f"{prefix}.{name}", p


class Neuron(Module):
    """One unit: ``relu(w . x + b)``, or ``w . x + b`` when linear."""

    def __init__(
        self,
        number_inputs: int,
        name: Any = 0,
        is_nonlinear: bool = True,
        *,
        nonlin: bool | None = None,
    ):
        if nonlin is not None:  # micrograd's keyword for the same switch
            is_nonlinear = nonlin
        self.weights = [Value(random.uniform(-1, 1)) for _ in range(number_inputs)]
        self.bias = Value(0.0)
        self.is_nonlinear = is_nonlinear
        self.name = name

    def _affine(self, x: Sequence[Scalar]) -> Value:
        # One crossing into C++ per neuron: arenagrad.dot records the same nodes,
        # in the same order ((b + w0*x0) + w1*x1) + ..., as
        # sum((wi * xi for wi, xi in zip(self.weights, x)), self.bias), so data and
        # gradients are bit-identical; unlike zip it refuses a wrong input length.
        return dot(self.weights, x, self.bias)

    def __call__(self, x: Sequence[Scalar]) -> Value:
        act = self._affine(x)
        return act.relu() if self.is_nonlinear else act

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, w in enumerate(self.weights):
            yield f"weights.{i}", w
        yield "bias", self.bias

    def __repr__(self) -> str:
        kind = "ReLU" if self.is_nonlinear else "None"
        return f"Neuron {self.name}(Number={len(self.weights)}, Non-Linearity={kind})"


class Layer(Module):
    """A list of neurons sharing the same inputs."""

    def __init__(
        self, number_inputs: int, number_outputs: int, name: Any = 0, **kwargs: Any
    ):
        self.neurons = [
            Neuron(number_inputs, name=idx, **kwargs) for idx in range(number_outputs)
        ]
        self.name = name
        self.number_outputs = number_outputs

    def __call__(self, x: Sequence[Scalar]) -> list[Value] | Value:
        out = [n(x) for n in self.neurons]
        return out if self.number_outputs != 1 else out[0]

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, neuron in enumerate(self.neurons):
            yield from _prefixed(f"neurons.{i}", neuron.named_parameters())

    def __repr__(self) -> str:
        listing = "\n".join(f" - {n}" for n in self.neurons)
        return f"Layer {self.name} \n{listing}\n"


class MLP(Module):
    """Layers in sequence: ReLU hidden layers, a linear last layer."""

    def __init__(self, number_inputs: int, list_number_outputs: Sequence[int]):
        sizes = [number_inputs] + list(list_number_outputs)
        last = len(sizes) - 2
        self.layers = [
            Layer(sizes[i], sizes[i + 1], name=i, is_nonlinear=i != last)
            for i in range(len(sizes) - 1)
        ]

    def __call__(self, x: Sequence[Scalar]) -> list[Value] | Value:
        for layer in self.layers:
            x = layer(x)
        return x

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, layer in enumerate(self.layers):
            yield from _prefixed(f"layers.{i}", layer.named_parameters())

    def __repr__(self) -> str:
        listing = "\n".join(f" - {layer}" for layer in self.layers)
        return f"MLP of \n{listing}"


__all__ = ["MLP", "Layer", "Module", "Neuron"]
