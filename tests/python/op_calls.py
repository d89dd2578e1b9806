"""Calling any op of the table by its entry (arenagrad.ops()), for the generic tests
and fuzzers. An op kind this module does not know fails loudly, never falls through."""

from __future__ import annotations

import math
import operator
import random

import arenagrad

OPS = [op for op in arenagrad.ops() if op["kind"] != "helper"]
_DUNDERS = {
    "__add__": operator.add,
    "__sub__": operator.sub,
    "__mul__": operator.mul,
    "__truediv__": operator.truediv,
    "__neg__": operator.neg,
}
MARGIN = 0.05


def constants(op):
    """The constants an op is tested with (None: it takes none)."""
    if op["name"] == "PowConst":
        return [2.0, 3.0, -2.0, 0.0]
    if op["name"] == "Clamp":
        return [(-1.0, 1.5), (None, 0.5), (-0.5, None)]
    if op["constant"] is not None:
        return [op["constant_default"], 0.3]
    return [None]


def call(op, a, b=None, k=None):
    """op applied to a (and b), each a Value or a number; k its constant."""
    kind, py = op["kind"], op["python"]
    if op["name"] == "PowConst":
        return a**k
    if op["name"] == "Pow":
        return a**b
    if kind == "operator":
        return _DUNDERS[py](a) if op["arity"] == 1 else _DUNDERS[py](a, b)
    if kind == "method" and op["name"] == "Clamp":
        return a.clamp(*k)
    if kind == "method":
        return getattr(a, py)() if k is None else getattr(a, py)(k)
    if kind == "function":
        return getattr(arenagrad, py)(a, b)
    raise AssertionError(f"op kind {kind!r} of {op['name']} has no caller: add it here")


def float_call(op, a, b=None, k=None):
    """The same op on floats, through a leaf (the reference for finite differences)."""
    out = call(op, arenagrad.Value(a), b if b is None else arenagrad.Value(b), k)
    return out.data


def _draw(rng, lo, hi):
    lo, hi = max(lo, -3.0) + MARGIN, min(hi, 3.0) - MARGIN
    return rng.uniform(lo, hi)


def _near_kink(op, a, b, k):
    points = [0.0]
    if op["name"] == "Clamp":
        points += [x for x in k if x is not None]
    if b is not None:
        points.append(b)
        if abs(b) < MARGIN:
            return True
    return any(abs(a - p) < MARGIN for p in points)


def sample(op, count=8, seed=0):
    """(a, b, k) points inside the op's domain, then just inside its finite edges."""
    rng = random.Random(f"{op['name']}:{seed}")
    (a_lo, a_hi), (b_lo, b_hi) = op["domain"]
    binary = op["arity"] == 2 and op["name"] != "Clamp"
    out = []
    for k in constants(op):
        n = 0
        while n < count:
            a = _draw(rng, a_lo, a_hi)
            b = _draw(rng, b_lo, b_hi) if binary else None
            if _near_kink(op, a, b, k):
                continue
            out.append((a, b, k))
            n += 1
        for edge in (a_lo, a_hi):
            if math.isfinite(edge) and abs(edge) <= 3.0:
                a = edge + 1e-3 if edge == a_lo else edge - 1e-3
                b = _draw(rng, b_lo, b_hi) if binary else None
                if not _near_kink(op, a, b, k):
                    out.append((a, b, k))
    return out


def numeric_partials(op, a, b, k):
    """Central differences in float64."""
    ha = 1e-6 * max(1.0, abs(a))
    da = (float_call(op, a + ha, b, k) - float_call(op, a - ha, b, k)) / (2 * ha)
    if b is None:
        return da, None
    hb = 1e-6 * max(1.0, abs(b))
    db = (float_call(op, a, b + hb, k) - float_call(op, a, b - hb, k)) / (2 * hb)
    return da, db


def close(x, y, tol=2e-5):
    return abs(x - y) <= tol * max(1.0, abs(y))
