"""The README's code works as written: its Python blocks, run in order, print
what it says they print, and its cheap commands run."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
PYTHON_BLOCKS = re.findall(r"^```python\n(.*?)^```", README, re.M | re.S)


def run(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        args, capture_output=True, text=True, cwd=cwd, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stderr
    return result


def test_python_blocks_run_in_order_and_print_what_the_readme_says(tmp_path):
    assert len(PYTHON_BLOCKS) >= 4
    script = "\n".join(PYTHON_BLOCKS)
    (tmp_path / "readme.py").write_text(script)
    out = run([sys.executable, "readme.py"], cwd=tmp_path).stdout.splitlines()
    # The micrograd example's comments state its printed numbers.
    for expected in re.findall(r"print\(f'\{\w\.\w+:\.4f\}'\)  # ([0-9.]+)", README):
        assert expected in out
    assert out[:3] == ["24.7041", "138.8338", "645.5773"]
    # Every other "print(...)  # number" comment states what that line prints.
    for expected in re.findall(r'print\(f"\{[^}]+\}"\)\s+# ([0-9.]+)', README):
        assert expected in out
    # The training block prints loss and accuracy: it learned the moons.
    loss, acc = next(line for line in out[3:] if len(line.split()) == 2).split()
    assert float(loss) < 0.1 and float(acc) == 1.0
    assert any(line.startswith("digraph arenagrad {") for line in out)
    if shutil.which("dot"):
        assert (tmp_path / "graph.svg").read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("python -m arenagrad", "a.grad = 138.8338"),
        ("python -m arenagrad tutorial", "Value(data="),
    ],
)
def test_cheap_commands_run(command, expected, tmp_path):
    assert command in README
    out = run([sys.executable, *command.split()[1:]], cwd=tmp_path).stdout
    assert expected in out


@pytest.mark.slow
def test_quick_start_demo_runs_as_written(tmp_path):
    assert "python -m arenagrad demo" in README
    out = run([sys.executable, "-m", "arenagrad", "demo"], cwd=tmp_path).stdout
    assert "final accuracy: 100.0%" in out
    for picture in ("loss.png", "decision_boundary.png"):
        assert (tmp_path / "arenagrad-demo" / picture).stat().st_size > 2000


def test_every_demo_flag_the_readme_lists_exists():
    from arenagrad import cli

    flags = set(re.findall(r"`(--[a-z-]+)", README.split("Flags:")[1].split("\n\n")[0]))
    assert {"--steps", "--out", "--no-compile"} <= flags
    help_text = run([sys.executable, "-m", "arenagrad", "demo", "--help"], cwd=ROOT).stdout
    for flag in flags:
        assert flag in help_text, flag
    assert cli.build_parser() is not None


def test_development_section_names_its_prerequisites():
    development = README.split("## Development")[1]
    for needed in ("scikit-build-core", "--no-build-isolation", '".[test]"', "libgtest-dev"):
        assert needed in development
