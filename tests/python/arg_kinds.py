"""The kinds of argument Python lets a caller pass, for the entry-point tables.

A *sequence kind* turns a list of items (floats or Values) into one way of passing
them: a list, a generator, a byte-swapped numpy array, a list whose ``__float__``
clears it... ``plain_items(kind, items)`` is what plain Python sees in that
argument: the items one iteration yields, numbers as floats (``Value(x)`` accepts
anything ``float()`` does). An entry point must behave as the plain-Python
equivalent does on those items: the same result, or the same exception type.

A *scalar kind* is one object in a number's place (``Value(x)``, ``v + x``);
``plain_real(x)`` is the float it stands for, or raises what arenagrad must raise.

Adding a kind is one line in ``SEQUENCE_KINDS`` or ``SCALARS``.
"""

from __future__ import annotations

import array
import decimal
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Iterator

import numpy as np
from arenagrad import Value


class SubValue(Value):
    """A user subclass of Value with instance attributes."""


class FloatRaises:
    def __float__(self) -> float:
        raise LookupError("this __float__ fails")


class FloatReturnsStr:
    def __float__(self) -> Any:
        return "1.0"


class ClearsList:
    """Empties the list it sits in when converted: the list must not be read by
    borrowed pointer after this runs (issue 13, defect 9)."""

    def __init__(self, container: list, number: float = 0.5) -> None:
        self.container = container
        self.number = number

    def __float__(self) -> float:
        self.container.clear()
        return self.number


class GrowsList(ClearsList):
    """Appends to the list it sits in (forcing a reallocation of its items)."""

    def __float__(self) -> float:
        self.container.extend([7.0] * 1000)
        return self.number


def raises_midway(items: list) -> Iterator[Any]:
    yield from items[:1]
    raise KeyError("iterator failed midway")


def _with_hostile(cls: type) -> Callable[[list], list]:
    def make(items: list) -> list:
        out = list(items)
        out.insert(1, cls(out))
        return out

    return make


def _numpy(dtype: Any, byte_swapped: bool = False, strided: bool = False):
    def make(items: list) -> np.ndarray:
        dt = np.dtype(dtype)
        if byte_swapped:
            dt = dt.newbyteorder("S")
        if strided:  # every other element of a twice-as-long array: non-contiguous
            a = np.repeat(np.array(items, dtype=dt), 2)[::2]
            assert not a.flags.c_contiguous
            return a
        return np.array(items, dtype=dt)

    return make


@dataclass(frozen=True)
class Kind:
    name: str
    make: Callable[[list], Any]
    numbers_only: bool = False  # needs float items (arrays, buffers, subclasses)
    one_pass: bool = False  # can be iterated once only
    mutates: bool = False  # an item's __float__ changes the container

    def __repr__(self) -> str:
        return self.name


_INT_DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
_FLOAT_DTYPES = ["float16", "float32", "float64", "longdouble"]

SEQUENCE_KINDS: list[Kind] = [
    Kind("list", list),
    Kind("tuple", tuple),
    Kind("generator", lambda xs: (x for x in xs), one_pass=True),
    Kind("generator of products", lambda xs: (x * 2 for x in xs), one_pass=True),
    Kind("map", lambda xs: map(lambda x: x, xs), one_pass=True),
    Kind("iterator", lambda xs: iter(list(xs)), one_pass=True),
    Kind("iterator raising midway", raises_midway, one_pass=True),
    Kind("list with a raising __float__", lambda xs: [*xs[:1], FloatRaises(), *xs[1:]]),
    Kind("list with a str-returning __float__", lambda xs: [*xs, FloatReturnsStr()]),
    Kind("list with a str item", lambda xs: [*xs, "1.0"]),
    Kind("list with a None item", lambda xs: [None, *xs]),
    Kind("list whose __float__ clears it", _with_hostile(ClearsList), mutates=True),
    Kind("list whose __float__ grows it", _with_hostile(GrowsList), mutates=True),
    Kind("list with a Fraction", lambda xs: [*xs, Fraction(1, 3)]),
    Kind("list with a Decimal", lambda xs: [*xs, decimal.Decimal("0.1")]),
    Kind("list with a huge int", lambda xs: [*xs, 10**400]),
    Kind("list with a bool", lambda xs: [*xs, True]),
    Kind("list of numpy float32", lambda xs: [np.float32(x) for x in xs], numbers_only=True),
    Kind("list of 0-d arrays", lambda xs: [np.array(x) for x in xs], numbers_only=True),
    Kind("list of Value subclasses", lambda xs: [SubValue(x) for x in xs], numbers_only=True),
    Kind("generator of fresh Values", lambda xs: (Value(x) for x in xs), numbers_only=True,
         one_pass=True),
    *[Kind(f"numpy {t}", _numpy(t), numbers_only=True) for t in _INT_DTYPES + _FLOAT_DTYPES],
    *[Kind(f"numpy {t} byte-swapped", _numpy(t, byte_swapped=True), numbers_only=True)
      for t in _INT_DTYPES[1:] + _FLOAT_DTYPES],
    *[Kind(f"numpy {t} non-contiguous", _numpy(t, strided=True), numbers_only=True)
      for t in ("int32", "float32", "float64")],
    Kind("numpy 0-d array", lambda xs: np.array(xs[0]), numbers_only=True),
    Kind("numpy object array", lambda xs: np.array(xs, dtype=object)),
    *[Kind(f"array.array {code!r}", lambda xs, code=code: array.array(code, xs),
           numbers_only=True) for code in "d"],
    *[Kind(f"array.array {code!r}", lambda xs, code=code: array.array(code, map(int, xs)),
           numbers_only=True) for code in "bBhiIlqQ"],
    Kind("array.array 'f'", lambda xs: array.array("f", xs), numbers_only=True),
    Kind("memoryview of array 'd'", lambda xs: memoryview(array.array("d", xs)),
         numbers_only=True),
    Kind("bytes", lambda xs: bytes(int(x) for x in xs), numbers_only=True),
    Kind("bytearray", lambda xs: bytearray(int(x) for x in xs), numbers_only=True),
    Kind("memoryview of bytes", lambda xs: memoryview(bytes(int(x) for x in xs)),
         numbers_only=True),
    Kind("str", lambda xs: "".join(str(int(x) % 10) for x in xs), numbers_only=True),
    Kind("dict", lambda xs: {i: x for i, x in enumerate(xs)}),
    Kind("a single Value", lambda xs: Value(1.0)),
    Kind("None", lambda xs: None),
    Kind("an int", lambda xs: len(xs)),
]


def plain_real(x: Any) -> float:
    """The float ``x`` stands for where arenagrad takes a number, or the error."""
    if isinstance(x, (str, bytes, bytearray, complex, np.complexfloating)):
        raise TypeError(f"not a real number: {type(x).__name__}")
    ndim = getattr(x, "ndim", 0)
    if not isinstance(ndim, int) or ndim != 0:
        raise TypeError(f"not a scalar: {type(x).__name__}")
    if not hasattr(type(x), "__float__") and not isinstance(x, int):
        raise TypeError(f"not a real number: {type(x).__name__}")
    number = float(x)
    if not isinstance(number, float):
        raise TypeError("__float__ returned a non-float")
    return number


def plain_items(kind: Kind, items: list, convert: bool = True) -> list:
    """What one pass over ``kind.make(items)`` gives plain Python, numbers as
    floats unless ``convert`` is false."""
    snapshot = list(kind.make(items))  # raises TypeError (None, int, 0-d) or the iterator's error
    if not convert:
        return snapshot
    return [x if isinstance(x, Value) else plain_real(x) for x in snapshot]


# Scalar kinds: (name, object). The numpy scalars and 0-d arrays cover every numeric
# dtype in both byte orders.
SCALARS: list[tuple[str, Any]] = [
    ("int", 3),
    ("negative int", -2),
    ("bool", True),
    ("huge int", 10**400),
    ("float", 2.5),
    ("-0.0", -0.0),
    ("nan", math.nan),
    ("inf", math.inf),
    ("Fraction", Fraction(3, 4)),
    ("Decimal", decimal.Decimal("1.25")),
    *[(f"numpy {t} scalar", np.dtype(t).type(3)) for t in _INT_DTYPES + _FLOAT_DTYPES],
    *[(f"numpy {t} 0-d byte-swapped", np.array(3, dtype=np.dtype(t).newbyteorder("S")))
      for t in _INT_DTYPES[1:] + _FLOAT_DTYPES],
    ("numpy 0-d float64", np.array(1.5)),
    ("numpy 1-element array", np.array([1.5])),
    ("numpy complex", np.complex128(1.0)),
    ("complex", 1j),
    ("str", "1.0"),
    ("bytes", b"1"),
    ("None", None),
    ("list", [1.0]),
    ("raising __float__", FloatRaises()),
    ("str-returning __float__", FloatReturnsStr()),
]


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    """("ok", result) or ("raises", exception type)."""
    try:
        return "ok", call()
    except Exception as error:  # noqa: BLE001 - the type is the outcome
        return "raises", type(error)


def number_of(x: Any) -> Any:
    """A result as comparable plain data: floats, lists of floats."""
    if isinstance(x, Value):
        return x.data
    if isinstance(x, (list, tuple)):
        return [number_of(i) for i in x]
    return float(x)


def same_number(a: Any, b: Any) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                and all(same_number(x, y) for x, y in zip(a, b)))
    return a == b or (math.isnan(a) and math.isnan(b))
