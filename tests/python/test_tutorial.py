"""``python -m arenagrad tutorial``: the seed tutorial replayed with arenagrad."""

from __future__ import annotations

import re

import golden
from arenagrad import tutorial

SEED_LINES = golden.seed_tutorial_lines()


def run_tutorial(capsys) -> list[str]:
    tutorial.main()
    return capsys.readouterr().out.splitlines()


def test_prints_the_seed_lines_in_order(capsys):
    golden.assert_lines_in_order(SEED_LINES, run_tutorial(capsys))


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
