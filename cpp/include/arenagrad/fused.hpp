// Fused builders: one call that records many binary nodes, so Python crosses into
// C++ once per neuron instead of twice per weight. They build exactly the nodes,
// in exactly the order, that the equivalent Python expression would, so values and
// gradients are bit-identical to the unfused graph.
#pragma once

#include <cstddef>

#include "arenagrad/arena.hpp"

namespace arenagrad {

// Operands are borrowed. The result is a number, or a node carrying one reference
// that the caller owns (also when it is `start`/`bias` itself, passed through).

// functools.reduce(operator.add, terms, start): ((start + t0) + t1) + ...
// Two numbers add as plain doubles; a number beside a node becomes a constant leaf
// in its operand position, as Value.__add__/__radd__ make it.
Operand fold_sum(Arena& arena, Operand start, const Operand* terms, std::size_t n);

// The same fold over the products w[i] * x[i]: Python's
// sum((wi * xi for wi, xi in zip(w, x)), bias), product i made just before add i.
Operand fold_dot(Arena& arena, Operand bias, const Operand* w, const Operand* x,
                 std::size_t n);

}  // namespace arenagrad
