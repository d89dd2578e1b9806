"""The constructs the micrograd lecture (nn-zero-to-hero) uses, written for this
project: labelled leaves, ops built with Value(data, _children, _op) and a
_backward closure, an id()-keyed graph walk, a tanh MLP and its squared-error
training loop. Run as ``python lecture_constructs.py MODE``:

  reference  a plain-Python micrograd-style Value class defined below
  python     arenagrad.Value with every op below attached to it (as the lecture
             builds its class one method at a time)
  mixed      arenagrad.Value with only tanh and exp attached (built-in + - * /)

and it prints every number; the test compares the modes line by line.
"""

import math
import random
import sys

MODE = sys.argv[1]


class PlainValue:
    """The reference: a scalar with a closure per op, nothing else."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = tuple(_children)
        self._op = _op
        self.label = label

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # post-order without recursion
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((c, False) for c in reversed(node._prev))
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


if MODE == "reference":
    V = PlainValue
else:
    from arenagrad import Value as V


def _wrap(x):
    return x if isinstance(x, V) else V(x)


def op_add(self, other):
    other = _wrap(other)
    out = V(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += out.grad
        other.grad += out.grad

    out._backward = _backward
    return out


def op_mul(self, other):
    other = _wrap(other)
    out = V(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


def op_pow(self, k):
    out = V(self.data**k, (self,), f"**{k}")

    def _backward():
        self.grad += k * self.data ** (k - 1) * out.grad

    out._backward = _backward
    return out


def op_tanh(self):
    t = (math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)
    out = V(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


def op_exp(self):
    out = V(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def attach(cls, arithmetic):
    cls.tanh = op_tanh
    cls.exp = op_exp
    if not arithmetic:
        return
    cls.__add__ = op_add
    cls.__mul__ = op_mul
    cls.__pow__ = op_pow
    cls.__radd__ = lambda self, other: self + other
    cls.__rmul__ = lambda self, other: self * other
    cls.__neg__ = lambda self: self * -1
    cls.__sub__ = lambda self, other: self + (-other)
    cls.__rsub__ = lambda self, other: other + (-self)
    cls.__truediv__ = lambda self, other: self * other**-1


attach(V, arithmetic=MODE != "mixed")


def show(*values):
    print(" ".join(f"{v.label}:{v.data!r}:{v.grad!r}" for v in values))


def trace(root):
    """Nodes and edges by id(), the way the lecture's drawing code walks a graph."""
    nodes, edges, stack = {}, set(), [root]
    while stack:
        n = stack.pop()
        if id(n) in nodes:
            continue
        nodes[id(n)] = n
        for child in n._prev:
            edges.add((id(child), id(n)))
            stack.append(child)
    return nodes, edges


# 1. labelled leaves and an expression, gradients by hand and by backward
a = V(2.0, label="a")
b = V(-3.0, label="b")
c = V(10.0, label="c")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
f = V(-2.0, label="f")
L = d * f
L.label = "L"
L.grad = 1.0
for node in (L, d, e):
    node._backward()  # one local rule at a time, from the top
show(a, b, c, d, e, f, L)
for leaf in (a, b, c, f):
    leaf.data += 0.01 * leaf.grad
show(a * b + c)

# 2. the neuron, with tanh in one op and then spelled out with exp
x1, x2 = V(2.0, label="x1"), V(0.0, label="x2")
w1, w2 = V(-3.0, label="w1"), V(1.0, label="w2")
bias = V(6.8813735870195432, label="b")
n = x1 * w1 + x2 * w2 + bias
n.label = "n"
o = n.tanh()
o.label = "o"
o.backward()
show(x1, x2, w1, w2, bias, n, o)
nodes, edges = trace(o)
print("trace", len(nodes), len(edges), sorted(v._op for v in nodes.values()))
assert all(i in nodes and j in nodes for i, j in edges)
for leaf in (x1, x2, w1, w2, bias):
    leaf.grad = 0.0
n = x1 * w1 + x2 * w2 + bias
ex = (2 * n).exp()
o = (ex - 1) / (ex + 1)
o.backward()
show(x1, x2, w1, w2, bias, o)
nodes, edges = trace(o)
print("trace", len(nodes), len(edges))
shared = V(3.0, label="s")
twice = shared + shared
twice.backward()
show(shared)


# 3. the tanh MLP and its squared-error loop
class Neuron:
    def __init__(self, nin):
        self.w = [V(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = V(random.uniform(-1, 1))

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh()

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, nin, nout):
        self.neurons = [Neuron(nin) for _ in range(nout)]

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, nin, nouts):
        sizes = [nin] + nouts
        self.layers = [Layer(sizes[i], sizes[i + 1]) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


random.seed(42)
model = MLP(3, [4, 4, 1])
xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
ys = [1.0, -1.0, -1.0, 1.0]
for step in range(20):
    ypred = [model(x) for x in xs]
    loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
    for p in model.parameters():
        p.grad = 0.0
    loss.backward()
    for p in model.parameters():
        p.data += -0.1 * p.grad
    print(step, repr(loss.data))
print([repr(y.data) for y in ypred])
print(len(model.parameters()), repr(sum(p.grad for p in model.parameters())))
