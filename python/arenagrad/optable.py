"""The op table as documentation: README.md's op list is generated from ops.def.

    python -m arenagrad.optable          # print the table
    python -m arenagrad.optable --write  # rewrite README.md's block between the markers
"""

from __future__ import annotations

import sys
from pathlib import Path

from ._core import ops

START, END = "<!-- ops:start -->", "<!-- ops:end -->"


def _usage(op: dict) -> str:
    py, kind = op["python"], op["kind"]
    if op["name"] == "PowConst":
        return "`v ** k`"
    if op["name"] == "Pow":
        return "`v ** w`, `k ** v`"
    if kind == "operator":
        symbol = {"__add__": "+", "__sub__": "-", "__mul__": "*", "__truediv__": "/"}.get(py)
        return f"`a {symbol} b`" if symbol else "`-v`"
    if op["name"] == "Clamp":
        return "`v.clamp(lo=None, hi=None)`"
    if kind == "function":
        return f"`arenagrad.{py}(a, b)`"
    if op["constant"]:
        return f"`v.{py}({op['constant']}={op['constant_default']})`"
    if op["name"] == "Abs":
        return "`abs(v)`, `v.abs()`"
    return f"`v.{py}()`"


def markdown_table() -> str:
    rows = ["| op | call | what it computes | derivative convention |", "|---|---|---|---|"]
    for op in ops():
        if op["kind"] == "helper":
            continue
        doc = op["doc"].replace("|", "\\|")
        rows.append(f"| {op['name']} | {_usage(op)} | {doc} | {op['convention'] or '-'} |")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    table = markdown_table()
    if "--write" not in argv:
        print(table)
        return 0
    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text()
    head, rest = text.split(START)
    _, tail = rest.split(END)
    readme.write_text(f"{head}{START}\n{table}\n{END}{tail}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
