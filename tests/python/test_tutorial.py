"""``python -m arenagrad tutorial``: the seed tutorial replayed with arenagrad."""

from __future__ import annotations

import re

from arenagrad import tutorial

# Lines the seed tutorial prints, in order, that arenagrad reproduces exactly.
SEED_LINES = [
    "Raw Data(data=5.0, type=<class 'float'>",
    "Value(data=5.0, grad=0.0)",
    "Value(data=5.0, grad=0.0) + Value(data=6.0, grad=0.0) => Value(data=11.0, grad=0.0)",
    "c => Value(data=11.0, grad=11.0)",
    "a => Value(data=5.0, grad=11.0)",
    "b => Value(data=6.0, grad=11.0)",
    "Value(data=5.0, grad=0.0) * Value(data=6.0, grad=0.0) => Value(data=30.0, grad=0.0)",
    "c => Value(data=30.0, grad=11.0)",
    "a => Value(data=5.0, grad=66.0)",
    "b => Value(data=6.0, grad=55.0)",
    "Value(data=5.0, grad=0.0) ** 2.0 => Value(data=25.0, grad=0.0)",
    "c => Value(data=25.0, grad=11.0)",
    "a => Value(data=5.0, grad=110.0)",
    "b => 2.0",
    "Negation of Value(data=5.0, grad=0.0) => Value(data=-5.0, grad=0.0)",
    "c => Value(data=-5.0, grad=11.0)",
    "a => Value(data=5.0, grad=-11.0)",
    "Value(data=5.0, grad=0.0) - Value(data=4.0, grad=0.0) => Value(data=1.0, grad=0.0)",
    "c => Value(data=1.0, grad=11.0)",
    "a => Value(data=5.0, grad=11.0)",
    "b => Value(data=4.0, grad=-11.0)",  # the seed's composite op printed 0.0
    "Value(data=6.0, grad=0.0) / Value(data=3.0, grad=0.0) => Value(data=2.0, grad=0.0)",
    "c => Value(data=2.0, grad=11.0)",
    "a => Value(data=6.0, grad=3.6666666666666665)",
    "b => Value(data=3.0, grad=-7.333333333333333)",  # seed: 0.0
    "ReLU (Value(data=6.0, grad=0.0)) => Value(data=6.0, grad=0.0)",
    "ReLU (-Value(data=6.0, grad=0.0)) => Value(data=0.0, grad=0.0)",  # seed: data=0
    "a => Value(data=3.0, grad=11.0)",
    "b => Value(data=-3.0, grad=0.0)",
    "BEFORE backward",
    "AFTER backward",
    "Value(data=2.0, grad=83.33333333333333)",
    "Value(data=3.0, grad=83.33333333333333)",
    "Value(data=5.0, grad=83.33333333333333)",
    "4.0",
    "Value(data=625.0, grad=0.16666666666666666)",
    "Value(data=6.0, grad=-17.36111111111111)",
    "c => Value(data=3.0, grad=1.0)",
    "a => Value(data=6.0, grad=1.0)",
    "b => Value(data=3.0, grad=-1.0)",
    "c => Value(data=2.0, grad=1.0)",
    "a => Value(data=6.0, grad=0.3333333333333333)",
    "b => Value(data=3.0, grad=-0.6666666666666666)",
    "Neuron 1(Number=2, Non-Linearity=ReLU)",
    "Layer 1 ",
    " - Neuron 2(Number=2, Non-Linearity=ReLU)",
    "MLP of ",
    " - Layer 2 ",
    " - Neuron 0(Number=3, Non-Linearity=None)",
    "Ground Truth =>  0.00",
]


def run_tutorial(capsys) -> list[str]:
    tutorial.main()
    return capsys.readouterr().out.splitlines()


def test_prints_the_seed_lines_in_order(capsys):
    lines = run_tutorial(capsys)
    position = 0
    for expected in SEED_LINES:
        assert expected in lines[position:], (
            f"missing after line {position}: {expected}"
        )
        position = lines.index(expected, position) + 1


def test_flags_where_arenagrad_differs_from_the_seed(capsys):
    text = "\n".join(run_tutorial(capsys))
    assert "subtraction is one primitive node" in text
    assert "division is one primitive node" in text
    assert "the float 0.0 (the tutorial printed 0)" in text


def test_training_section_loss_falls(capsys):
    lines = run_tutorial(capsys)
    epochs = [
        float(m.group(1))
        for ln in lines
        if (m := re.match(r"Epoch \d+: Loss (.*)", ln))
    ]
    assert len(epochs) == 50
    assert epochs[-1] < epochs[0]


def test_output_is_reproducible(capsys):
    assert run_tutorial(capsys) == run_tutorial(capsys)
