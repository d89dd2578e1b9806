"""The command line: ``python -m arenagrad`` and the ``arenagrad`` script."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import arenagrad
import golden
import pytest
from arenagrad import cli


def run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "arenagrad", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_no_arguments_prints_version_and_readme_example():
    result = run_module()
    assert result.returncode == 0, result.stderr
    assert f"arenagrad {arenagrad.__version__}" in result.stdout
    for line in golden.readme_example_lines():  # printed with an explanation after it
        assert line in result.stdout


def test_readme_example_values():
    g, a, b = cli.readme_example()
    printed = [f"g.data = {g.data:.4f}", f"a.grad = {a.grad:.4f}", f"b.grad = {b.grad:.4f}"]
    assert printed == golden.readme_example_lines()


def test_version_flag():
    result = run_module("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"arenagrad {arenagrad.__version__}"


def test_console_script_points_at_cli_main():
    found = importlib.metadata.entry_points()
    if hasattr(found, "select"):  # Python 3.10+
        scripts = found.select(group="console_scripts")
    else:
        scripts = found.get("console_scripts", [])
    (entry,) = [e for e in scripts if e.name == "arenagrad"]
    assert entry.value == "arenagrad.cli:main"
    assert entry.load() is cli.main


def test_demo_arguments_are_parsed():
    args = cli.build_parser().parse_args(
        [
            "demo",
            "--steps",
            "7",
            "--hidden",
            "8, 4",
            "--optimizer",
            "adam",
            "--loss",
            "bce",
            "--seed",
            "3",
            "--out",
            "x",
            "--quiet",
        ]
    )
    assert args.steps == 7 and args.hidden == (8, 4) and args.seed == 3
    assert args.optimizer == "adam" and args.loss == "bce" and args.quiet
    assert str(args.out) == "x"
    defaults = cli.build_parser().parse_args(["demo"])
    assert (defaults.steps, defaults.hidden, defaults.optimizer, defaults.loss) == (
        100,
        (16, 16),
        "sgd",
        "hinge",
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--steps", "0"],
        ["demo", "--steps", "many"],
        ["demo", "--hidden", "16,x"],
        ["demo", "--hidden", ","],
        ["demo", "--optimizer", "rmsprop"],
        ["demo", "--loss", "l1"],
        ["frobnicate"],
    ],
)
def test_bad_arguments_exit_with_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as excinfo:
        cli.main(argv)
    assert excinfo.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_importing_the_package_and_cli_stays_light():
    # matplotlib, tqdm and graphviz load only when a demo or drawing runs.
    code = (
        "import sys, arenagrad, arenagrad.cli, arenagrad.nn, arenagrad.optim, "
        "arenagrad.losses, arenagrad.data, arenagrad.viz, arenagrad.demo, "
        "arenagrad.tutorial\n"
        "print(sorted(m for m in ('matplotlib', 'tqdm', 'graphviz') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
