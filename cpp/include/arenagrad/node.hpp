// The node record: one scalar of the graph, stored by value in an Arena.
#pragma once

#include <cstdint>
#include <limits>

#include "arenagrad/ops.hpp"

namespace arenagrad {

// Nodes are addressed by 32-bit slot indices, never by pointers: the arena's
// storage moves when it grows.
using Index = std::uint32_t;
inline constexpr Index kNoNode = std::numeric_limits<Index>::max();

struct Node {
  double data = 0.0;
  double grad = 0.0;
  double k = 0.0;                       // the op's constant (PowConst's exponent)
  Index child[2] = {kNoNode, kNoNode};  // operands, in order; unused ones are kNoNode
  std::uint32_t refs = 0;               // handles plus parent nodes pointing here
  std::uint32_t stamp = 0;              // last traversal that visited this node
  std::uint32_t pending =
      0;  // backward: parents yet to pass their gradient down (grad(): its slot)
  Op op = Op::Leaf;
  bool labelled = false;  // has an entry in Arena's label table
  bool integral = false;  // data was given as a Python int (micrograd shows "0")
  // Built while faults were off (a create_graph sweep): its faults give Python's
  // inf or nan instead of an error, in a replay too.
  bool quiet = false;
};

// Two records per cache line; the budget is 64 bytes.
static_assert(sizeof(Node) <= 48, "Node must stay within 48 bytes");

}  // namespace arenagrad
