// A compiled function's Python arguments, to and from the core's Arguments.
#pragma once

#include <pybind11/pybind11.h>

#include <vector>

#include "arenagrad/replay.hpp"

namespace arenagrad::bindings {

namespace py = pybind11;

// Appends `args` (a call's positional arguments) to `out`, depth-first: Values,
// real numbers (numpy scalars of any dtype too), lists and tuples of them to any
// depth below a limit (RecursionError beyond, so a list holding itself is an error,
// not a stack overflow), and numeric buffers (numpy arrays of any shape, byte
// order and strides; array.array; memoryview) in C order. A 0-d buffer is a
// scalar. str, bytes and bytearray are a TypeError. Every object read is held by a
// reference while Python code can run (a __float__); a list changing size while
// it is read is a RuntimeError.
void flatten_arguments(const py::tuple& args, Arguments& out);

// The arguments rebuilt from `flat`'s structure, every scalar position a fresh
// leaf Value (appended to `leaves` by position): what the function sees while it
// is traced. Lists and tuples stay lists and tuples, numpy arrays become numpy
// object arrays of the same shape, other buffers nested lists.
py::tuple trace_arguments(const Arguments& flat, std::vector<Value>& leaves);

}  // namespace arenagrad::bindings
