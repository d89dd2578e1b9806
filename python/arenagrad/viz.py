"""Draw the computation graph behind a ``Value``.

``to_dot(root)`` returns Graphviz DOT text and needs nothing else; it is
deterministic (nodes are numbered by topological order, never by memory
address), so the same expression always gives the same text. ``draw_dot``
hands that text to the optional ``graphviz`` package for rendering.
"""

from __future__ import annotations

from typing import Any

from ._core import Value


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, children before parents.

    Children are visited in operand order. Uses an explicit stack rather
    than recursion because graphs can be far deeper than Python's recursion
    limit.
    """
    order: list[Value] = []
    expanded_nodes: set[Value] = set()
    # Each entry: a node and whether its children have been pushed already.
    # A shared node may be pushed twice but is expanded (and emitted) once.
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in expanded_nodes:
            continue
        expanded_nodes.add(node)
        stack.append((node, True))
        # Push in reverse so the first operand is finished first.
        for child in reversed(node._prev):
            if child not in expanded_nodes:
                stack.append((child, False))
    return order


# Characters with meaning inside a DOT record label, escaped with a backslash.
_RECORD_SPECIAL = set('\\{}|<>"')


def _escape(text: str) -> str:
    """``text`` as it may stand inside a quoted DOT record label.

    Record syntax characters get a backslash; line breaks become DOT's ``\\n``;
    every other control character (NUL included, which ends a C string in
    Graphviz) is written as its code point, ``\\x00``, so nothing raw reaches DOT.
    """
    out = []
    for ch in text:
        if ch in _RECORD_SPECIAL:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch < " " or "\x7f" <= ch <= "\x9f" or ch in "\u2028\u2029":
            out.append(f"\\\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


def to_dot(root: Value, rankdir: str = "LR") -> str:
    """DOT text for the graph of ``root``.

    Each value is a record node ``label | data x | grad y``; each operation is
    a small ellipse between its operands and its result; edges run from
    operands to the op in operand order.
    """
    if not isinstance(root, Value):
        raise TypeError(f"to_dot needs a Value, not {type(root).__name__!r}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be LR, TB, RL or BT, got {rankdir!r}")
    order = topological_order(root)
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    lines = ["digraph arenagrad {", f"  rankdir={rankdir};"]
    for node in order:
        nid = ids[node]
        label = _escape(node.label)
        record = f"{{ {label} | data {node.data:.4f} | grad {node.grad:.4f} }}"
        lines.append(f'  {nid} [shape=record, label="{record}"];')
        if node._op:
            op = _escape(node._op)
            lines.append(f'  {nid}_op [label="{op}"];')
            lines.append(f"  {nid}_op -> {nid};")
            for child in node._prev:
                lines.append(f"  {ids[child]} -> {nid}_op;")
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR") -> Any:
    """A ``graphviz.Source`` for the graph of ``root``.

    Displays inline in Jupyter; ``.render("name")`` or ``.pipe()`` writes it
    in ``format``. Needs the ``graphviz`` Python package; Graphviz's ``dot``
    program is needed only to render (``graphviz.ExecutableNotFound`` then).
    """
    try:
        import graphviz
    except ImportError as exc:
        raise ImportError(
            'draw_dot needs the graphviz package: pip install "arenagrad[viz]" '
            "(and the Graphviz `dot` program, e.g. apt install graphviz)"
        ) from exc
    return graphviz.Source(to_dot(root, rankdir=rankdir), format=format)


__all__ = ["draw_dot", "to_dot", "topological_order"]
