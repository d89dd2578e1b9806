"""The seed tutorial's define-it-yourself path: ``python -m arenagrad tutorial --stepwise``.

The tutorial writes each operator in Python, builds its result with
``Value(data=..., _children=(...))``, sets ``out._backward`` to a closure and
attaches the function to the class (``Value.__add__ = custom_addition``). This
replays that path on a subclass of ``arenagrad.Value``, so arenagrad's own class
keeps its C++ operators, and prints what the tutorial prints, including the
gradient surprises of its composite ``-`` and ``/`` under ``_backward()``.
"""

from __future__ import annotations

from typing import Union

from ._core import Value as _CoreValue


class Value(_CoreValue):
    """The tutorial's Value: arenagrad's node, operators to be attached below."""


Operand = Union[Value, float]


def custom_addition(self: Value, other: Operand) -> Value:
    other = other if isinstance(other, Value) else Value(other)
    out = Value(data=self.data + other.data, _children=(self, other), _op="+")

    def _backward() -> None:  # d(a + b)/da = d(a + b)/db = 1
        self.grad += out.grad
        other.grad += out.grad

    out._backward = _backward
    return out


def custom_multiplication(self: Value, other: Operand) -> Value:
    other = other if isinstance(other, Value) else Value(other)
    out = Value(data=self.data * other.data, _children=(self, other), _op="*")

    def _backward() -> None:  # d(ab)/da = b, d(ab)/db = a
        self.grad += out.grad * other.data
        other.grad += out.grad * self.data

    out._backward = _backward
    return out


def custom_power(self: Value, k: float) -> Value:
    out = Value(data=self.data**k, _children=(self,), _op=f"**{k}")

    def _backward() -> None:  # d(a^k)/da = k a^(k-1)
        self.grad += out.grad * k * self.data ** (k - 1)

    out._backward = _backward
    return out


def custom_relu(self: Value) -> Value:
    out = Value(data=0 if self.data < 0 else self.data, _children=(self,), _op="ReLU")

    def _backward() -> None:
        self.grad += out.grad * (out.data > 0)

    out._backward = _backward
    return out


# The composites, as the tutorial derives them from the primitives above.
OPERATORS = {
    "__add__": custom_addition,
    "__radd__": lambda self, other: self + other,
    "__mul__": custom_multiplication,
    "__rmul__": lambda self, other: self * other,
    "__pow__": custom_power,
    "__neg__": lambda self: self * -1,
    "__sub__": lambda self, other: self + (-other),  # two nodes: add over neg
    "__rsub__": lambda self, other: other + (-self),
    "__truediv__": lambda self, other: self * other**-1,  # two nodes: mul over pow
    "__rtruediv__": lambda self, other: other * self**-1,
    "relu": custom_relu,
}


def _one_rule(title: str, make) -> None:
    """Builds c from fresh a, b, sets c.grad = 11 and applies only c's rule."""
    print(f"\n== {title} ==")
    a, b, c = make()
    c.grad = 11.0
    print(f"c => {c}")
    c._backward()
    print(f"a => {a}")
    if isinstance(b, Value):
        print(f"b => {b}")


def main() -> None:
    print("The seed tutorial's define-it-yourself path: each op written in Python.")
    for name, function in OPERATORS.items():
        setattr(Value, name, function)

    def pair(x: float, y: float) -> tuple[Value, Value]:
        return Value(data=x), Value(data=y)

    def built(op):
        def make():
            a, b = pair(5.0, 6.0) if op in "+*" else pair(5.0, 4.0)
            return a, b, (a + b if op == "+" else a * b if op == "*" else a - b)

        return make

    _one_rule("Addition", built("+"))
    _one_rule("Multiplication", built("*"))
    _one_rule("Power", lambda: (lambda a: (a, 2.0, a**2.0))(Value(data=5.0)))
    _one_rule("Negation", lambda: (lambda a: (a, None, -a))(Value(data=5.0)))
    _one_rule("Subtraction (b's gradient stops at the neg node)", built("-"))
    _one_rule("Division (b's gradient stops at the pow node)",
              lambda: (lambda a, b: (a, b, a / b))(*pair(6.0, 3.0)))

    print("\n== ReLU ==")
    a = Value(data=6.0)
    print(f"ReLU ({a}) => {a.relu()}")
    print(f"ReLU (-{a}) => {(-a).relu()}")

    print("\n== The global backward runs every rule: the surprises are gone ==")
    for title, op in (("a - b", lambda a, b: a - b), ("a / b", lambda a, b: a / b)):
        a, b = pair(6.0, 3.0)
        c = op(a, b)
        c.backward()
        print(f"{title}: c => {c}  a => {a}  b => {b}")
    a, b = pair(2.0, 3.0)
    g = (a + b) ** 4.0 / Value(6.0)
    g.backward()
    print(f"((a + b) ** 4 / 6).backward(): a => {a}  b => {b}")


if __name__ == "__main__":
    main()
