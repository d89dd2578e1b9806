"""The seed tutorial's Value snippets, run against arenagrad, print the seed's numbers.

Where the seed demonstrates its composite subtraction/division losing a gradient,
arenagrad's single-node ops give the calculus answer instead (the seed's own fix).
"""

from __future__ import annotations

from arenagrad import Value


def test_construction_and_repr():
    value_node = Value(data=5.0)
    assert f"{value_node}" == "Value(data=5.0, grad=0.0)"


def test_addition():
    a, b = Value(data=5.0), Value(data=6.0)
    assert f"{a} + {b} => {a+b}" == (
        "Value(data=5.0, grad=0.0) + Value(data=6.0, grad=0.0) => Value(data=11.0, grad=0.0)"
    )
    c = a + b
    c.grad = 11.0
    assert f"c => {c}" == "c => Value(data=11.0, grad=11.0)"
    c._backward()
    assert f"a => {a}" == "a => Value(data=5.0, grad=11.0)"
    assert f"b => {b}" == "b => Value(data=6.0, grad=11.0)"


def test_multiplication():
    a, b = Value(data=5.0), Value(data=6.0)
    assert f"{a*b}" == "Value(data=30.0, grad=0.0)"
    c = a * b
    c.grad = 11.0
    c._backward()
    assert (f"{c}", f"{a}", f"{b}") == (
        "Value(data=30.0, grad=11.0)", "Value(data=5.0, grad=66.0)", "Value(data=6.0, grad=55.0)"
    )


def test_power():
    a, b = Value(data=5.0), 2.0
    assert f"{a} ** {b} => {a**b}" == "Value(data=5.0, grad=0.0) ** 2.0 => Value(data=25.0, grad=0.0)"
    c = a**b
    c.grad = 11.0
    c._backward()
    assert (f"{c}", f"{a}", f"{b}") == ("Value(data=25.0, grad=11.0)", "Value(data=5.0, grad=110.0)", "2.0")


def test_negation():
    a = Value(data=5.0)
    assert f"Negation of {a} => {(-a)}" == (
        "Negation of Value(data=5.0, grad=0.0) => Value(data=-5.0, grad=0.0)"
    )
    c = -a
    c.grad = 11.0
    c._backward()
    assert (f"{c}", f"{a}") == ("Value(data=-5.0, grad=11.0)", "Value(data=5.0, grad=-11.0)")


def test_subtraction_gets_the_gradient_the_seed_lost():
    a, b = Value(data=5.0), Value(data=4.0)
    assert f"{a - b}" == "Value(data=1.0, grad=0.0)"
    c = a - b
    c.grad = 11.0
    c._backward()
    assert (f"{c}", f"{a}") == ("Value(data=1.0, grad=11.0)", "Value(data=5.0, grad=11.0)")
    assert f"{b}" == "Value(data=4.0, grad=-11.0)"  # the seed printed grad=0.0 here


def test_division_gets_the_gradient_the_seed_lost():
    a, b = Value(data=6.0), Value(data=3.0)
    assert f"{a / b}" == "Value(data=2.0, grad=0.0)"
    c = a / b
    c.grad = 11.0
    c._backward()
    assert (f"{c}", f"{a}") == ("Value(data=2.0, grad=11.0)", "Value(data=6.0, grad=3.6666666666666665)")
    assert f"{b}" == "Value(data=3.0, grad=-7.333333333333333)"  # the seed printed grad=0.0


def test_relu():
    a = Value(data=6.0)
    assert f"ReLU ({a}) => {(a.relu())}" == "ReLU (Value(data=6.0, grad=0.0)) => Value(data=6.0, grad=0.0)"
    assert f"{(-a).relu()}" == "Value(data=0.0, grad=0.0)"  # the seed's int 0 is a float here
    a, b = Value(3.0), Value(-3.0)
    relu_a, relu_b = a.relu(), b.relu()
    relu_a.grad = relu_b.grad = 11.0
    relu_a._backward()
    relu_b._backward()
    assert (f"{a}", f"{b}") == ("Value(data=3.0, grad=11.0)", "Value(data=-3.0, grad=0.0)")


def test_global_backward():
    a = Value(2.0)
    b = Value(3.0)
    c = a + b
    d = 4.0
    e = c**d
    f = Value(6.0)
    g = e / f
    before = [str(x) for x in [a, b, c, d, e, f, g]]
    # The seed computes e / f as e * f**-1 and prints 104.16666666666666; one
    # division node gives the correctly rounded 625 / 6, one unit in the last place up.
    assert g.data == 625.0 / 6.0 == 104.16666666666667
    assert abs(g.data - 104.16666666666666) <= 2e-14
    assert before == [
        "Value(data=2.0, grad=0.0)", "Value(data=3.0, grad=0.0)", "Value(data=5.0, grad=0.0)",
        "4.0", "Value(data=625.0, grad=0.0)", "Value(data=6.0, grad=0.0)",
        "Value(data=104.16666666666667, grad=0.0)",
    ]
    g.backward()
    after = [str(x) for x in [a, b, c, d, e, f, g]]
    assert after == [
        "Value(data=2.0, grad=83.33333333333333)", "Value(data=3.0, grad=83.33333333333333)",
        "Value(data=5.0, grad=83.33333333333333)", "4.0",
        "Value(data=625.0, grad=0.16666666666666666)", "Value(data=6.0, grad=-17.36111111111111)",
        "Value(data=104.16666666666667, grad=1.0)",
    ]


def test_fixed_subtraction_and_division_with_backward():
    a, b = Value(data=6.0), Value(data=3.0)
    c = a - b
    c.backward()
    assert [str(x) for x in (c, a, b)] == [
        "Value(data=3.0, grad=1.0)", "Value(data=6.0, grad=1.0)", "Value(data=3.0, grad=-1.0)"
    ]
    a, b = Value(data=6.0), Value(data=3.0)
    c = a / b
    c.backward()
    assert [str(x) for x in (c, a, b)] == [
        "Value(data=2.0, grad=1.0)", "Value(data=6.0, grad=0.3333333333333333)",
        "Value(data=3.0, grad=-0.6666666666666666)",
    ]
