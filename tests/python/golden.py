"""One copy of each expected output and environment check the tests share.

The golden files live in tests/python/golden/; a test that checks the tutorial's
or the README example's output reads them here instead of restating the lines.
"""

from __future__ import annotations

import shutil
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def _lines(name: str) -> list[str]:
    # Lines are compared exactly (some end in a space, as the seed prints them).
    text = (GOLDEN / name).read_text(encoding="utf-8")
    return [line for line in text.split("\n") if line and not line.startswith("#")]


def seed_tutorial_lines() -> list[str]:
    return _lines("seed_tutorial_lines.txt")


def readme_example_lines() -> list[str]:
    return _lines("readme_example.txt")


def assert_lines_in_order(expected: list[str], lines: list[str]) -> None:
    position = 0
    for line in expected:
        assert line in lines[position:], f"missing after line {position}: {line!r}"
        position = lines.index(line, position) + 1


def graphviz_works() -> bool:
    """The graphviz package imports and Graphviz's `dot` program is on PATH."""
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None
