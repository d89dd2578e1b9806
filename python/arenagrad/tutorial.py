"""The seed tutorial ("Automatic Differentiation Part 2: Implementation Using
Micrograd"), replayed with arenagrad: ``python -m arenagrad tutorial``.

The tutorial builds ``Value`` one operator at a time; arenagrad already has all
of them, so each section below runs the tutorial's snippet against arenagrad
and prints the lines the tutorial prints. Two differences are flagged where
they occur:

* arenagrad's subtraction and division are single primitive nodes, so
  ``c._backward()`` on ``a - b`` or ``a / b`` already gives ``b`` its gradient
  (the tutorial's composite versions print 0.0 there, which it then explains);
* ``relu`` of a negative number is the float ``0.0`` (the tutorial printed ``0``).

Network outputs depend on random weights; the tutorial did not fix a seed,
so this replay seeds ``random`` with 5 and its numbers differ from the seed's.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from ._core import Value
from .nn import MLP, Layer, Neuron

SEED = 5


def _section(title: str) -> None:
    print()
    print(f"== {title} ==")


def _note(text: str) -> None:
    print(f"   note: {text}")


def value_class() -> None:
    _section("The Value class")
    raw_data = 5.0
    print(f"Raw Data(data={raw_data}, type={type(raw_data)}")
    value_node = Value(data=raw_data)
    print(value_node)


def addition() -> None:
    _section("Addition")
    a = Value(data=5.0)
    b = Value(data=6.0)
    print(f"{a} + {b} => {a + b}")
    c = a + b
    c.grad = 11.0
    print(f"c => {c}")
    c._backward()
    print(f"a => {a}")
    print(f"b => {b}")


def multiplication() -> None:
    _section("Multiplication")
    a = Value(data=5.0)
    b = Value(data=6.0)
    print(f"{a} * {b} => {a * b}")
    c = a * b
    c.grad = 11.0
    print(f"c => {c}")
    c._backward()
    print(f"a => {a}")
    print(f"b => {b}")


def power() -> None:
    _section("Power")
    a = Value(data=5.0)
    b = 2.0
    print(f"{a} ** {b} => {a**b}")
    c = a**b
    c.grad = 11.0
    print(f"c => {c}")
    c._backward()
    print(f"a => {a}")
    print(f"b => {b}")


def negation() -> None:
    _section("Negation")
    a = Value(data=5.0)
    print(f"Negation of {a} => {(-a)}")
    c = -a
    c.grad = 11.0
    print(f"c => {c}")
    c._backward()
    print(f"a => {a}")


def subtraction() -> None:
    _section("Subtraction")
    a = Value(data=5.0)
    b = Value(data=4.0)
    print(f"{a} - {b} => {(a - b)}")
    c = a - b
    c.grad = 11.0
    print(f"c => {c}")
    c._backward()
    print(f"a => {a}")
    print(f"b => {b}")
    _note(
        "arenagrad's subtraction is one primitive node, so b already gets "
        "its gradient -11.0 here (the tutorial's a + (-b) printed 0.0)."
    )


def division() -> None:
    _section("Division")
    a = Value(data=6.0)
    b = Value(data=3.0)
    print(f"{a} / {b} => {(a / b)}")
    c = a / b
    c.grad = 11.0
    print(f"c => {c}")
    c._backward()
    print(f"a => {a}")
    print(f"b => {b}")
    _note(
        "arenagrad's division is one primitive node, so b already gets "
        "its gradient -11*6/3**2 here (the tutorial's a * b**-1 printed 0.0)."
    )


def relu() -> None:
    _section("ReLU")
    a = Value(data=6.0)
    print(f"ReLU ({a}) => {(a.relu())}")
    print(f"ReLU (-{a}) => {((-a).relu())}")
    _note("relu of a negative number is the float 0.0 (the tutorial printed 0).")
    a = Value(3.0)
    b = Value(-3.0)
    relu_a = a.relu()
    relu_b = b.relu()
    relu_a.grad = 11.0
    relu_b.grad = 11.0
    relu_a._backward()
    print(f"a => {a}")
    relu_b._backward()
    print(f"b => {b}")


def global_backward() -> None:
    _section("The global backward")
    a = Value(2.0)
    b = Value(3.0)
    c = a + b
    d = 4.0
    e = c**d
    f = Value(6.0)
    g = e / f
    print("BEFORE backward")
    for element in [a, b, c, d, e, f, g]:
        print(element)
    g.backward()
    print("AFTER backward")
    for element in [a, b, c, d, e, f, g]:
        print(element)
    _note(
        "g prints 104.16666666666667: arenagrad divides 625/6 directly, where "
        "the tutorial's 625 * 6**-1 rounds to ...666."
    )


def fixed_subtraction_and_division() -> None:
    _section("Subtraction and division with the global backward")
    a = Value(data=6.0)
    b = Value(data=3.0)
    c = a - b
    c.backward()
    print(f"c => {c}")
    print(f"a => {a}")
    print(f"b => {b}")
    a = Value(data=6.0)
    b = Value(data=3.0)
    c = a / b
    c.backward()
    print(f"c => {c}")
    print(f"a => {a}")
    print(f"b => {b}")


def neuron_layer_mlp() -> None:
    _section(f"Neuron, Layer, MLP (random.seed({SEED}))")
    random.seed(SEED)
    x = [2.0, 3.0]
    neuron = Neuron(number_inputs=2, name=1)
    print(neuron)
    print(f"Output => {neuron(x)}")

    layer = Layer(number_inputs=2, number_outputs=3, name=1)
    print(layer)
    print(f"Output => {layer(x)}")

    layer = Layer(number_inputs=2, number_outputs=1, name=1)
    print(layer)
    print(f"Output => {layer(x)}")

    mlp = MLP(number_inputs=2, list_number_outputs=[3, 3, 1])
    print(mlp)
    print(f"Output => {mlp(x)}")


def training(epochs: int = 50) -> list[float]:
    """The tutorial's training loop, written as it writes it."""
    _section("Train the MLP")
    random.seed(SEED)
    xs = [
        [0.5, 0.5, 0.70],
        [0.4, -0.1, 0.5],
        [-0.2, -0.75, 1.0],
    ]
    ys = [0.0, 1.0, 0.0]
    mlp = MLP(number_inputs=3, list_number_outputs=[3, 3, 1])

    def forward(mlp, xs):
        return [mlp(x) for x in xs]

    def compute_loss(ys, ypred):
        return sum([(ygt - yout) ** 2 for ygt, yout in zip(ys, ypred)])

    def update_mlp(mlp):
        for layer in mlp.layers:
            for neuron in layer.neurons:
                for weight in neuron.weights:
                    weight.data -= 1e-2 * weight.grad
                neuron.bias.data -= 1e-2 * neuron.bias.grad

    loss_list = []
    for idx in range(epochs):
        ypred = forward(mlp, xs)
        loss = compute_loss(ys, ypred)
        mlp.zero_grad()
        loss.backward()
        update_mlp(mlp)
        loss_list.append(loss.data)
        print(f"Epoch {idx}: Loss {loss.data: 0.2f}")

    _note("the tutorial plots loss_list here; `python -m arenagrad demo` draws plots.")
    pred = mlp(xs[0])
    ygt = ys[0]
    print(f"Prediction => {pred.data: 0.2f}")
    print(f"Ground Truth => {ygt: 0.2f}")
    return loss_list


SECTIONS: list[Callable[[], object]] = [
    value_class,
    addition,
    multiplication,
    power,
    negation,
    subtraction,
    division,
    relu,
    global_backward,
    fixed_subtraction_and_division,
    neuron_layer_mlp,
    training,
]


def main() -> None:
    print("Replaying the seed tutorial with arenagrad's Value (C++ arena core).")
    for section in SECTIONS:
        section()


if __name__ == "__main__":
    main()
