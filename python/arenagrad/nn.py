"""Neurons, layers and multilayer perceptrons built from scalar ``Value`` nodes.

The classes follow the seed tutorial's definitions (names, attributes, printed
forms) so its training loop runs unchanged, and also accept micrograd's
positional form ``MLP(2, [16, 16, 1])`` and keyword ``nonlin``.

Weights are drawn with ``random.uniform(-1, 1)`` one after another, in the
order the tutorial draws them, so ``random.seed(k)`` reproduces its networks.

``parameters()`` is cached: a training loop calls it (and ``zero_grad()``) every
step, and walking the modules each time would cost more than the step's
arithmetic. The cache is dropped whenever any module's structure changes:
an attribute assigned on a module, or an in-place change (``append``, item
assignment, ...) to one of its lists (``layers``, ``neurons``), which modules
store as tracked lists. A neuron's ``weights`` are a tuple. Changing a list
you passed in after assigning it is not seen (the module holds a tracked copy).
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Callable, Optional, Union

from ._core import Value, dot, zero_grads

Scalar = Union[Value, float]
Activation = Union[str, Callable[[Value], Value]]

# Hidden-layer nonlinearities by name; each calls the Value method of that name,
# so a new op on Value becomes an activation by adding its name here.
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "gelu", "silu", "linear")
# How reprs name them; "None" for linear is the seed's spelling.
_PRINTED = {
    "relu": "ReLU",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "leaky_relu": "LeakyReLU",
    "gelu": "GELU",
    "silu": "SiLU",
    "linear": "None",
}


def _identity(v: Value) -> Value:
    return v


def resolve_activation(activation: Activation) -> Callable[[Value], Value]:
    """The function for an activation name, or the callable itself."""
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            names = ", ".join(repr(n) for n in ACTIVATIONS)
            raise ValueError(f"activation must be one of {names} or a callable, "
                             f"got {activation!r}")
        # The unbound method: Value.relu(v) is v.relu(), one lookup fewer per call.
        return _identity if activation == "linear" else getattr(Value, activation)
    if callable(activation):
        return activation
    raise TypeError("activation must be a name such as 'relu' or a callable "
                    f"Value -> Value, not {type(activation).__name__!r}")


def _activation_label(activation: Activation) -> str:
    if isinstance(activation, str):
        return _PRINTED[activation]
    return getattr(activation, "__name__", type(activation).__name__)


def _check_size(what: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{what} must be an int, not {type(n).__name__!r}")
    if n < 1:
        raise ValueError(f"{what} must be at least 1, got {n}")
    return int(n)


def _check_flag(what: str, flag: Any) -> bool:
    # Strict: Neuron(2, nonlin="tanh") used to mean ReLU silently.
    if not isinstance(flag, bool):
        raise TypeError(f"{what} must be True or False, not {flag!r}; "
                        "choose a nonlinearity with activation=")
    return flag


def _is_sample_like(x: Any) -> bool:
    return isinstance(x, (list, tuple)) or getattr(x, "ndim", None) == 1


def _input_error(
    model: str, expected: int, x: Any, cause: Optional[Exception] = None
) -> Optional[Exception]:
    """The error to show for input ``x`` in the caller's terms, or None if ``x``
    looks right (the failure was something else, e.g. a non-number inside)."""
    if getattr(x, "ndim", None) == 2 or (
        isinstance(x, (list, tuple)) and x and _is_sample_like(x[0])
    ):
        return TypeError(
            f"{model} takes one sample (a list of {expected} numbers), got a batch "
            f"of {len(x)}; call it once per sample: [model(x) for x in X]"
        )
    if not hasattr(x, "__len__") or isinstance(x, (str, bytes)) or isinstance(x, Value):
        return TypeError(
            f"{model} takes one sample, a list of {expected} numbers or Values, "
            f"not {type(x).__name__!r}"
        )
    # A TypeError from an item (a str, a __float__ returning junk) is the real
    # problem even when the length is off too: plain Python would raise it.
    if len(x) != expected and not isinstance(cause, TypeError):
        return ValueError(f"{model} expects {expected} inputs, got {len(x)}")
    return None


class _Structure:
    """A counter bumped by every structural change to any module."""

    version = 0


class _TrackedList(list):  # type: ignore[type-arg]
    """A list that invalidates parameter caches when changed in place."""

    def _changed(self) -> None:
        _Structure.version += 1

    def __setitem__(self, *args: Any) -> None:
        self._changed()
        super().__setitem__(*args)

    def __delitem__(self, *args: Any) -> None:
        self._changed()
        super().__delitem__(*args)

    def __iadd__(self, other: Any) -> _TrackedList:  # type: ignore[misc]
        self._changed()
        return super().__iadd__(other)  # type: ignore[return-value]

    def __imul__(self, n: Any) -> _TrackedList:  # type: ignore[misc]
        self._changed()
        return super().__imul__(n)  # type: ignore[return-value]

    def __reduce__(self) -> Any:
        # Pickles as a plain list; Module.__setattr__ tracks it again on load.
        return (list, (list(self),))


def _tracking(method: str) -> Callable[..., Any]:
    base = getattr(list, method)

    def changed(self: _TrackedList, *args: Any, **kwargs: Any) -> Any:
        self._changed()
        return base(self, *args, **kwargs)

    changed.__name__ = method
    return changed


for _method in ("append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse"):
    setattr(_TrackedList, _method, _tracking(_method))


class Module:
    """Base class: a module owns a list of parameters (leaf ``Value`` nodes).

    Subclasses define ``named_parameters()`` (or override ``parameters()``).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        _Structure.version += 1
        if type(value) is list:
            value = _TrackedList(value)
        object.__setattr__(self, name, value)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_parameter_cache", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def zero_grad(self) -> None:
        # Leaves accumulate gradients across backward() calls; clear them.
        zero_grads(self.parameters())

    def parameters(self) -> list[Value]:
        cache = self.__dict__.get("_parameter_cache")
        if cache is None or cache[0] != _Structure.version:
            cache = (_Structure.version, [p for _, p in self.named_parameters()])
            object.__setattr__(self, "_parameter_cache", cache)
        return list(cache[1])  # a copy: the caller may change it

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
    """One unit: ``activation(w . x + b)``; ReLU, or linear when not nonlinear."""

    def __init__(
        self,
        number_inputs: int,
        name: Any = 0,
        is_nonlinear: bool = True,
        *,
        nonlin: bool | None = None,
        activation: Activation | None = None,
    ):
        _check_size("number_inputs", number_inputs)
        _check_flag("is_nonlinear", is_nonlinear)
        if nonlin is not None:  # micrograd's keyword for the same switch
            is_nonlinear = _check_flag("nonlin", nonlin)
        if activation is None:
            activation = "relu" if is_nonlinear else "linear"
        elif not is_nonlinear and activation != "linear":
            raise ValueError(f"a linear neuron (is_nonlinear=False) cannot also "
                             f"have activation={activation!r}")
        self.set_activation(activation)
        # A tuple: dot() reads an exact tuple or list in place (a tracked list would
        # be copied on every call), and a tuple cannot change behind the cache.
        self.weights = tuple(Value(random.uniform(-1, 1)) for _ in range(number_inputs))
        self.bias = Value(0.0)
        self.name = name

    def set_activation(self, activation: Activation) -> None:
        """Replace the nonlinearity (``is_nonlinear`` follows)."""
        self.activate = resolve_activation(activation)
        self.activation = activation
        self.is_nonlinear = activation != "linear"

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        del state["activate"]  # Value's methods do not pickle; resolved again on load
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self.activate = resolve_activation(self.activation)

    def _affine(self, x: Sequence[Scalar]) -> Value:
        # One crossing into C++ per neuron: arenagrad.dot records the same nodes,
        # in the same order ((b + w0*x0) + w1*x1) + ..., as
        # sum((wi * xi for wi, xi in zip(self.weights, x)), self.bias), so data and
        # gradients are bit-identical; unlike zip it refuses a wrong input length.
        return dot(self.weights, x, self.bias)

    def __call__(self, x: Sequence[Scalar]) -> Value:
        try:
            act = self._affine(x)
        except (TypeError, ValueError) as exc:
            error = _input_error("Neuron", len(self.weights), x, exc)
            if error is None:
                raise
            raise error from exc
        return self.activate(act)

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, w in enumerate(self.weights):
            yield f"weights.{i}", w
        yield "bias", self.bias

    def __repr__(self) -> str:
        kind = _activation_label(self.activation)
        return f"Neuron {self.name}(Number={len(self.weights)}, Non-Linearity={kind})"


class Layer(Module):
    """A list of neurons sharing the same inputs."""

    def __init__(
        self, number_inputs: int, number_outputs: int, name: Any = 0, **kwargs: Any
    ):
        _check_size("number_inputs", number_inputs)
        _check_size("number_outputs", number_outputs)
        self.neurons = [
            Neuron(number_inputs, name=idx, **kwargs) for idx in range(number_outputs)
        ]
        self.name = name
        self.number_outputs = number_outputs

    def __call__(self, x: Sequence[Scalar]) -> Any:
        """A list of Values, or one Value when the layer has one neuron (typed
        ``Any`` because that depends on a size known only at run time)."""
        try:
            out = [n(x) for n in self.neurons]
        except (TypeError, ValueError) as exc:
            error = _input_error("Layer", len(self.neurons[0].weights), x, exc)
            if error is None:
                raise
            raise error from exc
        return out if self.number_outputs != 1 else out[0]

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, neuron in enumerate(self.neurons):
            yield from _prefixed(f"neurons.{i}", neuron.named_parameters())

    def __repr__(self) -> str:
        listing = "\n".join(f" - {n}" for n in self.neurons)
        return f"Layer {self.name} \n{listing}\n"


class MLP(Module):
    """Layers in sequence: ``activation`` (ReLU) hidden layers, then
    ``output_activation`` (linear) on the last."""

    def __init__(
        self,
        number_inputs: int,
        list_number_outputs: Sequence[int],
        *,
        activation: Activation = "relu",
        output_activation: Activation = "linear",
    ):
        _check_size("number_inputs", number_inputs)
        if not isinstance(list_number_outputs, Sequence) or isinstance(
            list_number_outputs, str
        ):
            raise TypeError(
                "MLP needs a list of layer sizes, e.g. MLP(2, [16, 16, 1]), "
                f"not {list_number_outputs!r}"
            )
        if not list_number_outputs:
            raise ValueError("MLP needs at least one layer size, e.g. MLP(2, [1])")
        sizes = [number_inputs] + [
            _check_size("layer size", n) for n in list_number_outputs
        ]
        last = len(sizes) - 2
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                name=i,
                activation=output_activation if i == last else activation,
            )
            for i in range(len(sizes) - 1)
        ]
        self.number_inputs = number_inputs

    def __call__(self, x: Sequence[Scalar]) -> Any:
        """One Value when the last layer has one neuron, else a list of Values."""
        try:
            out: Any = self.layers[0](x)
        except (TypeError, ValueError) as exc:
            error = _input_error("MLP", self.number_inputs, x, exc)
            if error is None:
                raise
            raise error from exc
        for layer in self.layers[1:]:
            out = layer(out)
        return out

    def to_torch(self) -> Any:
        """A ``torch.nn.Sequential`` (float64) with these weights and activations."""
        from .torch_bridge import to_torch

        return to_torch(self)

    @classmethod
    def from_torch(cls, seq: Any) -> MLP:
        """An MLP with the weights and activations of a ``torch.nn.Sequential`` of
        ``Linear`` layers and activation modules."""
        from .torch_bridge import from_torch

        return from_torch(cls, seq)

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, layer in enumerate(self.layers):
            yield from _prefixed(f"layers.{i}", layer.named_parameters())

    def __repr__(self) -> str:
        listing = "\n".join(f" - {layer}" for layer in self.layers)
        return f"MLP of \n{listing}"


__all__ = ["ACTIVATIONS", "MLP", "Layer", "Module", "Neuron", "resolve_activation"]
