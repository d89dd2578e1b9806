# The seed tutorial's cells ("Automatic Differentiation Part 2: Implementation
# Using Micrograd", /work/shared/seed/micrograd-tutorial.txt), in order, with only
# its `class Value` definition replaced by the import below; docstrings and
# comments are left out. tests/python/test_verbatim_runs.py runs this file in a
# fresh interpreter (it patches the class) and compares what it prints.
import random
from typing import List, Union

from arenagrad import Value
from matplotlib import pyplot as plt

raw_data = 5.0
print(f"Raw Data(data={raw_data}, type={type(raw_data)}")
value_node = Value(data=raw_data)
print(value_node)


def custom_addition(self, other: Union["Value", float]) -> "Value":
    other = other if isinstance(other, Value) else Value(other)
    out = Value(data=self.data + other.data, _children=(self, other))
    def _backward():
        self.grad += out.grad * 1.0
        other.grad += out.grad * 1.0
    out._backward = _backward
    return out


def custom_reverse_addition(self, other):
    return self + other


Value.__add__ = custom_addition
Value.__radd__ = custom_reverse_addition

a = Value(data=5.0)
b = Value(data=6.0)
print(f"{a} + {b} => {a+b}")

c = a + b
c.grad = 11.0
print(f"c => {c}")
c._backward()
print(f"a => {a}")
print(f"b => {b}")


def custom_multiplication(self, other: Union["Value", float]) -> "Value":
    other = other if isinstance(other, Value) else Value(other)
    out = Value(data=self.data * other.data, _children=(self, other))
    def _backward():
        self.grad += out.grad * other.data
        other.grad += out.grad * self.data
    out._backward = _backward
    return out


def custom_reverse_multiplication(self, other):
    return self * other


Value.__mul__ = custom_multiplication
Value.__rmul__ = custom_reverse_multiplication

a = Value(data=5.0)
b = Value(data=6.0)
print(f"{a} * {b} => {a*b}")

c = a * b
c.grad = 11.0
print(f"c => {c}")
c._backward()
print(f"a => {a}")
print(f"b => {b}")


def custom_power(self, other):
    assert isinstance(
        other, (int, float)
    ), "only supporting int/float powers for now"
    out = Value(data=self.data ** other, _children=(self,))
    def _backward():
        self.grad += out.grad * (other * self.data ** (other - 1))
    out._backward = _backward
    return out


Value.__pow__ = custom_power

a = Value(data=5.0)
b = 2.0
print(f"{a} ** {b} => {a**b}")

c = a ** b
c.grad = 11.0
print(f"c => {c}")
c._backward()
print(f"a => {a}")
print(f"b => {b}")


def custom_negation(self):
    return self * -1


Value.__neg__ = custom_negation

a = Value(data=5.0)
print(f"Negation of {a} => {(-a)}")

c = -a
c.grad = 11.0
print(f"c => {c}")
c._backward()
print(f"a => {a}")


def custom_subtraction(self, other):
    return self + (-other)


def custom_reverse_subtraction(self, other):
    return other + (-self)


Value.__sub__ = custom_subtraction
Value.__rsub__ = custom_reverse_subtraction

a = Value(data=5.0)
b = Value(data=4.0)
print(f"{a} - {b} => {(a-b)}")

c = a - b
c.grad = 11.0
print(f"c => {c}")
c._backward()
print(f"a => {a}")
print(f"b => {b}")


def custom_division(self, other):
    return self * other ** -1


def custom_reverse_division(self, other):
    return other * self ** -1


Value.__truediv__ = custom_division
Value.__rtruediv__ = custom_reverse_division

a = Value(data=6.0)
b = Value(data=3.0)
print(f"{a} / {b} => {(a/b)}")

c = a / b
c.grad = 11.0
print(f"c => {c}")
c._backward()
print(f"a => {a}")
print(f"b => {b}")


def relu(self):
    out = Value(data=0 if self.data < 0 else self.data, _children=(self,))
    def _backward():
        self.grad += out.grad * (out.data > 0)
    out._backward = _backward
    return out


Value.relu = relu

a = Value(data=6.0)
print(f"ReLU ({a}) => {(a.relu())}")
print(f"ReLU (-{a}) => {((-a).relu())}")

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


def backward(self):
    topo = []
    visited = set()
    def build_topo(node: "Value"):
        if node not in visited:
            visited.add(node)
            for child in node._prev:
                build_topo(child)
            topo.append(node)
    build_topo(self)
    self.grad = 1.0
    for node in reversed(topo):
        node._backward()


Value.backward = backward

a = Value(2.0)
b = Value(3.0)
c = a+b
d = 4.0
e = c**d
f = Value(6.0)
g = e/f
print("BEFORE backward")
for element in [a, b, c, d, e, f, g]:
    print(element)
g.backward()
print("AFTER backward")
for element in [a, b, c, d, e, f, g]:
    print(element)

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


class Module(object):
    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0

    def parameters(self):
        return []


class Neuron(Module):
    def __init__(self, number_inputs: int, name, is_nonlinear: bool = True):
        self.weights = [Value(data=random.uniform(-1, 1)) for _ in range(number_inputs)]
        self.bias = Value(data=0.0)
        self.is_nonlinear = is_nonlinear
        self.name = name

    def __call__(self, x: List["Value"]) -> "Value":
        act = sum(
            ((wi * xi) for wi, xi in zip(self.weights, x)), self.bias
        )
        return act.relu() if self.is_nonlinear else act

    def parameters(self):
        return self.weights + [self.bias]

    def __repr__(self):
        return f"Neuron {self.name}(Number={len(self.weights)}, Non-Linearity={'ReLU' if self.is_nonlinear else 'None'})"


x = [2.0, 3.0]
neuron = Neuron(number_inputs=2, name=1)
print(neuron)
out = neuron(x)
print(f"Output => {out}")


class Layer(Module):
    def __init__(self, number_inputs: int, number_outputs: int, name: int, **kwargs):
        self.neurons = [
            Neuron(number_inputs=number_inputs, name=idx, **kwargs)
            for idx in range(number_outputs)
        ]
        self.name = name
        self.number_outputs = number_outputs

    def __call__(self, x: List["Value"]) -> Union[List["Value"], "Value"]:
        out = [n(x) for n in self.neurons]
        return out if self.number_outputs != 1 else out[0]

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        layer_str = "\n".join(f' - {str(n)}' for n in self.neurons)
        return f"Layer {self.name} \n{layer_str}\n"


x = [2.0, 3.0]
layer = Layer(number_inputs=2, number_outputs=3, name=1)
print(layer)
out = layer(x)
print(f"Output => {out}")

x = [2.0, 3.0]
layer = Layer(number_inputs=2, number_outputs=1, name=1)
print(layer)
out = layer(x)
print(f"Output => {out}")


class MLP(Module):
    def __init__(self, number_inputs: int, list_number_outputs: List[int]):
        total_size = [number_inputs] + list_number_outputs
        self.layers = [
            Layer(
                number_inputs=total_size[i],
                number_outputs=total_size[i + 1],
                name=i,
                is_nonlinear=i != len(list_number_outputs) - 1
            )
            for i in range(len(list_number_outputs))
        ]

    def __call__(self, x: List["Value"]) -> List["Value"]:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        mlp_str = "\n".join(f' - {str(layer)}' for layer in self.layers)
        return f"MLP of \n{mlp_str}"


x = [2.0, 3.0]
mlp = MLP(number_inputs=2, list_number_outputs=[3, 3, 1])
print(mlp)
out = mlp(x)
print(f"Output => {out}")

xs = [
    [0.5, 0.5, 0.70],
    [0.4, -0.1, 0.5],
    [-0.2, -0.75, 1.0],
]
ys = [0.0, 1.0, 0.0]

mlp = MLP(number_inputs=3, list_number_outputs=[3, 3, 1])


def forward(mlp: "MLP", xs: List[List[float]]) -> List["Value"]:
    ypred = [mlp(x) for x in xs]
    return ypred


def compute_loss(ys: List[int], ypred: List["Value"]) -> "Value":
    loss = sum(
        [(ygt - yout)**2 for ygt, yout in zip(ys, ypred)]
    )
    return loss


def update_mlp(mlp: "MLP"):
    for layer in mlp.layers:
        for neuron in layer.neurons:
            for weight in neuron.weights:
                weight.data -= (1e-2 * weight.grad)
            neuron.bias.data -= (1e-2 * neuron.bias.grad)


epochs = 50
loss_list = []
for idx in range(epochs):
    ypred = forward(mlp, xs)
    loss = compute_loss(ys, ypred)
    mlp.zero_grad()
    loss.backward()
    update_mlp(mlp)
    loss_list.append(loss.data)
    print(f"Epoch {idx}: Loss {loss.data: 0.2f}")

plt.plot(loss_list)
plt.grid()
plt.ylabel("Loss")
plt.xlabel("Epoch")
plt.show()

pred = mlp(xs[0])
ygt = ys[0]
print(f"Prediction => {pred.data: 0.2f}")
print(f"Ground Truth => {ygt: 0.2f}")
