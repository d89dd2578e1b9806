"""Every script in examples/ runs (with small step counts)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import golden

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str, *args: str, cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_all_examples_are_covered():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == [
        "draw_graph.py",
        "fit_line.py",
        "minibatch_compile.py",
        "moons_demo.py",
        "newton_rosenbrock.py",
        "seed_tutorial.py",
    ]


def test_moons_demo(tmp_path):
    out = run_example("moons_demo.py", "--steps", "5", cwd=tmp_path)
    assert "337 parameters" in out
    assert "step 4 loss" in out
    assert "final accuracy" in out


def test_fit_line_finds_the_line(tmp_path):
    out = run_example("fit_line.py", cwd=tmp_path)
    w, b = (
        float(v)
        for v in out.splitlines()[-1].split("w = ")[1].split(" (")[0].split(", b = ")
    )
    assert abs(w - 2.0) < 0.05 and abs(b + 1.0) < 0.05


def test_minibatch_compile_learns_with_one_program(tmp_path):
    out = run_example("minibatch_compile.py", "--epochs", "15", cwd=tmp_path)
    losses = [float(line.split()[-1]) for line in out.splitlines() if line.startswith("epoch")]
    assert len(losses) == 15 and losses[-1] < 0.5 * losses[0]
    assert "(1 program traced)" in out


def test_seed_tutorial(tmp_path):
    out = run_example("seed_tutorial.py", cwd=tmp_path)
    golden.assert_lines_in_order(golden.seed_tutorial_lines(), out.splitlines())
    assert "Epoch 49: Loss" in out


def test_draw_graph(tmp_path):
    target = tmp_path / "neuron.svg"
    out = run_example("draw_graph.py", "--out", str(target), cwd=tmp_path)
    assert out.startswith("digraph arenagrad {")
    assert "{ out | data" in out
    if golden.graphviz_works():
        assert "<svg" in target.read_text()
    else:
        assert "not drawing" in out


def test_newton_rosenbrock_converges(tmp_path):
    out = run_example("newton_rosenbrock.py", cwd=tmp_path)
    steps = int(out.split(" after ")[1].split(" steps")[0])
    assert "minimum at (1.000000000000, 1.000000000000)" in out and steps < 30
    assert "slope 4.75, curvature 9.0" in out
